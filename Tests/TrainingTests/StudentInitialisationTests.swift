import Foundation
import Testing
import ModelLoading
import Tokenizers
import Transformer
@testable import Training

/// Students made from the real SmolLM2-135M-Instruct Q4_1 GGUF (the cached teacher).
@Suite(.serialized)
struct StudentInitialisationTests {
    static let teacherName = "smollm2-135m-instruct"
    /// Made once: dequantising 135M parameters takes a few seconds.
    static let pretrained: Result<Student, Error> = Result { try Student.pretrained(reference: teacherName) }
    static let texts = [
        "Hello world", "The year 2024 had 365 days; π ≈ 3.14159 and 1,000,000 > 999.",
        "<|im_start|>user\nWhat is 12+7?<|im_end|>\n<|im_start|>assistant\n",
        "café naïve 日本語 🙂  multiple   spaces\n\n\ttabs", "don't I'll we've 42nd",
    ]

    @Test func pretrainedGGUFSavedAsHFFolderRunsLikeTheTeacher() throws {
        let student = try Self.pretrained.get()
        let teacher = try LoadedModel.load(Self.teacherName, threads: 2)
        #expect(student.config.ropeStyle == .halves && teacher.config.ropeStyle == .adjacentPairs)
        #expect(student.config.layerCount == 30 && student.parameters.count == 134_515_008)

        // DISTILLERY_STUDENT_OUT keeps the folder for scripts/fixtures/check_hf_checkpoint.py.
        let kept = ProcessInfo.processInfo.environment["DISTILLERY_STUDENT_OUT"].map { URL(fileURLWithPath: $0) }
        let folder = try kept ?? temporaryFolder("pretrained")
        defer { if kept == nil { try? FileManager.default.removeItem(at: folder) } }
        try CheckpointWriter.write(student: student, to: folder)
        for name in ["model.safetensors", "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name)")
        }
        let saved = try LoadedModel.load(folder.path, threads: 2)
        #expect(saved.config.ropeStyle == .halves)

