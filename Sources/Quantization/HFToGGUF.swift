import Crypto
import Foundation
import ModelFormats
import ModelLoading
import Provenance

/// A Hugging Face folder of a llama-family decoder (`LlamaForCausalLM`, `MistralForCausalLM`,
/// `Qwen2ForCausalLM`) seen as the GGUF file llama.cpp's convert_hf_to_gguf.py would write
/// from it: GGUF tensor names, q/k rows permuted for `llama` (GGUF.md §10), hyper-parameter,
/// tokenizer and `general.*` keys (§8, §9). Tensors are read from the safetensors mapping
/// one at a time, when written; F16/BF16 are widened to F32 exactly.
enum HFToGGUF {
    static let supportedClasses = HFModelConfig.Architecture.allCases.map(\.causalLMClass)

    static func source(folder: URL) throws -> QuantizationSource {
        let config = try readConfig(folder: folder)
        let model: SafetensorsModel
        do { model = try SafetensorsModel(directory: folder) } catch {
            throw QuantizationError.unsupportedSource(path: folder.path, why: "\(error)")
        }
        let architecture = HFHyperParameterKeys.architecture(of: config)
        let tensors = try self.tensors(of: model, config: config)
        // Everything is read and checked before the first byte is written.
        var metadata = try HFGeneralKeys.keys(folder: folder, architecture: architecture)
        metadata += HFHyperParameterKeys.keys(of: config)
        metadata += try HFTokenizerKeys.keys(folder: folder, config: config)
        return QuantizationSource(displayName: folder.lastPathComponent, metadata: metadata, tensors: tensors,
                                  sha256: PendingDigest { try sha256(of: model) })
    }

    /// config.json, refused with the architecture named when it is not one we convert.
    static func readConfig(folder: URL) throws -> HFModelConfig {
        let url = folder.appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw QuantizationError.unsupportedSource(path: folder.path, why: "config.json is missing; a Hugging Face model folder needs it")
        }
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        if let name = (object?["architectures"] as? [Any])?.first as? String, !supportedClasses.contains(name) {
            throw QuantizationError.unsupportedSource(
                path: url.path,
                why: "architecture '\(name)' cannot be converted; quantize reads \(supportedClasses.joined(separator: ", ")) folders")
        }
        let config: HFModelConfig
        do { config = try HFModelConfig(json: data, file: url.path) } catch {
            throw QuantizationError.unsupportedSource(path: url.path, why: "\(error)")
        }
        if config.architecture == .qwen2, config.ropeScaling != nil {
            throw QuantizationError.unsupportedSource(path: url.path, why: "llama3 rope scaling on a qwen2 model is not converted")
        }
        return config
    }

    /// Every safetensors tensor mapped and shape-checked, in the folder's (sorted) name order
    /// as the converter writes them, Llama 3.1's `rope_freqs.weight` first (§8.4).
    static func tensors(of model: SafetensorsModel, config: HFModelConfig) throws -> [QuantizationSource.Tensor] {
        let file = model.directory.lastPathComponent
        func fail(_ why: String) -> QuantizationError { .unsupportedSource(path: model.directory.path, why: why) }
        if let missing = HFTensorNames.required(by: config).first(where: { model.info(named: $0) == nil }) {
            throw fail("tensor '\(missing)' is missing; config.json describes a model that needs it")
        }
        if config.headDim % 2 != 0 { throw fail("head_dim \(config.headDim) is odd; rotary embeddings need pairs") }
        var tensors: [QuantizationSource.Tensor] = []
        // L0 is rope_scaling.original_max_position_embeddings, as transformers and our engine
        // read it; the converter reads a top-level key (default 8192). Llama 3.1+ has 8192 in both.
        if let scaling = config.ropeScaling {
            let factors = try HFModelLoader.llama3FrequencyFactors(scaling, theta: config.ropeTheta, headDimension: config.headDim,
                                                                    file: file + "/config.json")
            tensors.append(.init(name: "rope_freqs.weight", shape: [factors.count], type: .f32, values: { factors }, storedBytes: nil))
        }
        for hfName in model.tensorNames {
            // Recomputed by every reader; older transformers saved it.
            if hfName.hasSuffix("rotary_emb.inv_freq") { continue }
            // A tied model's head is the embedding; transformers ignores a stored copy.
            if hfName == "lm_head.weight", config.tieWordEmbeddings { continue }
            guard let mapping = HFTensorNames.mapping(of: hfName, config: config), let info = model.info(named: hfName) else {
                throw fail("tensor '\(hfName)' has no place in a llama.cpp \(HFHyperParameterKeys.architecture(of: config)) model")
            }
            guard info.shape == mapping.shape else {
                throw fail("tensor '\(hfName)' has shape \(info.shape); config.json implies \(mapping.shape)")
            }
            let columns = info.shape.count == 2 ? info.shape[1] : 1
            tensors.append(.init(name: mapping.name, shape: Array(info.shape.reversed()), type: .f32, values: {
                let values = try model.tensor(named: hfName).values
                guard let heads = mapping.ropeHeads else { return values }
                return HFTensorNames.ropeRowsToAdjacentPairs(values, heads: heads, columns: columns)
            }, storedBytes: nil))
        }
        return tensors
    }

    /// SHA-256 of `model.safetensors`; for a sharded model, of the text `sha256sum` prints for
    /// the shards in file-name order (`sha256sum model-*.safetensors | sha256sum`), so one
    /// value names the whole set and can be checked with standard tools.
    static func sha256(of model: SafetensorsModel) throws -> String {
        let urls = model.shards.map(\.url).sorted { $0.lastPathComponent < $1.lastPathComponent }
        if urls.count == 1, let only = urls.first { return try FileDigest.sha256(of: only).hex }
        var listing = ""
        for url in urls { listing += try FileDigest.sha256(of: url).hex + "  " + url.lastPathComponent + "\n" }
        return SHA256.hash(data: Data(listing.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
