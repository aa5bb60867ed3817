import Foundation
import Testing

/// `distillery distill` as a user runs it, on the real SmolLM2 teacher with a small pipeline:
/// the whole chain, stage skipping, reruns after a change, SIGKILL resume, bad files, and an
/// endpoint teacher (`distillery serve` on loopback).
@Suite(.serialized)
struct DistillCommandTests {
    static let prompts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/Pipeline/Default/prompts.jsonl").standardizedFileURL

    /// A folder holding `pipeline.yaml` and the first `count` prompts of the default set,
    /// problems included (the default file interleaves nothing: take some of each kind).
    static func pipelineFolder(teacher: String = "  model: smollm2-135m-instruct\n  id: HuggingFaceTB/SmolLM2-135M-Instruct",
                               student: String = "  keep_every: 10", train: String = "", quantize: String = "[Q8_0]",
                               logprobs: Int = 4) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let lines = try String(contentsOf: prompts, encoding: .utf8).split(separator: "\n")
        let chosen = Array(lines.prefix(10)) + Array(lines.filter { $0.contains("\"word-") }.prefix(6))
        try (chosen.joined(separator: "\n") + "\n").write(to: root.appendingPathComponent("prompts.jsonl"), atomically: true, encoding: .utf8)
        let yaml = """
            name: Tiny-Distill-Test
            license: apache-2.0
            output: \(root.appendingPathComponent("out").path)
            threads: 2
            teacher:
            \(teacher)
            prompts: prompts.jsonl
            generate:
              max_tokens: 24
              temperature: 0
              logprobs: \(logprobs)
              verify: numeric
              batch: 8
            student:
            \(student)
            train:
              steps: 6
              lr: 1.0e-3
              seq_len: 128
              tokens_per_step: 512
              batch_rows: 4
              kd_weight: \(logprobs > 0 ? "0.5" : "0")
              eval_fraction: 0.25
              save_every: 2
            \(train)
            quantize:
              types: \(quantize)
              eval_sequences: 4
            ship:
              - LICENSE-apache-2.0.txt
            declarations:
              intended_use: research
              distributed: false

            """
        try yaml.write(to: root.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: prompts.deletingLastPathComponent().appendingPathComponent("LICENSE-apache-2.0.txt"),
                                         to: root.appendingPathComponent("LICENSE-apache-2.0.txt"))
        return root
    }

    static func distill(_ root: URL, _ extra: [String] = []) throws -> (CommandResult, [String: Any]) {
        let result = try CommandRunner.run(["distill", root.appendingPathComponent("pipeline.yaml").path, "--json"] + extra)
        let summary = (try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))) as? [String: Any] ?? [:]
        return (result, summary)
    }

    static func actions(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").filter { $0.hasPrefix("▶ ") }.map { String($0.dropFirst(2)) }
    }

    @Test func runsEveryStageThenSkipsWhatIsUpToDate() throws {
        let root = try Self.pipelineFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("out")

        let (first, summary) = try Self.distill(root)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(Self.actions(first.standardError) == ["generate: run", "train: run", "quantize: run", "provenance: run"])
        let generate = try #require(summary["generate"] as? [String: Any])
        #expect(generate["traces"] as? Int == 16)
        #expect((generate["completionTokens"] as? Int ?? 0) > 16 * 5)
        // The student moved toward the teacher on the held-out traces.
        let train = try #require(summary["train"] as? [String: Any])
        let before = try #require(train["before"] as? [String: Any]), after = try #require(train["after"] as? [String: Any])
        #expect(try #require(after["loss"] as? Double) < #require(before["loss"] as? Double))
        #expect(try #require(after["kl"] as? Double) < #require(before["kl"] as? Double))
        #expect(train["layers"] as? Int == 3)

        // The GGUF loads, and measures close to the student it came from.
        let quantized = try #require((summary["quantize"] as? [String: Any])?["outputs"] as? [[String: Any]])
        #expect(quantized.count == 1)
        let gguf = try #require(quantized.first?["path"] as? String)
        #expect(gguf == out.appendingPathComponent("Tiny-Distill-Test-Q8_0-GGUF/Tiny-Distill-Test-Q8_0.gguf").path)
        #expect(try #require(quantized.first?["klMean"] as? Double) < 0.01)
        let inspect = try CommandRunner.json(["inspect", gguf, "--json"])
        #expect(inspect["layers"] as? Int == 3)

        // Lineage: the pruned student has SmolLM2 as base and teacher, and its traces as data.
        let model = out.appendingPathComponent("Tiny-Distill-Test")
        let manifest = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: model.appendingPathComponent("manifest.json"))) as? [String: Any])
        let parents = try #require(manifest["parents"] as? [[String: Any]])
        #expect(parents.map { "\($0["role"] ?? "") \($0["relation"] ?? "") \($0["id"] ?? "")" } == [
            "base pruned HuggingFaceTB/SmolLM2-135M-Instruct",
            "teacher distillation HuggingFaceTB/SmolLM2-135M-Instruct",
            "dataset distillation Tiny-Distill-Test-traces",
        ])
        #expect(FileManager.default.fileExists(atPath: model.appendingPathComponent("README.md").path))
        #expect(FileManager.default.fileExists(atPath: model.appendingPathComponent("LICENSE-apache-2.0.txt").path), "ship: copies it in")
        #expect(!FileManager.default.fileExists(atPath: model.appendingPathComponent("metrics.jsonl").path), "the published folder holds the model only")
        #expect((summary["provenance"] as? [String: Any])?["verdict"] as? String == "pass")

        // The teacher's digest is remembered by size and date, not recomputed on every run.
        let digests = try String(contentsOf: out.appendingPathComponent(".distill/model-digests.json"), encoding: .utf8)
        #expect(digests.contains("SmolLM2-135M-Instruct.Q4_1.gguf"))

        // Nothing changed: every stage is skipped and the figures are the recorded ones.
        let modelBytes = try Data(contentsOf: model.appendingPathComponent("model.safetensors"))
        let (second, again) = try Self.distill(root)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(Self.actions(second.standardError) == ["generate: up to date", "train: up to date", "quantize: up to date", "provenance: up to date"])
        #expect((again["train"] as? [String: Any])?["after"] as? [String: Double] == after as? [String: Double])
        #expect(try Data(contentsOf: model.appendingPathComponent("model.safetensors")) == modelBytes)

        // A new quantisation type reruns quantize and provenance only.
        var yaml = try String(contentsOf: root.appendingPathComponent("pipeline.yaml"), encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "types: [Q8_0]", with: "types: [Q8_0, Q4_K_M]\n  calibrate: true\n  calibration_tokens: 512")
        try yaml.write(to: root.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
        let (third, widened) = try Self.distill(root)
        #expect(third.status == 0, "\(third.standardError)")
        #expect(Self.actions(third.standardError) == ["generate: up to date", "train: up to date", "quantize: run", "provenance: run"])
        let outputs = try #require((widened["quantize"] as? [String: Any])?["outputs"] as? [[String: Any]])
        #expect(outputs.map { $0["type"] as? String } == ["Q8_0", "Q4_K_M"])
        #expect(outputs.last?["calibrated"] as? Bool == true, "Q4_K_M is weighed by the traces' activations")
        let quantizedManifest = try String(contentsOf: out.appendingPathComponent("Tiny-Distill-Test-Q4_K_M-GGUF/manifest.json"), encoding: .utf8)
        #expect(quantizedManifest.contains("\"calibration_data\" : \"Tiny-Distill-Test-traces\""))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(".distill/replaced/quantize/Tiny-Distill-Test-Q8_0-GGUF").path),
                "the outputs it replaced are kept aside")

        // A damaged output is noticed: its stage runs again.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: gguf))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        let (fourth, _) = try Self.distill(root)
        #expect(fourth.status == 0, "\(fourth.standardError)")
        #expect(Self.actions(fourth.standardError) == ["generate: up to date", "train: up to date", "quantize: run", "provenance: run"])
    }

    @Test func aKilledRunResumesAndEndsWithTheSameModel() throws {
        let whole = try Self.pipelineFolder(), killed = try Self.pipelineFolder()
        defer { try? FileManager.default.removeItem(at: whole); try? FileManager.default.removeItem(at: killed) }
        let (uninterrupted, _) = try Self.distill(whole)
        #expect(uninterrupted.status == 0, "\(uninterrupted.standardError)")

        let marker = killed.appendingPathComponent("out/work/train/checkpoint-2/trainer_state.json")
        #expect(try CommandRunner.killed(["distill", killed.appendingPathComponent("pipeline.yaml").path], whenExists: marker),
                "the run ended before it could be killed")

        let (resumed, _) = try Self.distill(killed)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(Self.actions(resumed.standardError) == ["generate: up to date", "train: resume", "quantize: run", "provenance: run"])
        let a = try Data(contentsOf: whole.appendingPathComponent("out/Tiny-Distill-Test/model.safetensors"))
        let b = try Data(contentsOf: killed.appendingPathComponent("out/Tiny-Distill-Test/model.safetensors"))
        #expect(a.count > 1_000_000 && a == b)
    }

    @Test func aBadPipelineFileIsRefusedBeforeAnythingRuns() throws {
        let root = try Self.pipelineFolder(train: "  learning_rate: 0.1")
        defer { try? FileManager.default.removeItem(at: root) }
        let (result, _) = try Self.distill(root)
        #expect(result.status != 0)
        #expect(result.standardError.contains("train.learning_rate") && result.standardError.contains("lr"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("out").path))
    }

    @Test func anEndpointTeacherFeedsAFreshStudent() throws {
        let (server, base) = try HTTPTeacherServeTests.startServer()
        defer { server.terminate(); server.waitUntilExit() }
        let root = try Self.pipelineFolder(
            teacher: "  endpoint: \(base)\n  model: smollm2-135m-instruct\n  id: HuggingFaceTB/SmolLM2-135M-Instruct",
            student: "  config: tiny-config.json\n  tokenizer: smollm2-135m-instruct", logprobs: 0)
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try TrainCommandTests.tinyConfig(in: root)
        let (result, summary) = try Self.distill(root)
        #expect(result.status == 0, "\(result.standardError)")
        let generate = try #require(summary["generate"] as? [String: Any])
        #expect(generate["traces"] as? Int == 16)
        #expect(generate["teacher"] as? String == "smollm2-135m-instruct")
        let manifest = try String(contentsOf: root.appendingPathComponent("out/Tiny-Distill-Test/manifest.json"), encoding: .utf8)
        #expect(manifest.contains("\"teacher\"") && !manifest.contains("\"pruned\""), "a fresh student has no base")
    }
}
