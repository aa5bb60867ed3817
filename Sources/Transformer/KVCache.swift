/// Keys and values of every layer for a fixed number of sequence slots. Slot s, position p,
/// layer l lives at `keys[l] + (s · capacity + p) · kvDim`. Slots are independent, so a
/// finished sequence's slot is reset and refilled while the others keep decoding.
public final class KVCache: @unchecked Sendable {
    public let slotCount: Int
    public let capacity: Int
    public let keyValueDimension: Int
    let keys: [FloatBuffer]
    let values: [FloatBuffer]
    public private(set) var lengths: [Int]

    /// `capacity` positions per slot, at most the model's context length (a longer request
    /// is cut to it; going past it is then a `contextOverflow` error).
    public init(config: ModelConfig, slots: Int, capacity: Int) throws {
        guard slots > 0, capacity > 0 else {
            throw TransformerError.invalidBatch("a KV cache needs at least one slot and one position (got \(slots) × \(capacity))")
        }
        self.slotCount = slots
        self.capacity = min(capacity, config.contextLength)
        self.keyValueDimension = config.keyValueDimension
        let perLayer = slots * self.capacity * config.keyValueDimension
        keys = try (0..<config.layerCount).map { _ in try FloatBuffer(count: perLayer) }
        values = try (0..<config.layerCount).map { _ in try FloatBuffer(count: perLayer) }
        lengths = Array(repeating: 0, count: slots)
    }

    /// Forgets slot `slot` so a new sequence can start there.
    public func reset(slot: Int) {
        if lengths.indices.contains(slot) { lengths[slot] = 0 }
    }

    func keyPointer(layer: Int, slot: Int, position: Int) -> UnsafeMutablePointer<Float> {
        keys[layer].pointer + (slot * capacity + position) * keyValueDimension
    }

    func valuePointer(layer: Int, slot: Int, position: Int) -> UnsafeMutablePointer<Float> {
        values[layer].pointer + (slot * capacity + position) * keyValueDimension
    }

    func setLength(_ length: Int, slot: Int) { lengths[slot] = length }
}
