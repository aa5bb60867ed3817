import Foundation

/// `config.json` field names and the decoding rules (defaults, int-or-list ids, both rope
/// spellings) for `HFModelConfig`.
extension HFModelConfig {
    enum Key: String, CodingKey {
        case architectures, modelType = "model_type", hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", numKeyValueHeads = "num_key_value_heads"
        case headDim = "head_dim", rmsNormEps = "rms_norm_eps", ropeTheta = "rope_theta"
        case ropeScaling = "rope_scaling", ropeParameters = "rope_parameters"
        case maxPositionEmbeddings = "max_position_embeddings", vocabSize = "vocab_size"
        case tieWordEmbeddings = "tie_word_embeddings", attentionBias = "attention_bias"
        case bosTokenId = "bos_token_id", eosTokenId = "eos_token_id"
        case slidingWindow = "sliding_window", useSlidingWindow = "use_sliding_window"
        case torchDtype = "torch_dtype", dtype, hiddenAct = "hidden_act"
    }

    enum RopeKey: String, CodingKey {
        case type, ropeType = "rope_type", ropeTheta = "rope_theta", factor
        case lowFreqFactor = "low_freq_factor", highFreqFactor = "high_freq_factor"
        case originalMaxPositionEmbeddings = "original_max_position_embeddings"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let supported = Architecture.allCases.map(\.rawValue).joined(separator: ", ")
        let architectures = try c.decodeIfPresent([String].self, forKey: .architectures) ?? []
        if let modelType = try c.decodeIfPresent(String.self, forKey: .modelType) {
            guard let known = Architecture(rawValue: modelType) else {
                throw HFConfigError("model_type '\(modelType)' is not supported; supported model types are \(supported)")
            }
            architecture = known
        } else if let first = architectures.first {
            guard let known = Architecture.allCases.first(where: { $0.causalLMClass == first }) else {
                throw HFConfigError("architecture '\(first)' is not supported; supported model types are \(supported)")
            }
            architecture = known
        } else {
            throw HFConfigError("neither model_type nor architectures is present; supported model types are \(supported)")
        }

        func positive(_ key: Key) throws -> Int {
            let value = try c.decode(Int.self, forKey: key)
            guard value > 0 else { throw HFConfigError("field '\(key.rawValue)' must be positive, found \(value)") }
            return value
        }
        hiddenSize = try positive(.hiddenSize)
        intermediateSize = try positive(.intermediateSize)
        numHiddenLayers = try positive(.numHiddenLayers)
        numAttentionHeads = try positive(.numAttentionHeads)
        vocabSize = try positive(.vocabSize)
        numKeyValueHeads = try c.decodeIfPresent(Int.self, forKey: .numKeyValueHeads) ?? numAttentionHeads
        guard numKeyValueHeads > 0, numAttentionHeads % numKeyValueHeads == 0 else {
            throw HFConfigError("num_key_value_heads \(numKeyValueHeads) must be positive and divide num_attention_heads \(numAttentionHeads)")
        }
        if let explicit = try c.decodeIfPresent(Int.self, forKey: .headDim) {
            guard explicit > 0 else { throw HFConfigError("field 'head_dim' must be positive, found \(explicit)") }
            headDim = explicit
        } else {
            guard hiddenSize % numAttentionHeads == 0 else {
                throw HFConfigError("hidden_size \(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads) and head_dim is absent")
            }
            headDim = hiddenSize / numAttentionHeads
        }
        rmsNormEps = try c.decodeIfPresent(Double.self, forKey: .rmsNormEps) ?? 1e-6
        let defaultContext: Int
        switch architecture {
        case .llama: defaultContext = 2048
        case .qwen2: defaultContext = 32768
        case .mistral: defaultContext = 131072
        }
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? defaultContext
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false
        attentionBias = try c.decodeIfPresent(Bool.self, forKey: .attentionBias) ?? false
        bosTokenIds = try Self.tokenIds(c, .bosTokenId)
        eosTokenIds = try Self.tokenIds(c, .eosTokenId)
        let useSlidingWindow = try c.decodeIfPresent(Bool.self, forKey: .useSlidingWindow) ?? (architecture != .qwen2)
        slidingWindow = useSlidingWindow ? try c.decodeIfPresent(Int.self, forKey: .slidingWindow) : nil
        torchDtype = try c.decodeIfPresent(String.self, forKey: .torchDtype) ?? c.decodeIfPresent(String.self, forKey: .dtype)

