import Foundation
import Testing

/// Issue 5's real-data check: SmolLM2-135M pruned to every third layer (10 of 30), trained on
/// 64 real SmolLM2 traces, against 32 held-out traces of other prompts that kept the teacher's
/// top-8 logprobs. Measured (20 steps of 1024 tokens, lr 1e-3): loss 13.67 → 7.49, KL to the
/// teacher 12.72 → 6.50, top-1 agreement 1% → 10%.
@Suite struct PrunedStudentTrainingTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("..").standardized

    @Test func trainingMovesThePrunedStudentTowardTheTeacher() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-pruned-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let summary = try CommandRunner.json([
            "train", "--teacher", "smollm2-135m-instruct", "--keep-every", "3",
            "--traces", Self.fixtures.appendingPathComponent("EvaluationTests/Fixtures/heldout_traces").path,
            "--eval-traces", Self.fixtures.appendingPathComponent("TrainingTests/Fixtures/student_eval_traces").path,
            "--steps", "20", "--seq-len", "256", "--tokens-per-step", "1024", "--batch-rows", "4", "--lr", "1e-3",
            "--threads", "2", "--out", out.path, "--json",
        ])
        let before = try #require(summary["before"] as? [String: Any]), after = try #require(summary["after"] as? [String: Any])
        let lossBefore = try #require(before["loss"] as? Double), lossAfter = try #require(after["loss"] as? Double)
        let klBefore = try #require(before["kl"] as? Double), klAfter = try #require(after["kl"] as? Double)
        let top1Before = try #require(before["top1Agreement"] as? Double), top1After = try #require(after["top1Agreement"] as? Double)
        #expect(lossAfter < 0.7 * lossBefore, "held-out loss \(lossBefore) → \(lossAfter)")
        #expect(klAfter < 0.65 * klBefore, "KL to the teacher \(klBefore) → \(klAfter)")
        #expect(top1After > 3 * top1Before, "top-1 agreement \(top1Before) → \(top1After)")
        #expect((after["tokens"] as? Int ?? 0) > 2500)

        // The output is a Hugging Face folder our engine runs: 10 blocks, SmolLM2's vocabulary.
        let inspect = try CommandRunner.json(["inspect", out.path, "--json"])
        #expect(inspect["layers"] as? Int == 10 && inspect["vocab_size"] as? Int == 49152)
        #expect(inspect["chat_template"] as? String == "smolLM2")
    }
}
