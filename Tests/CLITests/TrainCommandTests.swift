#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `distillery train` as a user runs it: a run killed with SIGKILL and resumed ends with the
/// same weights as an uninterrupted one, and bad input stops with a clear message.
@Suite(.serialized)
struct TrainCommandTests {
    static let traces = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../EvaluationTests/Fixtures/heldout_traces").standardized.path

    /// A small fresh student with SmolLM2's tokenizer: fast enough to train for dozens of steps.
    static func tinyConfig(in folder: URL) throws -> String {
        let config = """
        {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64, "intermediate_size": 128,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
         "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "max_position_embeddings": 2048, "vocab_size": 49152,
         "tie_word_embeddings": true, "bos_token_id": 1, "eos_token_id": 2, "initializer_range": 0.02}
        """
        let url = folder.appendingPathComponent("tiny-config.json")
        try Data(config.utf8).write(to: url)
        return url.path
    }

    static func arguments(out: URL, config: String, steps: Int = 24) -> [String] {
        ["train", "--traces", traces, "--out", out.path, "--config", config, "--teacher", "smollm2-135m-instruct",
         "--steps", String(steps), "--seq-len", "128", "--tokens-per-step", "256", "--batch-rows", "2", "--lr", "3e-3",
         "--save-every", "4", "--seed", "5", "--threads", "2"]
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func aKilledRunResumesToTheSameWeights() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let config = try Self.tinyConfig(in: root)

        let whole = root.appendingPathComponent("whole")
        let uninterrupted = try CommandRunner.run(Self.arguments(out: whole, config: config))
        #expect(uninterrupted.status == 0, "\(uninterrupted.standardError)")

        // The same run, killed once its step-12 checkpoint is in place, then resumed.
        let killed = root.appendingPathComponent("killed")
        let marker = killed.appendingPathComponent("checkpoint-12/trainer_state.json")
        #expect(try CommandRunner.killed(Self.arguments(out: killed, config: config), whenExists: marker),
                "the run ended before it could be killed")
        #expect(!FileManager.default.fileExists(atPath: killed.appendingPathComponent("model.safetensors").path))

        let resumed = try CommandRunner.run(Self.arguments(out: killed, config: config) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let a = try Data(contentsOf: whole.appendingPathComponent("model.safetensors"))
        let b = try Data(contentsOf: killed.appendingPathComponent("model.safetensors"))
        #expect(a.count > 1_000_000 && a == b)
        // One metrics line per step and evaluation: none lost, none repeated.
        func steps(_ folder: URL) throws -> [String] {
            try String(contentsOf: folder.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
                .split(separator: "\n").map { line in
                    let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                    return "\(object?["split"] ?? "")\(object?["step"] ?? "")"
                }
        }
        #expect(try steps(killed) == steps(whole))
        #expect(try steps(whole).count == 24 + 2)
        #expect(FileManager.default.fileExists(atPath: whole.appendingPathComponent("loss.svg").path))
    }

    @Test func badInputStopsWithAClearMessage() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let config = try Self.tinyConfig(in: root)
        let out = root.appendingPathComponent("out")

        var arguments = Self.arguments(out: out, config: config, steps: 2)
        arguments[2] = root.appendingPathComponent("no-such-traces").path
        let missing = try CommandRunner.run(arguments)
        #expect(missing.status != 0 && missing.standardError.contains("no-such-traces"))

        // Distillation on traces that kept no logprobs.
        let kd = try CommandRunner.run(Self.arguments(out: out, config: config, steps: 2) + ["--kd-weight", "0.5"])
        #expect(kd.status != 0 && kd.standardError.contains("--kd-weight"))

        // Two students at once.
        let both = try CommandRunner.run(Self.arguments(out: out, config: config, steps: 2) + ["--student", "smollm2-135m-instruct"])
        #expect(both.status != 0 && both.standardError.contains("exactly one student"))

        // A finished run is not overwritten without --resume.
        let first = try CommandRunner.run(Self.arguments(out: out, config: config, steps: 2))
        #expect(first.status == 0, "\(first.standardError)")
        let again = try CommandRunner.run(Self.arguments(out: out, config: config, steps: 2))
        #expect(again.status != 0 && again.standardError.contains("--resume"))

        // A learning rate that blows the loss up stops the run; the checkpoints before it stay.
        let diverging = try CommandRunner.run(Self.arguments(out: out, config: config, steps: 12)
            + ["--resume", "--lr", "1e9", "--max-grad-norm", "0", "--warmup-steps", "1"])
        #expect(diverging.status != 0 && diverging.standardError.contains("the loss became"), "\(diverging.standardError)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoint-2/model.safetensors").path))
    }
}