        // transformers 5 moves rope_theta and the scaling into rope_parameters.
        var ropeKey: Key?
        for key in [Key.ropeScaling, .ropeParameters] where ropeKey == nil && c.contains(key) {
            if try !c.decodeNil(forKey: key) { ropeKey = key }
        }
        var theta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta)
        ropeScaling = nil
        if let ropeKey {
            let rope = try c.nestedContainer(keyedBy: RopeKey.self, forKey: ropeKey)
            theta = try theta ?? rope.decodeIfPresent(Double.self, forKey: .ropeTheta)
            let type = try rope.decodeIfPresent(String.self, forKey: .ropeType) ?? rope.decodeIfPresent(String.self, forKey: .type) ?? "default"
            switch type {
            case "default":
                break
            case "llama3":
                let topLevel = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings)
                ropeScaling = RopeScaling(
                    factor: try rope.decodeIfPresent(Double.self, forKey: .factor) ?? 8,
                    lowFreqFactor: try rope.decodeIfPresent(Double.self, forKey: .lowFreqFactor) ?? 1,
                    highFreqFactor: try rope.decodeIfPresent(Double.self, forKey: .highFreqFactor) ?? 4,
                    originalMaxPositionEmbeddings: try rope.decodeIfPresent(Int.self, forKey: .originalMaxPositionEmbeddings)
                        ?? min(topLevel ?? 8192, 8192))
            default:
                throw HFConfigError("\(ropeKey.rawValue) type '\(type)' is not supported; supported: llama3 (or none)")
            }
        }
        ropeTheta = theta ?? 10000
    }

    /// `bos_token_id`/`eos_token_id`: an int, a list of ints, or null.
    private static func tokenIds(_ c: KeyedDecodingContainer<Key>, _ key: Key) throws -> [Int] {
        guard c.contains(key), !(try c.decodeNil(forKey: key)) else { return [] }
        if let single = try? c.decode(Int.self, forKey: key) { return [single] }
        if let list = try? c.decode([Int].self, forKey: key) { return list }
        throw HFConfigError("field '\(key.rawValue)' must be an integer or a list of integers")
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode([architecture.causalLMClass], forKey: .architectures)
        try c.encode(architecture.rawValue, forKey: .modelType)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(numHiddenLayers, forKey: .numHiddenLayers)
        try c.encode(numAttentionHeads, forKey: .numAttentionHeads)
        try c.encode(numKeyValueHeads, forKey: .numKeyValueHeads)
        try c.encode(headDim, forKey: .headDim)
        try c.encode(rmsNormEps, forKey: .rmsNormEps)
        try c.encode(ropeTheta, forKey: .ropeTheta)
        if let ropeScaling {
            var rope = c.nestedContainer(keyedBy: RopeKey.self, forKey: .ropeScaling)
            try rope.encode("llama3", forKey: .ropeType)
            try rope.encode(ropeScaling.factor, forKey: .factor)
            try rope.encode(ropeScaling.lowFreqFactor, forKey: .lowFreqFactor)
            try rope.encode(ropeScaling.highFreqFactor, forKey: .highFreqFactor)
            try rope.encode(ropeScaling.originalMaxPositionEmbeddings, forKey: .originalMaxPositionEmbeddings)
        } else {
            try c.encodeNil(forKey: .ropeScaling)
        }
        try c.encode(maxPositionEmbeddings, forKey: .maxPositionEmbeddings)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(tieWordEmbeddings, forKey: .tieWordEmbeddings)
        try c.encode("silu", forKey: .hiddenAct)
        if architecture == .llama { try c.encode(attentionBias, forKey: .attentionBias) }
        try Self.encodeIds(bosTokenIds, &c, .bosTokenId)
        try Self.encodeIds(eosTokenIds, &c, .eosTokenId)
        if architecture != .llama {
            try c.encode(slidingWindow != nil, forKey: .useSlidingWindow)
            if let slidingWindow { try c.encode(slidingWindow, forKey: .slidingWindow) } else { try c.encodeNil(forKey: .slidingWindow) }
        }
        if let torchDtype { try c.encode(torchDtype, forKey: .torchDtype) }
    }

    private static func encodeIds(_ ids: [Int], _ c: inout KeyedEncodingContainer<Key>, _ key: Key) throws {
        switch ids.count {
        case 0: try c.encodeNil(forKey: key)
        case 1: try c.encode(ids[0], forKey: key)
        default: try c.encode(ids, forKey: key)
        }
    }
}
