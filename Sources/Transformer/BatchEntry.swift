/// One token to run: which sequence slot of the KV cache it belongs to and at which
/// position. A prompt is many entries of one slot; a decoding step is one entry per slot;
/// continuous batching mixes both in one call.
public struct BatchEntry: Sendable, Equatable {
    public var token: Int32
    public var slot: Int
    public var position: Int
    /// Whether the caller wants this entry's next-token logits (usually only a prompt's last).
    public var wantsLogits: Bool

    public init(token: Int32, slot: Int, position: Int, wantsLogits: Bool) {
        self.token = token
        self.slot = slot
        self.position = position
        self.wantsLogits = wantsLogits
    }
}

/// Consecutive entries of one slot at consecutive positions: the unit attention works on.
struct SequenceRun {
    var slot: Int
    var firstEntry: Int
    var count: Int
    var firstPosition: Int
    var length: Int { firstPosition + count }
}

extension Array where Element == BatchEntry {
    /// Groups the batch into runs and checks that it extends the cache without gaps, so
    /// a caller's bookkeeping mistake is an error rather than silently wrong attention.
    func sequenceRuns(cache: KVCache, vocabularySize: Int) throws -> [SequenceRun] {
        var runs: [SequenceRun] = []
        var seen = Set<Int>()
        for (index, entry) in enumerated() {
            guard entry.token >= 0, Int(entry.token) < vocabularySize else {
                throw TransformerError.tokenOutOfRange(token: entry.token, vocabularySize: vocabularySize)
            }
            guard entry.slot >= 0, entry.slot < cache.slotCount else {
                throw TransformerError.invalidBatch("slot \(entry.slot) is outside the cache's \(cache.slotCount) slots")
            }
            guard entry.position < cache.capacity else {
                throw TransformerError.contextOverflow(slot: entry.slot, needed: entry.position + 1, capacity: cache.capacity)
            }
            if var last = runs.last, last.slot == entry.slot {
                guard entry.position == last.firstPosition + last.count else {
                    throw TransformerError.invalidBatch("slot \(entry.slot): position \(entry.position) does not follow \(last.firstPosition + last.count - 1)")
                }
                last.count += 1
                runs[runs.count - 1] = last
                continue
            }
            guard !seen.contains(entry.slot) else {
                throw TransformerError.invalidBatch("entries of slot \(entry.slot) must be consecutive in the batch")
            }
            guard entry.position == cache.lengths[entry.slot] else {
                throw TransformerError.invalidBatch("slot \(entry.slot) holds \(cache.lengths[entry.slot]) positions; the next entry must be at that position, not \(entry.position)")
            }
            seen.insert(entry.slot)
            runs.append(SequenceRun(slot: entry.slot, firstEntry: index, count: 1, firstPosition: entry.position))
        }
        return runs
    }
}
