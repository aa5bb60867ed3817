import Foundation
import Testing
@testable import Traces

@Suite struct TraceRecordTests {
    static func sample(tokens: Int, topK: Int) -> TraceRecord {
        TraceRecord(
            id: "abc", promptID: "p1", sampleIndex: 2, attempt: 1,
            messages: [TraceMessage(role: "user", content: "What is 6×7? Answer in \\boxed{}.")],
            reasoning: "6×7 is 42.", answer: "\\boxed{42}", completion: "<think>6×7 is 42.</think>\\boxed{42}",
            referenceAnswer: "42", verification: TraceVerification(method: "boxed", correct: true, extracted: "42"),
            teacher: TraceTeacher(model: "smollm2", sha256: "00ff"), sampling: TraceSampling(temperature: 0.6, topP: 0.95, maxTokens: 64, seed: 7, topLogprobs: topK),
            finishReason: "stop", promptTokens: 12, completionTokens: tokens,
            timings: TraceTimings(firstTokenSeconds: 0.25, totalSeconds: 1.5),
            tokenIDs: (0..<tokens).map { Int32($0 * 1000) }, tokenLogprobs: (0..<tokens).map { -Float($0) / 3 },
            topK: topK, topIDs: (0..<(tokens * topK)).map { $0 % topK == topK - 1 ? -1 : Int32($0) },
            topLogprobs: (0..<(tokens * topK)).map { $0 % topK == topK - 1 ? -.infinity : -Float($0) },
            metadata: #"{"source":"gsm8k"}"#)
    }

    @Test(arguments: [(0, 0), (5, 0), (5, 3)])
    func roundTripsThroughAShard(tokens: Int, topK: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trace-record-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let record = Self.sample(tokens: tokens, topK: topK)
        let writer = try MDSShardWriter(directory: dir, columns: TraceRecord.columns)
        try writer.write(try record.mdsSample)
        _ = try writer.finish()
        let read = try TraceRecord(mdsSample: try MDSDataset(directory: dir).sample(at: 0))
        #expect(read == record)
    }

    @Test func refusesTopKRowsThatDoNotMatchTheTokens() throws {
        var sample = try Self.sample(tokens: 4, topK: 2).mdsSample
        sample["topk"] = .int(3)
        #expect(throws: TracesError.self) { try TraceRecord(mdsSample: sample) }
    }
}
