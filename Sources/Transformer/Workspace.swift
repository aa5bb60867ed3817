/// Activation buffers for one forward call, grown to the largest batch seen and reused, so
/// a decoding step allocates nothing.
final class Workspace {
    private(set) var capacity = 0
    private let config: ModelConfig
    var hidden, normed, query, key, value, attention, projected, gate, up, cos, sin: FloatBuffer
    var scores: FloatBuffer?
    var headInput: FloatBuffer?
    var logits: FloatBuffer?

    init(config: ModelConfig) throws {
        self.config = config
        let empty = try FloatBuffer(count: 0)
        (hidden, normed, query, key, value, attention, projected, gate, up, cos, sin) =
            (empty, empty, empty, empty, empty, empty, empty, empty, empty, empty, empty)
        try reserve(entries: 1)
    }

    func reserve(entries n: Int) throws {
        guard n > capacity else { return }
        hidden = try FloatBuffer(count: n * config.hiddenSize)
        normed = try FloatBuffer(count: n * config.hiddenSize)
        query = try FloatBuffer(count: n * config.queryDimension)
        key = try FloatBuffer(count: n * config.keyValueDimension)
        value = try FloatBuffer(count: n * config.keyValueDimension)
        attention = try FloatBuffer(count: n * config.queryDimension)
        projected = try FloatBuffer(count: n * config.hiddenSize)
        gate = try FloatBuffer(count: n * config.intermediateSize)
        up = try FloatBuffer(count: n * config.intermediateSize)
        cos = try FloatBuffer(count: n * config.headDimension / 2)
        sin = try FloatBuffer(count: n * config.headDimension / 2)
        capacity = n
    }

    /// A buffer of at least `count` floats in `slot`, reallocated only when it must grow.
    func scratch(_ slot: ReferenceWritableKeyPath<Workspace, FloatBuffer?>, count: Int) throws -> UnsafeMutablePointer<Float> {
        if let existing = self[keyPath: slot], existing.count >= count { return existing.pointer }
        let buffer = try FloatBuffer(count: count)
        self[keyPath: slot] = buffer
        return buffer.pointer
    }
}
