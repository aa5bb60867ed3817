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

    /// A new dataset of the first `count` conversations; the caller removes it.
    static func make(count: Int = conversations.count) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-eval-\(UUID().uuidString)")
        let writer = try MDSShardWriter(directory: url, columns: TraceRecord.columns, sizeLimit: 1 << 20, compressionLevel: 3)
        for i in 0..<count {
            let c = conversations[i % conversations.count]
            try writer.write(try record(i, prompt: c.prompt, reasoning: c.reasoning, answer: c.answer).mdsSample)
        }
        try writer.finish()
        return url
    }
}
