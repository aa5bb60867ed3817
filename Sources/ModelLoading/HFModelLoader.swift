import Foundation
import ModelFormats
import Transformer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds a runnable decoder from a Hugging Face folder (`config.json` + `*.safetensors`).
/// Tensors are decoded to Float32 (F16/BF16 widened) and copied into float weights.
public enum HFModelLoader {
    /// Reads `config.json`, checks every tensor against it and builds the decoder.
    public static func decoder(directory: URL, threads: Int) throws -> DecoderModel {
        let hf = try HFModelConfig(url: directory.appendingPathComponent("config.json"))
        let config = try config(of: hf, file: directory.lastPathComponent + "/config.json")
        try config.validate()
        let weights = try weights(of: SafetensorsModel(directory: directory), config: config)
        return try DecoderModel(config: config, weights: weights, threads: threads)
    }

    /// `file` names the config in error messages.
    public static func config(of hf: HFModelConfig, file: String) throws -> ModelConfig {
        // transformers' LlamaAttention adds a bias to o_proj when attention_bias is set; the
        // engine has no output-projection bias, and dropping it would give wrong logits.
        if hf.hasOutputBias {
            throw ModelLoadingError.unsupportedArchitecture(
                "\(hf.architecture.rawValue) with an o_proj bias (attention_bias: true)", file: file)
        }
        var factors: [Float]?
        if let scaling = hf.ropeScaling {
            factors = try llama3FrequencyFactors(scaling, theta: hf.ropeTheta, headDimension: hf.headDim, file: file)
        }
        // The engine attends to the whole cache. Up to the sliding window that is exactly
        // what Mistral computes, so cap the context there rather than run past it wrongly.
        let context = min(hf.maxPositionEmbeddings, hf.slidingWindow ?? Int.max)
        return ModelConfig(
            architecture: hf.architecture.rawValue,
            hiddenSize: hf.hiddenSize,
            intermediateSize: hf.intermediateSize,
            layerCount: hf.numHiddenLayers,
            headCount: hf.numAttentionHeads,
            keyValueHeadCount: hf.numKeyValueHeads,
            headDimension: hf.headDim,
            vocabularySize: hf.vocabSize,
            contextLength: context,
            rmsNormEpsilon: Float(hf.rmsNormEps),
            ropeTheta: Float(hf.ropeTheta),
            // Hugging Face checkpoints keep q/k rows in the order that rotates halves
            // (`rotate_half`); only llama.cpp's converter permutes them (GGUF.md §10).
            ropeStyle: .halves,
            ropeFrequencyFactors: factors,
            hasAttentionBias: hf.hasQKVBias,
            tiedEmbeddings: hf.tieWordEmbeddings)
    }

    /// Llama 3.1 rope scaling as per-frequency divisors (GGUF.md §8.4), in Float32 like
    /// the converter and transformers. L0 is `rope_scaling.original_max_position_embeddings`,
    /// which is what transformers reads (`_compute_llama3_parameters`).
    public static func llama3FrequencyFactors(_ scaling: HFModelConfig.RopeScaling, theta: Double, headDimension: Int,
                                       file: String) throws -> [Float] {
        let factor = Float(scaling.factor), low = Float(scaling.lowFreqFactor), high = Float(scaling.highFreqFactor)
        let l0 = Float(scaling.originalMaxPositionEmbeddings)
        // Each would divide by zero or flip the rule's branches and give NaN frequencies.
        guard factor > 0, low > 0, high > low, l0 > 0 else {
            throw ModelLoadingError.invalidMetadata(
                key: "rope_scaling", file: file,
                why: "needs factor > 0, 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0 (found factor \(scaling.factor), low \(scaling.lowFreqFactor), high \(scaling.highFreqFactor), original \(scaling.originalMaxPositionEmbeddings))")
        }
        let lowFrequencyWavelength = l0 / low, highFrequencyWavelength = l0 / high
        let base = Float(theta), dimension = Float(headDimension)
        return (0..<headDimension / 2).map { i -> Float in
            let frequency = 1 / powf(base, Float(2 * i) / dimension)
            let wavelength = 2 * Float.pi / frequency
            if wavelength < highFrequencyWavelength { return 1 }
            if wavelength > lowFrequencyWavelength { return factor }
            let smooth = (l0 / wavelength - low) / (high - low)
            return 1 / ((1 - smooth) / factor + smooth)
        }
    }

