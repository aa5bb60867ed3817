/// The merge list as a table keyed by the pair of token ids, and the merge loop (TOKENIZERS.md §3 step 4).
///
/// Repeatedly merge the adjacent pair with the lowest rank, leftmost among equal ranks. A
/// min-heap of candidate pairs with lazy deletion makes a word of n bytes cost O(n log n),
/// so a 100 kB run of spaces or digits (one word under the GPT2 rules) stays fast.
struct BPEMerges: Sendable {
    struct Merge: Sendable {
        var rank: Int32
        var merged: Int32
    }

    private let table: [UInt64: Merge]

    init(table: [UInt64: Merge]) { self.table = table }

    @inline(__always)
    static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> Merge? {
        guard left >= 0, right >= 0 else { return nil }
        return table[Self.key(left, right)]
    }

    private struct Candidate {
        var rank: Int32
        var position: Int32
        var left: Int32
        var right: Int32

        @inline(__always)
        static func < (a: Candidate, b: Candidate) -> Bool {
            a.rank != b.rank ? a.rank < b.rank : a.position < b.position
        }
    }

    /// Merges `symbols` (one token id per byte; -1 for a byte without a token) in place and
    /// returns the final ids in order.
    func apply(_ symbols: [Int32]) -> [Int32] {
        let n = symbols.count
        if n < 2 { return symbols }
        if n == 2 {
            if let m = lookup(symbols[0], symbols[1]) { return [m.merged] }
            return symbols
        }
        var ids = symbols
        var next = [Int32](unsafeUninitializedCapacity: n) { buf, count in
            for i in 0..<n { buf[i] = Int32(i + 1) }
            count = n
        }
        var prev = [Int32](unsafeUninitializedCapacity: n) { buf, count in
            for i in 0..<n { buf[i] = Int32(i - 1) }
            count = n
        }
        var heap: [Candidate] = []
        heap.reserveCapacity(n)
        for i in 0..<(n - 1) {
            if let m = lookup(ids[i], ids[i + 1]) {
                push(&heap, Candidate(rank: m.rank, position: Int32(i), left: ids[i], right: ids[i + 1]))
            }
        }
        while let top = pop(&heap) {
            let i = Int(top.position)
            // Stale entry: either side was merged away since it was pushed. A consumed symbol
            // has id -2; a changed symbol has a different id.
            guard ids[i] == top.left else { continue }
            let j = Int(next[i])
            guard j < n, ids[j] == top.right, let m = lookup(top.left, top.right) else { continue }
            ids[i] = m.merged
            ids[j] = -2
            let k = Int(next[j])
            next[i] = Int32(k)
            if k < n { prev[k] = Int32(i) }
            let h = Int(prev[i])
            if h >= 0, let mm = lookup(ids[h], ids[i]) {
                push(&heap, Candidate(rank: mm.rank, position: Int32(h), left: ids[h], right: ids[i]))
            }
            if k < n, let mm = lookup(ids[i], ids[k]) {
                push(&heap, Candidate(rank: mm.rank, position: Int32(i), left: ids[i], right: ids[k]))
            }
        }
        var out: [Int32] = []
        var i = 0
        while i < n {
            out.append(ids[i])
            i = Int(next[i])
        }
        return out
    }

    private func push(_ heap: inout [Candidate], _ c: Candidate) {
        heap.append(c)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i] < heap[parent] else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private func pop(_ heap: inout [Candidate]) -> Candidate? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return first }
        heap[0] = last
        var i = 0
        let n = heap.count
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < n && heap[l] < heap[m] { m = l }
            if r < n && heap[r] < heap[m] { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return first
    }
}
