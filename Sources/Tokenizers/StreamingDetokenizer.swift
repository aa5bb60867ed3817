/// Turns generated ids into text one token at a time without ever emitting half a character
/// (TOKENIZERS.md §7.3): a token can end inside a multi-byte UTF-8 sequence (an emoji split over
/// two tokens), so bytes that may still be completed wait for the next token.
public struct StreamingDetokenizer: Sendable {
    public let tokenizer: BPETokenizer
    public let skipSpecialTokens: Bool
    private var pending: [UInt8] = []

    public init(tokenizer: BPETokenizer, skipSpecialTokens: Bool = false) {
        self.tokenizer = tokenizer
        self.skipSpecialTokens = skipSpecialTokens
    }

    /// Adds one token and returns the text that is now complete (possibly empty).
    /// Out-of-range ids add nothing.
    public mutating func append(_ id: Int32) -> String {
        tokenizer.appendPiece(id, skipSpecialTokens: skipSpecialTokens, to: &pending)
        let cut = Self.completePrefixLength(pending)
        guard cut > 0 else { return "" }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Returns whatever is left at the end of generation; an incomplete sequence becomes U+FFFD.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of the longest prefix that does not end inside a multi-byte character: look back at
    /// most 4 bytes for a lead byte whose sequence is longer than the bytes that follow it.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        var distance = 1
        while distance <= min(4, n) {
            let b = bytes[n - distance]
            if b & 0xC0 != 0x80 {  // not a continuation byte
                let needed: Int
                if b & 0xE0 == 0xC0 { needed = 2 } else if b & 0xF0 == 0xE0 { needed = 3 } else if b & 0xF8 == 0xF0 { needed = 4 } else { needed = 1 }
                return distance < needed ? n - distance : n
            }
            distance += 1
        }
        return n
    }
}