    public static func weights(of model: SafetensorsModel, config: ModelConfig) throws -> DecoderWeights {
        var reader = TensorReader(model: model)
        let h = config.hiddenSize, q = config.queryDimension, kv = config.keyValueDimension
        let ffn = config.intermediateSize
        let embedding = try reader.matrix("model.embed_tokens.weight", rows: config.vocabularySize, columns: h)
        let layers = try (0..<config.layerCount).map { i -> DecoderLayerWeights in
            let p = "model.layers.\(i)."
            let bias = config.hasAttentionBias
            return DecoderLayerWeights(
                attentionNorm: try reader.vector(p + "input_layernorm.weight", count: h),
                query: try reader.matrix(p + "self_attn.q_proj.weight", rows: q, columns: h),
                key: try reader.matrix(p + "self_attn.k_proj.weight", rows: kv, columns: h),
                value: try reader.matrix(p + "self_attn.v_proj.weight", rows: kv, columns: h),
                attentionOutput: try reader.matrix(p + "self_attn.o_proj.weight", rows: h, columns: q),
                queryBias: bias ? try reader.vector(p + "self_attn.q_proj.bias", count: q) : nil,
                keyBias: bias ? try reader.vector(p + "self_attn.k_proj.bias", count: kv) : nil,
                valueBias: bias ? try reader.vector(p + "self_attn.v_proj.bias", count: kv) : nil,
                feedForwardNorm: try reader.vector(p + "post_attention_layernorm.weight", count: h),
                gate: try reader.matrix(p + "mlp.gate_proj.weight", rows: ffn, columns: h),
                up: try reader.matrix(p + "mlp.up_proj.weight", rows: ffn, columns: h),
                down: try reader.matrix(p + "mlp.down_proj.weight", rows: h, columns: ffn))
        }
        let outputNorm = try reader.vector("model.norm.weight", count: h)
        // A tied checkpoint may still carry lm_head.weight (a copy of the embedding), which
        // transformers ignores; so do we.
        let head: LinearWeight
        if config.tiedEmbeddings || model.info(named: "lm_head.weight") == nil {
            reader.consumed.insert("lm_head.weight")
            head = embedding
        } else {
            head = try reader.matrix("lm_head.weight", rows: config.vocabularySize, columns: h)
        }
        try reader.checkAllConsumed()
        return DecoderWeights(tokenEmbedding: embedding, layers: layers, outputNorm: outputNorm, outputHead: head)
    }

    /// Reads tensors by name with their shapes checked, and remembers which it read so a
    /// tensor the engine would ignore (an o_proj or MLP bias) is an error, not a silent drop.
    private struct TensorReader {
        let model: SafetensorsModel
        var consumed: Set<String> = []
        var file: String { model.directory.lastPathComponent }

        mutating func values(_ name: String, shape: [Int]) throws -> [Float] {
            guard let info = model.info(named: name) else { throw ModelLoadingError.missingTensor(name, file: file) }
            guard info.shape == shape else {
                throw TransformerError.weightShape(name: name, expected: shape, found: info.shape)
            }
            consumed.insert(name)
            return try model.tensor(named: name).values
        }

        /// Hugging Face linear weights are [out_features, in_features], the engine's order.
        mutating func matrix(_ name: String, rows: Int, columns: Int) throws -> LinearWeight {
            let values = try values(name, shape: [rows, columns])
            return try LinearWeight(name: name, rows: rows, columns: columns, float: FloatBuffer(values))
        }

        mutating func vector(_ name: String, count: Int) throws -> [Float] {
            try values(name, shape: [count])
        }

        func checkAllConsumed() throws {
            // Checkpoints from older transformers store the RoPE table; it is recomputed.
            let extra = model.tensorNames.filter { !consumed.contains($0) && !$0.hasSuffix("rotary_emb.inv_freq") }
            guard let first = extra.first else { return }
            let more = extra.count > 1 ? " and \(extra.count - 1) more" : ""
            throw ModelLoadingError.unsupportedArchitecture(
                "a decoder with tensor '\(first)'\(more), which the engine has no place for", file: file)
        }
    }
}
