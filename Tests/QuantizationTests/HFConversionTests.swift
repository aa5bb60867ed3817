import Foundation
import Testing
import ModelFormats
import ModelLoading
@testable import Quantization

/// `quantize` of a Hugging Face folder on the tiny llama3 / qwen2 / mistral models that
/// transformers made (TransformerTests/Fixtures): our engine must compute the same logits from
/// the folder and from the GGUF made of it, which checks the q/k permutation (llama, mistral),
/// its absence (qwen2) and the rope_freqs tensor (llama3 scaling). Errors leave nothing behind.
struct HFConversionTests {
    static let prompt: [Int32] = [1, 5, 9, 20, 33, 7, 64, 100]

    static func convert(_ folder: URL, _ type: String = "F32") throws -> (URL, QuantizeSummary) {
        let output = folder.deletingLastPathComponent().appendingPathComponent(folder.lastPathComponent + "-\(type).gguf")
        return (output, try Quantizer.quantize(model: folder.path, type: type, output: output))
    }

    @Test(arguments: ["tiny-llama3", "tiny-qwen2", "tiny-mistral"])
    func convertedFileRunsAsTheFolderDoes(_ name: String) throws {
        let folder = try HFFolderSupport.tinyFolder(name)
        let (output, summary) = try Self.convert(folder)
        defer { try? FileManager.default.removeItem(at: folder); try? FileManager.default.removeItem(at: output) }
        #expect(summary.sourceSHA256 == (try sha256(folder.appendingPathComponent("model.safetensors"))))
        #expect(summary.warnings.isEmpty && !summary.requantized)
        let fromFolder = try LoadedModel.load(folder.path, threads: 1)
        let fromFile = try LoadedModel.load(output.path, threads: 1)
        let a = try fromFolder.decoder.lastLogits(of: Self.prompt), b = try fromFile.decoder.lastLogits(of: Self.prompt)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        #expect(a.count == 128 && worst < 1e-4, "\(name): largest logit difference \(worst)")
        #expect(fromFile.tokenizer.encode("ab12<tool>", addSpecialTokens: false, parseSpecialTokens: true)
                == fromFolder.tokenizer.encode("ab12<tool>", addSpecialTokens: false, parseSpecialTokens: true))

