import Foundation
import ModelFormats
import Transformer

/// Builds a runnable decoder from a GGUF file. Weights in a type the matmul kernels read
/// directly stay in the memory-mapped file; other types are dequantised to Float32 once.
enum GGUFModelLoader {
    static let supportedArchitectures = ["llama", "qwen2", "mistral"]

    static func config(of file: GGUFFile) throws -> ModelConfig {
        let name = file.url.lastPathComponent
        guard let architecture = file.architecture else {
            throw ModelLoadingError.invalidMetadata(key: "general.architecture", file: name, why: "is missing")
        }
        guard supportedArchitectures.contains(architecture) else {
            throw ModelLoadingError.unsupportedArchitecture(architecture, file: name)
        }
        let p = architecture + "."
        let hidden = try file.int(p + "embedding_length")
        let heads = try file.int(p + "attention.head_count")
        guard heads > 0 else {
            throw ModelLoadingError.invalidMetadata(key: p + "attention.head_count", file: name, why: "must be positive")
        }
        let vocabulary = try file.optionalInt(p + "vocab_size")
            ?? file.tensor(named: "token_embd.weight")?.rowCount ?? 0
        var ropeFactors: [Float]?
        if let freqs = file.tensor(named: "rope_freqs.weight") { ropeFactors = try file.dequantized(freqs) }
        return ModelConfig(
            architecture: architecture,
            hiddenSize: hidden,
            intermediateSize: try file.int(p + "feed_forward_length"),
            layerCount: try file.int(p + "block_count"),
            headCount: heads,
            keyValueHeadCount: try file.optionalInt(p + "attention.head_count_kv") ?? heads,
            headDimension: try file.optionalInt(p + "attention.key_length") ?? hidden / heads,
            vocabularySize: vocabulary,
            contextLength: try file.int(p + "context_length"),
            rmsNormEpsilon: try file.float(p + "attention.layer_norm_rms_epsilon"),
            ropeTheta: try file.optionalFloat(p + "rope.freq_base") ?? 10_000,
            // llama.cpp's converter permutes llama/mistral Q and K for adjacent-pair RoPE;
            // qwen2 keeps Hugging Face's half rotation (GGUF.md §10).
            ropeStyle: architecture == "qwen2" ? .halves : .adjacentPairs,
            ropeFrequencyFactors: ropeFactors,
            hasAttentionBias: file.tensor(named: "blk.0.attn_q.bias") != nil,
            tiedEmbeddings: file.tensor(named: "output.weight") == nil)
    }

    static func weights(of file: GGUFFile, config: ModelConfig) throws -> DecoderWeights {
        let h = config.hiddenSize
        let embedding = try matrix(file, "token_embd.weight", rows: config.vocabularySize, columns: h)
        let layers = try (0..<config.layerCount).map { i -> DecoderLayerWeights in
            let b = "blk.\(i)."
            return DecoderLayerWeights(
                attentionNorm: try vector(file, b + "attn_norm.weight", count: h),
                query: try matrix(file, b + "attn_q.weight", rows: config.queryDimension, columns: h),
                key: try matrix(file, b + "attn_k.weight", rows: config.keyValueDimension, columns: h),
                value: try matrix(file, b + "attn_v.weight", rows: config.keyValueDimension, columns: h),
                attentionOutput: try matrix(file, b + "attn_output.weight", rows: h, columns: config.queryDimension),
                queryBias: try optionalVector(file, b + "attn_q.bias", count: config.queryDimension),
                keyBias: try optionalVector(file, b + "attn_k.bias", count: config.keyValueDimension),
                valueBias: try optionalVector(file, b + "attn_v.bias", count: config.keyValueDimension),
                feedForwardNorm: try vector(file, b + "ffn_norm.weight", count: h),
                gate: try matrix(file, b + "ffn_gate.weight", rows: config.intermediateSize, columns: h),
                up: try matrix(file, b + "ffn_up.weight", rows: config.intermediateSize, columns: h),
                down: try matrix(file, b + "ffn_down.weight", rows: h, columns: config.intermediateSize))
        }
        let head = file.tensor(named: "output.weight") == nil
            ? embedding
            : try matrix(file, "output.weight", rows: config.vocabularySize, columns: h)
        return DecoderWeights(tokenEmbedding: embedding, layers: layers,
                              outputNorm: try vector(file, "output_norm.weight", count: h), outputHead: head)
    }

    private static func info(_ file: GGUFFile, _ name: String, shape: [Int]) throws -> GGUFTensorInfo {
        guard let info = file.tensor(named: name) else {
            throw ModelLoadingError.missingTensor(name, file: file.url.lastPathComponent)
        }
        // ggml drops trailing dimensions of 1 and gguf-py keeps them: compare without them.
        let found = Array(info.shape.reversed().drop(while: { $0 == 1 }).reversed())
        guard found == shape else {
            throw TransformerError.weightShape(name: name, expected: shape, found: info.shape)
        }
        return info
    }

    private static func matrix(_ file: GGUFFile, _ name: String, rows: Int, columns: Int) throws -> LinearWeight {
        let tensor = try info(file, name, shape: rows == 1 ? [columns] : [columns, rows])
        if LinearWeight.readsDirectly(tensor.type, columns: columns) {
            return try LinearWeight(name: name, rows: rows, columns: columns, type: tensor.type,
                                    bytes: file.bytes(of: tensor), owner: file)
        }
        if tensor.type == .f32, let base = file.bytes(of: tensor).baseAddress {
            return try LinearWeight(name: name, rows: rows, columns: columns,
                                    floats: base.assumingMemoryBound(to: Float.self), owner: file)
        }
        return try LinearWeight(name: name, rows: rows, columns: columns, float: FloatBuffer(file.dequantized(tensor)))
    }

    private static func vector(_ file: GGUFFile, _ name: String, count: Int) throws -> [Float] {
        try file.dequantized(try info(file, name, shape: [count]))
    }

    private static func optionalVector(_ file: GGUFFile, _ name: String, count: Int) throws -> [Float]? {
        file.tensor(named: name) == nil ? nil : try vector(file, name, count: count)
    }
}
