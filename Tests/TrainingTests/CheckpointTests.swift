import Foundation
import Testing
import ModelFormats
import Transformer
@testable import Training

/// Checkpoints of a small fresh student (SmolLM2's tokenizer, a 2-layer body).
@Suite(.serialized)
struct CheckpointTests {
    static func student() throws -> Student {
        let folder = try temporaryFolder("ckpt-config")
        defer { try? FileManager.default.removeItem(at: folder) }
        let configFile = folder.appendingPathComponent("config.json")
        try Data("""
        {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 64, "intermediate_size": 96,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 49152,
         "max_position_embeddings": 512, "rms_norm_eps": 1e-5, "rope_theta": 100000, "tie_word_embeddings": true}
        """.utf8).write(to: configFile)
        let student = try Student.fresh(configFile: configFile, tokenizerFrom: "smollm2-135m-instruct", seed: 3)
        // Bit patterns a decimal round trip would lose.
        student.parameters.pointer[0] = -0.0
        student.parameters.pointer[1] = .leastNonzeroMagnitude
        student.parameters.pointer[2] = Float(bitPattern: 0x3F80_0001)
        return student
    }

    static func moments(_ count: Int, seed: UInt64) throws -> (FloatBuffer, FloatBuffer) {
        var random = NormalSampler(seed: seed)
        let first = try FloatBuffer(count: count), second = try FloatBuffer(count: count)
        for i in 0..<count {
            first.pointer[i] = Float(random.next() * 1e-3)
            second.pointer[i] = Float(random.nextUnitInterval() * 1e-6)
        }
        return (first, second)
    }

