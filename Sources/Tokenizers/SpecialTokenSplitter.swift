/// Finds special and added tokens in raw text before any pre-tokenization (TOKENIZERS.md §5).
///
/// Matching is leftmost-longest over Unicode scalars, as Hugging Face's added vocabulary does
/// (§5.2). llama.cpp's `tokenizer_st_partition` instead tries longer tokens first anywhere in
/// the text (§5.1); the two differ only when one token's text overlaps another's inside the
/// same string, which no vocabulary in §8 has.
struct SpecialTokenSplitter: Sendable {
    struct Entry: Sendable {
        var id: Int32
        var text: String
        /// CONTROL/UNKNOWN: matched only with `parseSpecialTokens`; USER_DEFINED: always.
        var isSpecial: Bool
        /// HF `lstrip`/`rstrip`: the token swallows whitespace on that side.
        var lstrip: Bool = false
        var rstrip: Bool = false
    }

    /// A trie over scalar values; node 0 is the root.
    private var children: [[UInt32: Int32]] = [[:]]
    private var terminal: [Int32] = [-1]  // index into `entries`, or -1
    private var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }

    init(_ tokens: [Entry]) {
        for entry in tokens where !entry.text.isEmpty {
            var node = 0
            for scalar in entry.text.unicodeScalars {
                if let next = children[node][scalar.value] {
                    node = Int(next)
                } else {
                    children.append([:])
                    terminal.append(-1)
                    let next = Int32(children.count - 1)
                    children[node][scalar.value] = next
                    node = Int(next)
                }
            }
            // A duplicate text keeps the first (lowest-id) entry.
            if terminal[node] < 0 {
                terminal[node] = Int32(entries.count)
                entries.append(entry)
            }
        }
    }

    enum Fragment: Equatable {
        case text(Range<Int>)
        case token(Int32)
    }

    /// Cuts `s` into raw-text ranges and token ids.
    func split(_ s: UnsafeBufferPointer<UInt32>, parseSpecial: Bool) -> [Fragment] {
        guard !entries.isEmpty else { return s.isEmpty ? [] : [.text(0..<s.count)] }
        var out: [Fragment] = []
        var textStart = 0
        var p = 0
        while p < s.count {
            var node = 0
            var i = p
            var best = -1
            var bestEnd = p
            while i < s.count, let next = children[node][s[i]] {
                node = Int(next)
                i += 1
                let t = Int(terminal[node])
                if t >= 0 && (parseSpecial || !entries[t].isSpecial) { best = t; bestEnd = i }
            }
            guard best >= 0 else { p += 1; continue }
            let entry = entries[best]
            var matchStart = p
            var matchEnd = bestEnd
            if entry.lstrip {
                while matchStart > textStart && Self.isWhitespace(s[matchStart - 1]) { matchStart -= 1 }
            }
            if entry.rstrip {
                while matchEnd < s.count && Self.isWhitespace(s[matchEnd]) { matchEnd += 1 }
            }
            if textStart < matchStart { out.append(.text(textStart..<matchStart)) }
            out.append(.token(entry.id))
            textStart = matchEnd
            p = matchEnd
        }
        if textStart < s.count { out.append(.text(textStart..<s.count)) }
        return out
    }

    private static func isWhitespace(_ v: UInt32) -> Bool {
        ScalarClass.of(v) == ScalarClass.whitespace
    }
}
