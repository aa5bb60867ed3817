import ModelFormats

/// The `<arch>.*` hyper-parameter keys llama.cpp's converter writes from `config.json`, in
/// its order (GGUF.md §8.2, §8.3). Mistral is converted as `llama`; Qwen2 keeps its own prefix
/// with the same key suffixes.
enum HFHyperParameterKeys {
    static func architecture(of config: HFModelConfig) -> String {
        config.architecture == .qwen2 ? "qwen2" : "llama"
    }

    static func keys(of config: HFModelConfig) -> [(key: String, value: GGUFValue)] {
        let a = architecture(of: config)
        var keys: [(key: String, value: GGUFValue)] = [
            ("\(a).block_count", .uint32(UInt32(clamping: config.numHiddenLayers))),
            ("\(a).context_length", .uint32(UInt32(clamping: config.maxPositionEmbeddings))),
            ("\(a).embedding_length", .uint32(UInt32(clamping: config.hiddenSize))),
            ("\(a).feed_forward_length", .uint32(UInt32(clamping: config.intermediateSize))),
            ("\(a).attention.head_count", .uint32(UInt32(clamping: config.numAttentionHeads))),
            ("\(a).attention.head_count_kv", .uint32(UInt32(clamping: config.numKeyValueHeads))),
            ("\(a).rope.freq_base", .float32(Float(config.ropeTheta))),
            ("\(a).attention.layer_norm_rms_epsilon", .float32(Float(config.rmsNormEps))),
        ]
        // llama.cpp's default head size is n_embd / n_head; say so only when it differs
        // (e.g. Mistral NeMo's 128 with 5120 / 32).
        if config.headDim * config.numAttentionHeads != config.hiddenSize {
            keys.append(("\(a).attention.key_length", .uint32(UInt32(clamping: config.headDim))))
            keys.append(("\(a).attention.value_length", .uint32(UInt32(clamping: config.headDim))))
        }
        if config.architecture != .qwen2 {
            keys.append(("llama.vocab_size", .uint32(UInt32(clamping: config.vocabSize))))
            keys.append(("llama.rope.dimension_count", .uint32(UInt32(clamping: config.headDim))))
        }
        return keys
    }
}