    static func state(step: Int) -> Data {
        Data(#"{"global_step": \#(step), "seed": 42, "epoch": 0.5, "data_position": 1234}"#.utf8)
    }

    @Test func checkpointRoundTripIsBitExact() throws {
        let student = try Self.student()
        let moments = try Self.moments(student.layout.totalCount, seed: 9)
        let directory = try temporaryFolder("ckpt-roundtrip")
        defer { try? FileManager.default.removeItem(at: directory) }

        let folder = try CheckpointWriter.writeCheckpoint(student: student, optimizerMoments: moments,
                                                          trainerState: Self.state(step: 5), step: 5, in: directory)
        #expect(folder.lastPathComponent == "checkpoint-5")
        let loaded = try Checkpoint.load(folder: folder)
        let bytes = student.layout.totalCount * MemoryLayout<Float>.stride
        #expect(loaded.student.layout == student.layout && loaded.student.config == student.config)
        #expect(memcmp(loaded.student.parameters.pointer, student.parameters.pointer, bytes) == 0)
        let (first, second) = try #require(loaded.optimizerMoments)
        #expect(memcmp(first.pointer, moments.0.pointer, bytes) == 0)
        #expect(memcmp(second.pointer, moments.1.pointer, bytes) == 0)
        #expect(loaded.trainerState == Self.state(step: 5))
        #expect(loaded.student.tokenizer == student.tokenizer)
        #expect(loaded.student.huggingFaceConfig == student.huggingFaceConfig)

        // The optimizer file is plain: two 1-D F32 tensors in layout order.
        let optimizer = try SafetensorsFile(url: folder.appendingPathComponent("optimizer.safetensors"))
        #expect(optimizer.info(named: "exp_avg")?.shape == [student.layout.totalCount])
        #expect(optimizer.info(named: "exp_avg_sq")?.dtype == .f32)
        #expect(try SafetensorsFile(url: folder.appendingPathComponent("model.safetensors")).metadata == ["format": "pt"])

        // The final model: the same files in --out itself, without optimizer or state.
        try CheckpointWriter.write(student: student, to: directory)
        let final = try Checkpoint.load(folder: directory)
        #expect(memcmp(final.student.parameters.pointer, student.parameters.pointer, bytes) == 0)
        #expect(final.optimizerMoments == nil && final.trainerState == nil)
        #expect(Checkpoint.latestCheckpoint(in: directory)?.lastPathComponent == "checkpoint-5")
    }

    @Test func latestCheckpointIgnoresIncompleteFoldersAndKeepDeletesOldOnes() throws {
        let student = try Self.student()
        let moments = try Self.moments(student.layout.totalCount, seed: 1)
        let directory = try temporaryFolder("ckpt-keep")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fm = FileManager.default
        #expect(Checkpoint.latestCheckpoint(in: directory) == nil)

        for step in [10, 20, 30] {
            try CheckpointWriter.writeCheckpoint(student: student, optimizerMoments: moments,
                                                 trainerState: Self.state(step: step), step: step, in: directory, keep: 2)
        }
        var names = try fm.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["checkpoint-20", "checkpoint-30"])

        // What a killed run leaves: a temporary folder, and a real name without trainer_state.json.
        try fm.createDirectory(at: directory.appendingPathComponent(".checkpoint-40.tmp-999"), withIntermediateDirectories: true)
        try fm.createDirectory(at: directory.appendingPathComponent("checkpoint-50"), withIntermediateDirectories: true)
        try Data().write(to: directory.appendingPathComponent("checkpoint-50/config.json"))
        try fm.createDirectory(at: directory.appendingPathComponent("checkpoint-notanumber"), withIntermediateDirectories: true)
        #expect(Checkpoint.latestCheckpoint(in: directory)?.lastPathComponent == "checkpoint-30")
        let resumed = try Checkpoint.load(folder: try #require(Checkpoint.latestCheckpoint(in: directory)))
        #expect(resumed.trainerState == Self.state(step: 30))

        // The next checkpoint deletes checkpoint-20 and the temporary, and leaves the folder it
        // does not recognise as complete alone.
        try CheckpointWriter.writeCheckpoint(student: student, optimizerMoments: moments,
                                             trainerState: Self.state(step: 60), step: 60, in: directory, keep: 2)
        names = try fm.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["checkpoint-30", "checkpoint-50", "checkpoint-60", "checkpoint-notanumber"])
        #expect(Checkpoint.latestCheckpoint(in: directory)?.lastPathComponent == "checkpoint-60")

        // Writing a step again replaces it whole.
        try CheckpointWriter.writeCheckpoint(student: student, optimizerMoments: nil,
                                             trainerState: Self.state(step: 61), step: 60, in: directory, keep: 2)
        let again = try Checkpoint.load(folder: directory.appendingPathComponent("checkpoint-60"))
        #expect(again.trainerState == Self.state(step: 61) && again.optimizerMoments == nil)
    }

    @Test func unreadableCheckpointsAreTrainingErrors() throws {
        let directory = try temporaryFolder("ckpt-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        func expectCheckpointError(_ label: String, _ body: () throws -> Void) {
            do {
                try body()
                Issue.record("\(label): no error")
            } catch let error as TrainingError {
                guard case .checkpoint = error else { Issue.record("\(label): \(error)"); return }
            } catch {
                Issue.record("\(label): not a TrainingError: \(error)")
            }
        }
        expectCheckpointError("empty folder") { _ = try Checkpoint.load(folder: directory) }
        let student = try Self.student()
        try CheckpointWriter.write(student: student, to: directory)
        let wrongMoments = try Self.moments(10, seed: 1)
        expectCheckpointError("moments of the wrong size") {
            try CheckpointWriter.write(student: student, optimizerMoments: wrongMoments, trainerState: Data("{}".utf8), to: directory)
        }
        expectCheckpointError("a trainer state that is not a JSON object") {
            try CheckpointWriter.writeCheckpoint(student: student, optimizerMoments: nil, trainerState: Data("[1, 2]".utf8),
                                                 step: 1, in: directory)
        }
        #expect(Checkpoint.latestCheckpoint(in: directory) == nil)
        try Data("not safetensors".utf8).write(to: directory.appendingPathComponent("model.safetensors"))
        expectCheckpointError("corrupt weights") { _ = try Checkpoint.load(folder: directory) }
    }
}