        let prompt = teacher.encode("<|im_start|>user\nName three colours and count to 5.<|im_end|>\n<|im_start|>assistant\n")
        let expected = try teacher.decoder.lastLogits(of: prompt)
        for (label, logits) in [("saved folder", try saved.decoder.lastLogits(of: prompt)),
                                ("in-memory student", try student.decoder(threads: 2).lastLogits(of: prompt))] {
            let difference = zip(logits, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(logits.count == expected.count && difference < 1e-3, "\(label): max |Δlogit| = \(difference)")
        }
        for text in Self.texts {
            #expect(saved.encode(text) == teacher.encode(text), "\(text)")
            #expect(saved.tokenizer.encode(text, addSpecialTokens: true, parseSpecialTokens: false)
                    == teacher.tokenizer.encode(text, addSpecialTokens: true, parseSpecialTokens: false), "\(text)")
        }
        #expect(saved.chatTemplateSource == teacher.chatTemplateSource)
        #expect(saved.tokenizer.bosID == 1 && saved.tokenizer.eosID == 2 && !saved.tokenizer.addsBOS)
    }

    /// The tokenizer.json written from the GGUF encodes like the one SmolLM2 publishes
    /// (TokenizersTests/Fixtures/smollm2, which the transformers check also reads).
    @Test func tokenizerJSONFromGGUFMatchesThePublishedFile() throws {
        let student = try Self.pretrained.get()
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TokenizersTests/Fixtures/smollm2")
        let published = try BPETokenizer(tokenizerJSON: fixtures.appendingPathComponent("tokenizer.json"),
                                         tokenizerConfig: fixtures.appendingPathComponent("tokenizer_config.json"))
        let ours = try BPETokenizer(tokenizerJSONData: try #require(student.tokenizer.files["tokenizer.json"]),
                                    tokenizerConfigData: student.tokenizer.files["tokenizer_config.json"])
        #expect(ours.vocabularySize == published.vocabularySize)
        for text in Self.texts + ["1234567890", "x=10**6-1"] {
            #expect(ours.encode(text) == published.encode(text), "\(text)")
        }
        let json = try #require(try JSONSerialization.jsonObject(with: student.tokenizer.files["tokenizer.json"] ?? Data()) as? [String: Any])
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("tokenizer.json"))) as? [String: Any])
        let model = try #require(json["model"] as? [String: Any]), referenceModel = try #require(reference["model"] as? [String: Any])
        #expect((model["vocab"] as? [String: Int]) == (referenceModel["vocab"] as? [String: Int]))
        #expect((model["merges"] as? [[String]]) == (referenceModel["merges"] as? [[String]]))
        func canonical(_ value: Any?) throws -> Data {
            try JSONSerialization.data(withJSONObject: value ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
        }
        #expect(try canonical(json["pre_tokenizer"]) == canonical(reference["pre_tokenizer"]))
        #expect(try canonical(json["decoder"]) == canonical(reference["decoder"]))
        let ids = { (tokens: Any?) in ((tokens as? [[String: Any]]) ?? []).map { "\($0["id"] ?? "")=\($0["content"] ?? "")" } }
        #expect(ids(json["added_tokens"]) == ids(reference["added_tokens"]))
    }

    @Test func prunedKeepEveryThirdLayerCopiesThoseBlocks() throws {
        let teacher = try Self.pretrained.get()
        let keep = try Student.everyKthLayer(3, layerCount: teacher.config.layerCount)
        #expect(keep == [0, 3, 6, 9, 12, 15, 18, 21, 24, 27])
        let student = try Student.pruned(teacher: Self.teacherName, keepLayers: keep)
        #expect(student.config.layerCount == 10 && student.huggingFaceConfig.numHiddenLayers == 10)
        #expect(student.layout.totalCount == ParameterLayout(config: student.config).totalCount)
        for (i, l) in keep.enumerated() {
            let ours = ParameterNames(layer: i), theirs = ParameterNames(layer: l)
            let pairs = [(ours.attentionNorm, theirs.attentionNorm), (ours.query, theirs.query), (ours.key, theirs.key),
                         (ours.value, theirs.value), (ours.attentionOutput, theirs.attentionOutput),
                         (ours.feedForwardNorm, theirs.feedForwardNorm), (ours.gate, theirs.gate), (ours.up, theirs.up),
                         (ours.down, theirs.down)]
            for (a, b) in pairs {
                let values = try #require(student.values(of: a))
                #expect(values == teacher.values(of: b), "\(a) ≠ teacher \(b)")
            }
        }
        for name in [ParameterNames.embedding, ParameterNames.outputNorm] {
            #expect(student.values(of: name) == teacher.values(of: name), "\(name)")
        }
        #expect(student.tokenizer == teacher.tokenizer)
    }

    @Test func freshInitialisationIsSeededAndShaped() throws {
        let folder = try temporaryFolder("fresh")
        defer { try? FileManager.default.removeItem(at: folder) }
        let configFile = folder.appendingPathComponent("config.json")
        try Data("""
        {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 64, "intermediate_size": 96,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 49152,
         "max_position_embeddings": 512, "rms_norm_eps": 1e-6, "rope_theta": 10000, "tie_word_embeddings": false,
         "initializer_range": 0.05}
        """.utf8).write(to: configFile)
        let a = try Student.fresh(configFile: configFile, tokenizerFrom: Self.teacherName, seed: 7)
        let b = try Student.fresh(configFile: configFile, tokenizerFrom: Self.teacherName, seed: 7)
        let c = try Student.fresh(configFile: configFile, tokenizerFrom: Self.teacherName, seed: 8)
        let bytes = a.layout.totalCount * MemoryLayout<Float>.stride
        #expect(memcmp(a.parameters.pointer, b.parameters.pointer, bytes) == 0)
        #expect(memcmp(a.parameters.pointer, c.parameters.pointer, bytes) != 0)

        #expect(a.layout.tensor(named: "model.layers.1.self_attn.q_proj.weight")?.shape == [64, 64])
        #expect(a.layout.tensor(named: "model.layers.1.self_attn.k_proj.weight")?.shape == [32, 64])
        #expect(a.layout.tensor(named: "model.layers.1.self_attn.k_proj.bias")?.shape == [32])
        #expect(a.layout.tensor(named: "model.layers.0.mlp.down_proj.weight")?.shape == [64, 96])
        #expect(a.layout.tensor(named: "lm_head.weight")?.shape == [49152, 64])
        #expect(a.values(of: "model.layers.0.input_layernorm.weight")?.allSatisfy { $0 == 1 } == true)
        #expect(a.values(of: "model.norm.weight")?.allSatisfy { $0 == 1 } == true)
        #expect(a.values(of: "model.layers.1.self_attn.q_proj.bias")?.allSatisfy { $0 == 0 } == true)
        let embedding = try #require(a.values(of: "model.embed_tokens.weight"))
        let mean = embedding.reduce(0, +) / Float(embedding.count)
        let std = (embedding.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(embedding.count)).squareRoot()
        #expect(abs(mean) < 1e-3 && abs(std - 0.05) < 1e-3, "mean \(mean), std \(std)")
        #expect(a.tokenizer.files["tokenizer.json"] != nil && a.huggingFaceConfig.eosTokenIds == [2])
        // Runs: a forward pass gives finite logits.
        let logits = try a.decoder(threads: 1).lastLogits(of: [1, 2, 3])
        #expect(logits.count == 49152 && logits.allSatisfy(\.isFinite))
    }

    @Test func badInputsAreTrainingErrors() throws {
        let folder = try temporaryFolder("bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        try expectInitialisationError("missing config.json") {
            _ = try Student.fresh(configFile: folder.appendingPathComponent("config.json"), tokenizerFrom: Self.teacherName, seed: 1)
        }
        try expectInitialisationError("no layers") { _ = try Student.pruned(teacher: Self.teacherName, keepLayers: []) }
        try expectInitialisationError("layer 30 of 30") { _ = try Student.pruned(teacher: Self.teacherName, keepLayers: [0, 30]) }
        try expectInitialisationError("negative layer") { _ = try Student.pruned(teacher: Self.teacherName, keepLayers: [-1]) }
        try expectInitialisationError("duplicate layer") { _ = try Student.pruned(teacher: Self.teacherName, keepLayers: [3, 3]) }
        try expectInitialisationError("keep-every 0") { _ = try Student.everyKthLayer(0, layerCount: 30) }
        let notAModel = folder.appendingPathComponent("notes.gguf")
        try Data("this is not a GGUF file, just text\n".utf8).write(to: notAModel)
        try expectInitialisationError("a text file") { _ = try Student.pretrained(reference: notAModel.path) }
        try expectInitialisationError("a missing model") { _ = try Student.pretrained(reference: folder.appendingPathComponent("nothing").path) }
        let tinyVocabulary = folder.appendingPathComponent("small.json")
        try Data("""
        {"model_type": "llama", "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 1,
         "num_attention_heads": 4, "vocab_size": 100}
        """.utf8).write(to: tinyVocabulary)
        try expectInitialisationError("vocab smaller than the tokenizer") {
            _ = try Student.fresh(configFile: tinyVocabulary, tokenizerFrom: Self.teacherName, seed: 1)
        }
    }

    private func expectInitialisationError(_ label: String, _ body: () throws -> Void) throws {
        do {
            try body()
            Issue.record("\(label): no error")
        } catch let error as TrainingError {
            guard case .studentInitialisation(let why) = error else { Issue.record("\(label): \(error)"); return }
            #expect(!why.isEmpty)
        } catch {
            Issue.record("\(label): not a TrainingError: \(error)")
        }
    }
}

func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
