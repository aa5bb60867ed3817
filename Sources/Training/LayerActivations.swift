import Transformer

/// What one decoder block's forward pass keeps for its backward pass, for up to `capacity`
/// tokens. The attention probabilities grow to what the batch's documents need.
final class LayerActivations {
    let input, normedAttention, query, key, value, attention, middle, normedFeedForward: FloatBuffer
    let gate, up, activated: FloatBuffer
    let rmsAttention, rmsFeedForward: FloatBuffer
    private(set) var probabilities: FloatBuffer

    init(config: ModelConfig, capacity n: Int) throws {
        let h = config.hiddenSize, q = config.queryDimension, kv = config.keyValueDimension, f = config.intermediateSize
        input = try FloatBuffer(count: n * h)
        normedAttention = try FloatBuffer(count: n * h)
        query = try FloatBuffer(count: n * q)
        key = try FloatBuffer(count: n * kv)
        value = try FloatBuffer(count: n * kv)
        attention = try FloatBuffer(count: n * q)
        middle = try FloatBuffer(count: n * h)
        normedFeedForward = try FloatBuffer(count: n * h)
        gate = try FloatBuffer(count: n * f)
        up = try FloatBuffer(count: n * f)
        activated = try FloatBuffer(count: n * f)
        rmsAttention = try FloatBuffer(count: n)
        rmsFeedForward = try FloatBuffer(count: n)
        probabilities = try FloatBuffer(count: 0)
    }

    func reserveProbabilities(_ count: Int) throws {
        if probabilities.count < count { probabilities = try FloatBuffer(count: count) }
    }
}

/// The buffers the backward pass reuses from block to block.
final class BackwardScratch {
    let dHidden, dNormed, dQuery, dKey, dValue, dAttention, dActivated, dGate, dUp: FloatBuffer
    private(set) var attention: FloatBuffer

    init(config: ModelConfig, capacity n: Int) throws {
        let h = config.hiddenSize, q = config.queryDimension, kv = config.keyValueDimension, f = config.intermediateSize
        dHidden = try FloatBuffer(count: n * h)
        dNormed = try FloatBuffer(count: n * h)
        dQuery = try FloatBuffer(count: n * q)
        dKey = try FloatBuffer(count: n * kv)
        dValue = try FloatBuffer(count: n * kv)
        dAttention = try FloatBuffer(count: n * q)
        dActivated = try FloatBuffer(count: n * f)
        dGate = try FloatBuffer(count: n * f)
        dUp = try FloatBuffer(count: n * f)
        attention = try FloatBuffer(count: 0)
    }

    func reserveAttention(_ count: Int) throws {
        if attention.count < count { attention = try FloatBuffer(count: count) }
    }
}
