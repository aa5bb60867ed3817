import Transformer

/// What one decoder block's forward pass keeps for its backward pass, for up to `capacity`
/// tokens. What is cheap to recompute is not kept: the normalised inputs of the projections
/// (from the block input and its reciprocal RMS), silu(gate)·up, and the attention
/// probabilities (`CausalAttentionLayer`). That halved SmolLM2's activation memory at 4 × 512.
final class LayerActivations {
    let input, query, key, value, attention, middle: FloatBuffer
    let gate, up: FloatBuffer
    let rmsAttention, rmsFeedForward: FloatBuffer

    init(config: ModelConfig, capacity n: Int) throws {
        let h = config.hiddenSize, q = config.queryDimension, kv = config.keyValueDimension, f = config.intermediateSize
        input = try FloatBuffer(count: n * h)
        query = try FloatBuffer(count: n * q)
        key = try FloatBuffer(count: n * kv)
        value = try FloatBuffer(count: n * kv)
        attention = try FloatBuffer(count: n * q)
        middle = try FloatBuffer(count: n * h)
        gate = try FloatBuffer(count: n * f)
        up = try FloatBuffer(count: n * f)
        rmsAttention = try FloatBuffer(count: n)
        rmsFeedForward = try FloatBuffer(count: n)
    }
}

/// The buffers the backward pass reuses from block to block, and the attention's scratch,
/// which both passes use; it grows to what the batch's documents need.
final class BackwardScratch {
    /// A block's normalised input and silu(gate)·up, made in the forward pass and remade in
    /// the backward pass.
    let normed, activated: FloatBuffer
    let dHidden, dNormed, dQuery, dKey, dValue, dAttention, dActivated, dGate, dUp: FloatBuffer
    private(set) var attention: FloatBuffer

    init(config: ModelConfig, capacity n: Int) throws {
        let h = config.hiddenSize, q = config.queryDimension, kv = config.keyValueDimension, f = config.intermediateSize
        normed = try FloatBuffer(count: n * h)
        activated = try FloatBuffer(count: n * f)
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
