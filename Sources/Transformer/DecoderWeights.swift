/// The weights of one decoder block, in Hugging Face's terms (`input_layernorm`, `q_proj`,
/// …). Matrices are [out_features × in_features].
public struct DecoderLayerWeights: Sendable {
    public var attentionNorm: [Float]
    public var query: LinearWeight
    public var key: LinearWeight
    public var value: LinearWeight
    public var attentionOutput: LinearWeight
    public var queryBias: [Float]?
    public var keyBias: [Float]?
    public var valueBias: [Float]?
    public var feedForwardNorm: [Float]
    public var gate: LinearWeight
    public var up: LinearWeight
    public var down: LinearWeight

    public init(attentionNorm: [Float], query: LinearWeight, key: LinearWeight, value: LinearWeight,
                attentionOutput: LinearWeight, queryBias: [Float]? = nil, keyBias: [Float]? = nil,
                valueBias: [Float]? = nil, feedForwardNorm: [Float], gate: LinearWeight, up: LinearWeight,
                down: LinearWeight) {
        self.attentionNorm = attentionNorm
        self.query = query
        self.key = key
        self.value = value
        self.attentionOutput = attentionOutput
        self.queryBias = queryBias
        self.keyBias = keyBias
        self.valueBias = valueBias
        self.feedForwardNorm = feedForwardNorm
        self.gate = gate
        self.up = up
        self.down = down
    }
}

public struct DecoderWeights: Sendable {
    public var tokenEmbedding: LinearWeight
    public var layers: [DecoderLayerWeights]
    public var outputNorm: [Float]
    /// The LM head; the token embedding itself when the model ties them.
    public var outputHead: LinearWeight

    public init(tokenEmbedding: LinearWeight, layers: [DecoderLayerWeights], outputNorm: [Float], outputHead: LinearWeight) {
        self.tokenEmbedding = tokenEmbedding
        self.layers = layers
        self.outputNorm = outputNorm
        self.outputHead = outputHead
    }

    /// Every shape must agree with the config before a kernel touches the data.
    public func validate(against config: ModelConfig) throws {
        func check(_ w: LinearWeight, _ rows: Int, _ columns: Int) throws {
            guard w.rows == rows, w.columns == columns else {
                throw TransformerError.weightShape(name: w.name, expected: [rows, columns], found: [w.rows, w.columns])
            }
        }
        func check(_ v: [Float]?, _ count: Int, _ name: String) throws {
            if let v, v.count != count { throw TransformerError.weightShape(name: name, expected: [count], found: [v.count]) }
        }
        let h = config.hiddenSize
        try check(tokenEmbedding, config.vocabularySize, h)
        try check(outputHead, config.vocabularySize, h)
        try check(outputNorm, h, "output_norm")
        guard layers.count == config.layerCount else {
            throw TransformerError.invalidConfig("the file has \(layers.count) blocks, its metadata says \(config.layerCount)")
        }
        for (i, layer) in layers.enumerated() {
            try check(layer.attentionNorm, h, "blk.\(i).attn_norm")
            try check(layer.feedForwardNorm, h, "blk.\(i).ffn_norm")
            try check(layer.query, config.queryDimension, h)
            try check(layer.key, config.keyValueDimension, h)
            try check(layer.value, config.keyValueDimension, h)
            try check(layer.attentionOutput, h, config.queryDimension)
            try check(layer.queryBias, config.queryDimension, "blk.\(i).attn_q.bias")
            try check(layer.keyBias, config.keyValueDimension, "blk.\(i).attn_k.bias")
            try check(layer.valueBias, config.keyValueDimension, "blk.\(i).attn_v.bias")
            try check(layer.gate, config.intermediateSize, h)
            try check(layer.up, config.intermediateSize, h)
            try check(layer.down, h, config.intermediateSize)
        }
    }
}