        let file = try GGUFFile(url: output)
        let arch = name == "tiny-qwen2" ? "qwen2" : "llama"
        #expect(file.metadata["general.architecture"] == .string(arch))
        #expect(file.metadata["\(arch).attention.head_count_kv"] == .uint32(2))
        #expect(file.metadata["\(arch).attention.key_length"] == nil, "head_dim 16 = 64 / 4 is llama.cpp's default")
        #expect(file.metadata["llama.rope.dimension_count"] == (arch == "llama" ? .uint32(16) : nil))
        #expect((file.tensor(named: "rope_freqs.weight") != nil) == (name == "tiny-llama3"))
        #expect((file.tensor(named: "output.weight") != nil) == (name != "tiny-qwen2"), "qwen2 fixture is tied")
        #expect((file.tensor(named: "blk.1.attn_k.bias") != nil) == (name == "tiny-qwen2"))
    }

    /// The rows of q and k, per head, go from HF's halves to llama.cpp's adjacent pairs
    /// (GGUF.md §10: within a head, HF rows 0, hd/2, 1, hd/2+1, …); v is untouched.
    @Test func qAndKRowsArePermutedForLlamaOnly() throws {
        for name in ["tiny-llama3", "tiny-qwen2"] {
            let folder = try HFFolderSupport.tinyFolder(name)
            let (output, _) = try Self.convert(folder)
            defer { try? FileManager.default.removeItem(at: folder); try? FileManager.default.removeItem(at: output) }
            let hf = try SafetensorsModel(directory: folder), file = try GGUFFile(url: output)
            for (hfName, ggufName, heads) in [("self_attn.q_proj.weight", "attn_q.weight", 4), ("self_attn.k_proj.weight", "attn_k.weight", 2),
                                              ("self_attn.v_proj.weight", "attn_v.weight", 2)] {
                let source = try hf.tensor(named: "model.layers.1." + hfName).values
                let info = try #require(file.tensor(named: "blk.1." + ggufName))
                #expect(info.shape == [64, heads * 16])
                let converted = try file.dequantized(info)
                let permuted = name == "tiny-llama3" && ggufName != "attn_v.weight"
                var expected = source
                if permuted {
                    for head in 0..<heads {
                        let hfRows = (0..<8).flatMap { [head * 16 + $0, head * 16 + 8 + $0] }
                        for (offset, row) in hfRows.enumerated() {
                            let target = (head * 16 + offset) * 64
                            expected.replaceSubrange(target..<target + 64, with: source[row * 64 ..< row * 64 + 64])
                        }
                    }
                }
                #expect(converted == expected, "\(name) \(ggufName)")
            }
        }
    }

    /// BF16 and F16 weights are widened to F32 exactly.
    @Test(arguments: [SafetensorsDType.bf16, .f16])
    func halfPrecisionSourcesWidenExactly(_ dtype: SafetensorsDType) throws {
        let folder = try HFFolderSupport.tinyFolder("tiny-mistral", dtype: dtype)
        let (output, summary) = try Self.convert(folder)
        defer { try? FileManager.default.removeItem(at: folder); try? FileManager.default.removeItem(at: output) }
        #expect(summary.tensorTypes == ["F32": 2 * 9 + 3])
        let hf = try SafetensorsModel(directory: folder), file = try GGUFFile(url: output)
        for (hfName, ggufName) in [("model.embed_tokens.weight", "token_embd.weight"), ("model.layers.0.mlp.down_proj.weight", "blk.0.ffn_down.weight")] {
            let info = try #require(file.tensor(named: ggufName))
            #expect(try file.dequantized(info) == hf.tensor(named: hfName).values)
        }
    }

    @Test func tokenizerAndGeneralKeysFollowTheConverter() throws {
        let folder = try HFFolderSupport.tinyFolder("tiny-qwen2")
        try Data("---\nlicense: apache-2.0\nlanguage: [en, fr]\nbase_model: Org/Base-1B\ntags:\n- chat\n---\n# Card\n".utf8)
            .write(to: folder.appendingPathComponent("README.md"))
        let (output, _) = try Self.convert(folder)
        defer { try? FileManager.default.removeItem(at: folder); try? FileManager.default.removeItem(at: output) }
        let file = try GGUFFile(url: output)
        #expect(file.metadataKeys.prefix(3) == ["general.architecture", "general.type", "general.name"])
        #expect(file.metadata["general.license"] == .string("apache-2.0"))
        #expect(file.metadata["general.languages"] == .array(elementType: .string, values: [.string("en"), .string("fr")]))
        #expect(file.metadata["general.base_model.count"] == .uint32(1))
        #expect(file.metadata["general.base_model.0.name"] == .string("Base-1B"))
        #expect(file.metadata["general.base_model.0.organization"] == .string("Org"))
        #expect(file.metadata["general.base_model.0.repo_url"] == .string("https://huggingface.co/Org/Base-1B"))
        #expect(file.metadata["general.tags"] == .array(elementType: .string, values: [.string("chat")]))
        #expect(file.metadata["tokenizer.ggml.model"] == .string("gpt2"))
        #expect(file.metadata["tokenizer.ggml.pre"] == .string("smollm"))
        let types = try file.intArray("tokenizer.ggml.token_type")
        #expect(types.count == 128 && Array(types.prefix(5)) == [3, 3, 3, 4, 1], "special → CONTROL, plain added → USER_DEFINED")
        #expect(try file.stringArray("tokenizer.ggml.merges") == ["a b", "b c"])
        #expect(file.metadata["tokenizer.ggml.bos_token_id"] == .uint32(1))
        #expect(file.metadata["tokenizer.ggml.eos_token_id"] == .uint32(2))
        #expect(file.metadata["tokenizer.ggml.add_bos_token"] == .bool(false))
        #expect(file.metadata["tokenizer.ggml.add_eos_token"] == .bool(false))
        #expect(file.metadata["tokenizer.chat_template"] == .string("{{ messages }}"))
        #expect(file.metadata["general.file_type"] == .uint32(0))
        #expect(file.metadataKeys.suffix(2) == ["general.quantization_version", "general.file_type"])
    }

    /// Shards are hashed as `sha256sum model-*.safetensors | sha256sum` prints it.
    @Test func shardedFolderHashNamesEveryShard() throws {
        let folder = try HFFolderSupport.tinyFolder("tiny-qwen2")
        defer { try? FileManager.default.removeItem(at: folder) }
        let single = folder.appendingPathComponent("model.safetensors")
        let model = try SafetensorsModel(directory: folder)
        let names = model.tensorNames
        let half = names.count / 2
        var map: [String: String] = [:]
        for (index, part) in [Array(names[..<half]), Array(names[half...])].enumerated() {
            let shard = "model-0000\(index + 1)-of-00002.safetensors"
            try SafetensorsWriter.write(tensors: try part.map { ($0, try model.tensor(named: $0).shape, try model.tensor(named: $0).values) },
                                        dtype: .f32, to: folder.appendingPathComponent(shard))
            for name in part { map[name] = shard }
        }
        try FileManager.default.removeItem(at: single)
        try JSONSerialization.data(withJSONObject: ["metadata": [:], "weight_map": map])
            .write(to: folder.appendingPathComponent("model.safetensors.index.json"))
        let listing = try (1...2).map { "\(try sha256(folder.appendingPathComponent("model-0000\($0)-of-00002.safetensors")))  model-0000\($0)-of-00002.safetensors\n" }.joined()
        let (output, summary) = try Self.convert(folder)
        defer { try? FileManager.default.removeItem(at: output) }
        #expect(summary.sourceSHA256 == Data(listing.utf8).withUnsafeBytes { digest($0) })
    }

    // MARK: - Refusals: a clear error, nothing written

    static func refusal(_ folder: URL) -> (error: any Error, written: [String])? {
        let output = folder.appendingPathComponent("out.gguf")
        do {
            _ = try Quantizer.quantize(model: folder.path, type: "Q8_0", output: output)
            return nil
        } catch {
            return (error, (try? HFFolderSupport.entries(folder)) ?? [])
        }
    }

    @Test func unsupportedArchitectureIsNamed() throws {
        let folder = try HFFolderSupport.tinyFolder("tiny-llama3")
        defer { try? FileManager.default.removeItem(at: folder) }
        try HFFolderSupport.editConfig(folder) { $0["architectures"] = ["GPT2LMHeadModel"]; $0["model_type"] = "gpt2" }
        let refusal = try #require(Self.refusal(folder))
        #expect("\(refusal.error)".contains("architecture 'GPT2LMHeadModel' cannot be converted"), "\(refusal.error)")
        #expect("\(refusal.error)".contains("LlamaForCausalLM, Qwen2ForCausalLM, MistralForCausalLM"))
        #expect(refusal.written == ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"])
    }

    @Test func missingTokenizerIsNamed() throws {
        let folder = try HFFolderSupport.tinyFolder("tiny-llama3")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("tokenizer.json"))
        let refusal = try #require(Self.refusal(folder))
        #expect("\(refusal.error)".contains("tokenizer.json is missing"), "\(refusal.error)")
        #expect(refusal.written == ["config.json", "model.safetensors", "tokenizer_config.json"])
    }

    @Test func missingConfigIsNamed() throws {
        let folder = try HFFolderSupport.tinyFolder("tiny-llama3")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("config.json"))
        // Without config.json the folder is not recognised as a model at all...
        let refusal = try #require(Self.refusal(folder))
        #expect("\(refusal.error)".contains("config.json"), "\(refusal.error)")
        #expect(refusal.written == ["model.safetensors", "tokenizer.json", "tokenizer_config.json"])
        // ...and the converter itself says what is missing.
        #expect(throws: QuantizationError.self) { try HFToGGUF.source(folder: folder) }
        do { _ = try HFToGGUF.source(folder: folder) } catch { #expect("\(error)".contains("config.json is missing")) }
    }

    @Test func strayTensorAndWrongShapeAreNamed() throws {
        let folder = try HFFolderSupport.tinyFolder("tiny-mistral")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try SafetensorsModel(directory: folder)
        var tensors = try model.tensorNames.map { ($0, try model.tensor(named: $0).shape, try model.tensor(named: $0).values) }
        tensors.append(("model.layers.0.mlp.up_proj.bias", [80], [Float](repeating: 0, count: 80)))
        try SafetensorsWriter.write(tensors: tensors, dtype: .f32, to: folder.appendingPathComponent("model.safetensors"))
        let stray = try #require(Self.refusal(folder))
        #expect("\(stray.error)".contains("'model.layers.0.mlp.up_proj.bias' has no place"), "\(stray.error)")
        try HFFolderSupport.editConfig(folder) { $0["intermediate_size"] = 96 }
        let shape = try #require(Self.refusal(folder))
        #expect("\(shape.error)".contains("config.json implies"), "\(shape.error)")
        #expect(!shape.written.contains { $0.hasSuffix(".gguf") || $0.hasSuffix(".tmp") })
    }

    @Test func outputOverTheWeightsIsRefused() throws {
        let folder = try HFFolderSupport.tinyFolder("tiny-qwen2")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: QuantizationError.self) {
            try Quantizer.quantize(model: folder.path, type: "F32", output: folder.appendingPathComponent("model.safetensors"))
        }
    }
}

extension HFConversionTests {
    /// A SentencePiece-style BPE (byte fallback) is not byte-level: refused, naming the file.
    @Test func sentencePieceTokenizerIsRefused() throws {
        let folder = try HFFolderSupport.tinyFolder("tiny-llama3")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("tokenizer.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var model = try #require(json["model"] as? [String: Any])
        model["byte_fallback"] = true
        json["model"] = model
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        let refusal = try #require(Self.refusal(folder))
        #expect("\(refusal.error)".contains("tokenizer.json") && "\(refusal.error)".contains("byte_fallback"), "\(refusal.error)")
        #expect(!refusal.written.contains { $0.hasSuffix(".gguf") || $0.hasSuffix(".tmp") })
    }
}
