import Foundation
import Traces

/// Small trace datasets written the way `distillery generate` writes them, for tests.
enum TraceFolder {
    static let conversations: [(prompt: String, reasoning: String, answer: String)] = [
        ("What is 12 times 7?", "12 times 7 is 84.", "12 × 7 = 84."),
        ("Name the capital of France.", "", "The capital of France is Paris."),
        ("Write one sentence about the sea.", "The sea is large and salty.", "The sea covers most of the Earth and is full of life."),
        ("Give a synonym for happy.", "", "A synonym for happy is joyful."),
    ]

    static func record(_ i: Int, prompt: String, reasoning: String, answer: String) -> TraceRecord {
        let completion = reasoning.isEmpty ? answer : "<think>\n\(reasoning)\n</think>\n\n\(answer)"
        return TraceRecord(
            id: "trace-\(i)", promptID: "p\(i)", sampleIndex: 0, attempt: 0,
            messages: [TraceMessage(role: "user", content: prompt)], reasoning: reasoning, answer: answer,
            completion: completion, referenceAnswer: "", verification: nil,
            teacher: TraceTeacher(model: "SmolLM2-135M-Instruct.Q4_1"),
            sampling: TraceSampling(temperature: 0.6, topP: 0.95, maxTokens: 64, seed: 1, topLogprobs: 0),
            finishReason: "stop", promptTokens: 0, completionTokens: 0,
            timings: TraceTimings(firstTokenSeconds: nil, totalSeconds: 0))
    }

    /// Other text, for calibrating on something the evaluation does not score.
    static let calibrationConversations: [(prompt: String, reasoning: String, answer: String)] = [
        ("How many legs does a spider have?", "Spiders are arachnids, which have eight legs.", "A spider has eight legs."),
        ("Translate 'good morning' into Spanish.", "", "'Good morning' in Spanish is 'buenos días'."),
        ("What is 45 divided by 9?", "9 times 5 is 45, so the quotient is 5.", "45 ÷ 9 = 5."),
        ("Explain why the sky is blue in one sentence.", "",
         "Sunlight scatters off air molecules, and blue light scatters the most, so the sky looks blue."),
        ("List three primary colours.", "", "Red, yellow and blue are the traditional primary colours."),
        ("Write a haiku about autumn leaves.", "A haiku has lines of five, seven and five syllables.",
         "Crimson leaves drifting\nwhispering to the cold ground\nsummer says goodbye"),
        ("What is the boiling point of water at sea level?", "", "Water boils at 100 °C (212 °F) at sea level."),
        ("Give two tips for better sleep.", "", "Keep a regular bedtime, and avoid screens for an hour before sleeping."),
    ]

    /// A new dataset of the first `count` conversations; the caller removes it.
    static func make(count: Int = conversations.count) throws -> URL {
        try make(Array((0..<count).map { conversations[$0 % conversations.count] }))
    }

    /// A new dataset of these conversations; the caller removes it.
    static func make(_ chosen: [(prompt: String, reasoning: String, answer: String)]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-eval-\(UUID().uuidString)")
        let writer = try MDSShardWriter(directory: url, columns: TraceRecord.columns, sizeLimit: 1 << 20, compressionLevel: 3)
        for (i, c) in chosen.enumerated() {
            try writer.write(try record(i, prompt: c.prompt, reasoning: c.reasoning, answer: c.answer).mdsSample)
        }
        try writer.finish()
        return url
    }
}
