import Transformer

/// One trainable tensor inside the flat parameter buffer, named as Hugging Face names it
/// (`model.layers.3.self_attn.q_proj.weight`), shaped as PyTorch shapes it ([out, in]).
public struct ParameterTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    /// Where its first element sits in the flat buffer.
    public var offset: Int
    public var count: Int
    /// AdamW's weight decay applies to matrices only: not to norms or biases (as TRL and
    /// nanoGPT configure it).
    public var decays: Bool
}

/// Where every parameter of a dense decoder lives in one contiguous Float32 buffer, so that
/// parameters, gradients and both AdamW moments share a layout and the optimiser is one loop
/// (llm.c's design). Q/K rows are in Hugging Face's half-rotation order: a training model
/// always rotates halves, whatever file it came from.
public struct ParameterLayout: Sendable, Equatable {
    public let tensors: [ParameterTensor]
    public let totalCount: Int
    private let indexByName: [String: Int]

    public init(config: ModelConfig) {
        var tensors: [ParameterTensor] = []
        var offset = 0
        func add(_ name: String, _ shape: [Int], decays: Bool) {
            let count = shape.reduce(1, *)
            tensors.append(ParameterTensor(name: name, shape: shape, offset: offset, count: count, decays: decays))
            offset += count
        }
        let h = config.hiddenSize, q = config.queryDimension, kv = config.keyValueDimension, ffn = config.intermediateSize
        add(ParameterNames.embedding, [config.vocabularySize, h], decays: true)
        for l in 0..<config.layerCount {
            let names = ParameterNames(layer: l)
            add(names.attentionNorm, [h], decays: false)
            add(names.query, [q, h], decays: true)
            if config.hasAttentionBias { add(names.queryBias, [q], decays: false) }
            add(names.key, [kv, h], decays: true)
            if config.hasAttentionBias { add(names.keyBias, [kv], decays: false) }
            add(names.value, [kv, h], decays: true)
            if config.hasAttentionBias { add(names.valueBias, [kv], decays: false) }
            add(names.attentionOutput, [h, q], decays: true)
            add(names.feedForwardNorm, [h], decays: false)
            add(names.gate, [ffn, h], decays: true)
            add(names.up, [ffn, h], decays: true)
            add(names.down, [h, ffn], decays: true)
        }
        add(ParameterNames.outputNorm, [h], decays: false)
        if !config.tiedEmbeddings { add(ParameterNames.outputHead, [config.vocabularySize, h], decays: true) }
        self.tensors = tensors
        totalCount = offset
        indexByName = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($0.element.name, $0.offset) })
    }

    public func tensor(named name: String) -> ParameterTensor? {
        indexByName[name].map { tensors[$0] }
    }

    /// Offset of a tensor that the layout itself created; callers pass names from
    /// `ParameterNames`, so a miss is a programming error caught by the layout tests.
    public func offset(of name: String) -> Int {
        tensor(named: name)?.offset ?? 0
    }
}

/// Hugging Face's parameter names for the Llama family (`LlamaForCausalLM`, `Qwen2ForCausalLM`).
public struct ParameterNames: Sendable {
    public static let embedding = "model.embed_tokens.weight"
    public static let outputNorm = "model.norm.weight"
    public static let outputHead = "lm_head.weight"

    public let attentionNorm, query, queryBias, key, keyBias, value, valueBias: String
    public let attentionOutput, feedForwardNorm, gate, up, down: String

    public init(layer: Int) {
        let p = "model.layers.\(layer)."
        attentionNorm = p + "input_layernorm.weight"
        query = p + "self_attn.q_proj.weight"
        queryBias = p + "self_attn.q_proj.bias"
        key = p + "self_attn.k_proj.weight"
        keyBias = p + "self_attn.k_proj.bias"
        value = p + "self_attn.v_proj.weight"
        valueBias = p + "self_attn.v_proj.bias"
        attentionOutput = p + "self_attn.o_proj.weight"
        feedForwardNorm = p + "post_attention_layernorm.weight"
        gate = p + "mlp.gate_proj.weight"
        up = p + "mlp.up_proj.weight"
        down = p + "mlp.down_proj.weight"
    }
}
