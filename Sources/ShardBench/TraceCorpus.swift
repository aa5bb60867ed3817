import Foundation
import Traces

/// A fixed, generated stand-in for a teacher's traces: math-word-problem reasoning built from
/// sentence templates, numbers and a little LaTeX, with token ids and logprobs beside it. Fixed
/// seed, so every run and every machine compresses the same bytes. Its zstd-3 ratio (about 3–4×
/// on the text) is in the range of real R1-style traces; random words would compress far worse
/// and repeated text far better.
struct TraceCorpus {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64: a tiny fixed generator, so the corpus does not depend on Swift's RNG.
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    private mutating func number(_ limit: UInt64) -> Int { Int(next() % limit) }

    private static let names = ["Natalia", "Weng", "Betty", "Julie", "James", "Albert", "Ken", "Alexis", "Tina", "Mark"]
    private static let things = ["clips", "apples", "pages", "dollars", "eggs", "marbles", "books", "cookies", "miles", "tickets"]
    private static let verbs = ["sold", "bought", "read", "earned", "collected", "baked", "drove", "gave away", "found", "used"]
    private static let openers = ["Let me think about this step by step.", "Okay, so the problem says", "Wait, let me check that again.",
                                  "Hmm, that does not look right.", "So far we have", "Now I need to find", "Let's verify:",
                                  "Alternatively, we can compute", "First, note that", "Therefore"]

    mutating func reasoning(sentences: Int) -> String {
        var parts: [String] = []
        for _ in 0..<sentences {
            let a = number(500) + 2, b = number(90) + 2
            switch number(5) {
            case 0: parts.append("\(pick(Self.openers)) \(pick(Self.names)) \(pick(Self.verbs)) \(a) \(pick(Self.things)) in the first week.")
            case 1: parts.append("That gives \(a) × \(b) = \(a * b) \(pick(Self.things)) in total.")
            case 2: parts.append("\(pick(Self.openers)) $\\frac{\(a)}{\(b)} = \(String(format: "%.4f", Double(a) / Double(b)))$, so the rest is \(a - b).")
            case 3: parts.append("If \(pick(Self.names)) has \(a) and gives \(b) to \(pick(Self.names)), then \(a) - \(b) = \(a - b) remain.")
            default: parts.append("\(pick(Self.openers)) the \(pick(Self.things)) cost $\(a).\(number(100)) each, and \(b) of them cost $\(String(format: "%.2f", Double(a * b) / 100)).")
            }
            if number(6) == 0 { parts.append("\n\n") }
        }
        return parts.joined(separator: " ")
    }

    /// One trace record with `tokens` generated tokens (ids, logprobs, and `topK` alternatives).
    mutating func record(_ i: Int, topK: Int) -> TraceRecord {
        let reasoning = reasoning(sentences: 20 + number(60))
        let answerValue = number(10_000)
        let answer = "The answer is $\\boxed{\(answerValue)}$."
        let completion = "<think>\n\(reasoning)\n</think>\n\n\(answer)"
        // About 4 bytes of text per token, as BPE vocabularies give on English (MDS.md §8).
        let tokens = completion.utf8.count / 4
        let ids = (0..<tokens).map { _ in Int32(number(49_152)) }
        let logprobs = (0..<tokens).map { _ in -Float(number(1 << 20)) / Float(1 << 18) }
        return TraceRecord(
            id: String(format: "%064x", i), promptID: String(format: "%064x", i / 4), sampleIndex: i % 4, attempt: 0,
            messages: [TraceMessage(role: "user", content: "\(pick(Self.names)) \(pick(Self.verbs)) \(answerValue) \(pick(Self.things)). How many? Put the answer in \\boxed{}.")],
            reasoning: reasoning, answer: answer, completion: completion, referenceAnswer: String(answerValue),
            verification: TraceVerification(method: "boxed", correct: true, extracted: String(answerValue)),
            teacher: TraceTeacher(model: "bench-teacher", sha256: String(repeating: "ab", count: 32)),
            sampling: TraceSampling(temperature: 0.6, topP: 0.95, maxTokens: 4096, seed: UInt64(i), topLogprobs: topK),
            finishReason: "stop", promptTokens: 40, completionTokens: tokens,
            timings: TraceTimings(firstTokenSeconds: 0.1, totalSeconds: 12.5),
            tokenIDs: ids, tokenLogprobs: logprobs, topK: topK,
            topIDs: (0..<(tokens * topK)).map { _ in Int32(number(49_152)) },
            topLogprobs: (0..<(tokens * topK)).map { _ in -Float(number(1 << 20)) / Float(1 << 16) },
            metadata: #"{"source":"bench"}"#)
    }
}
