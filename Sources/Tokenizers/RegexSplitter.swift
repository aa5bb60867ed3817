import Foundation

/// Pre-tokenizers with no hand-written scanner: a list of regexes applied in sequence, each
/// re-splitting every piece so far into matches and the gaps between them (HF `Split` with
/// behaviour `Isolated`, TOKENIZERS.md §4.2). Used for `deepseek-llm`, `deepseek-coder`,
/// `deepseek-v3` and for tokenizer.json
/// files whose Split patterns are not one of the scanner families.
///
/// The engine is ICU (`NSRegularExpression`). Two differences from Hugging Face's Oniguruma are
/// removed: `\s` is rewritten to the White_Space set of §4.2 (ICU's omits U+000B and U+0085),
/// and only `\n` ends a line for `$`.
final class RegexSplitter: @unchecked Sendable {  // NSRegularExpression is immutable and thread-safe
    let patterns: [String]
    private let regexes: [NSRegularExpression]

    init(patterns: [String]) throws {
        self.patterns = patterns
        var compiled: [NSRegularExpression] = []
        for pattern in patterns {
            do {
                compiled.append(try NSRegularExpression(pattern: Self.rewriteWhitespaceClass(pattern),
                                                        options: [.useUnixLineSeparators]))
            } catch {
                throw TokenizerError.unsupportedPreTokenizer(
                    name: "Split regex \(pattern) (ICU cannot compile it: \(error.localizedDescription))",
                    supported: PreTokenizer.supportedGGUFNames)
            }
        }
        regexes = compiled
    }

    /// §4.2's DEEPSEEK_LLM list.
    static let deepSeekLLM: [String] = [
        #"[\r\n]"#,
        #"\s?[A-Za-z\x{B5}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{1BA}\x{1BC}-\x{1BF}\x{1C4}-\x{293}\x{295}-\x{2AF}\x{370}-\x{373}\x{376}\x{377}\x{37B}-\x{37D}\x{37F}\x{386}\x{388}-\x{38A}\x{38C}\x{38E}-\x{3A1}\x{3A3}-\x{3F5}\x{3F7}-\x{481}\x{48A}-\x{52F}\x{531}-\x{556}\x{10A0}-\x{10C5}\x{13A0}-\x{13F5}\x{13F8}-\x{13FD}\x{1C90}-\x{1CBA}\x{1CBD}-\x{1CBF}\x{1D00}-\x{1D2B}\x{1D6B}-\x{1D77}\x{1D79}-\x{1D9A}\x{1E00}-\x{1F15}\x{1F18}-\x{1F1D}\x{1F20}-\x{1F45}\x{1F48}-\x{1F4D}\x{1F50}-\x{1F57}\x{1F59}\x{1F5B}\x{1F5D}\x{1F5F}-\x{1F7D}\x{1F80}-\x{1FB4}\x{1FB6}-\x{1FBC}\x{1FBE}\x{1FC2}-\x{1FC4}\x{1FC6}-\x{1FCC}\x{1FD0}-\x{1FD3}\x{1FD6}-\x{1FDB}\x{1FE0}-\x{1FEC}\x{1FF2}-\x{1FF4}\x{1FF6}-\x{1FFC}\x{2102}\x{2107}\x{210A}-\x{2113}\x{2115}\x{2119}-\x{211D}\x{2124}\x{2126}\x{2128}\x{212A}-\x{212D}\x{212F}-\x{2134}\x{2139}\x{213C}-\x{213F}\x{2145}-\x{2149}\x{214E}\x{2183}\x{2184}\x{2C00}-\x{2C7B}\x{2C7E}-\x{2CE4}\x{2CEB}-\x{2CEE}\x{2CF2}\x{2CF3}\x{A640}-\x{A66D}\x{A680}-\x{A69B}\x{A722}-\x{A76F}\x{A771}-\x{A787}\x{A78B}-\x{A78E}\x{AB70}-\x{ABBF}\x{FB00}-\x{FB06}\x{FB13}-\x{FB17}\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{10400}-\x{1044F}\x{104B0}-\x{104D3}\x{104D8}-\x{104FB}\x{10C80}-\x{10CB2}\x{10CC0}-\x{10CF2}\x{118A0}-\x{118DF}\x{1E900}-\x{1E943}]+"#,
        #"\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+"#,
        #"\s+$"#,
        #"[\x{4E00}-\x{9FA5}\x{800}-\x{4E00}\x{AC00}-\x{D7FF}]+"#,
        #"\p{N}+"#,
    ]

    /// §4.2's DEEPSEEK_CODER list.
    static let deepSeekCoder: [String] = [
        #"[\r\n]"#,
        #"\s?\p{L}+"#,
        #"\s?\p{P}+"#,
        #"[\x{4E00}-\x{9FA5}\x{800}-\x{4E00}\x{AC00}-\x{D7FF}]+"#,
        #"\p{N}"#,
    ]

    /// §4.2's DEEPSEEK3 list (DeepSeek-V3 and the full DeepSeek-R1). Hugging Face's `\p{S}`
    /// includes `~`; llama.cpp's std::regex path does not (§4.4). This follows Hugging Face.
    static let deepSeekV3: [String] = [
        #"\p{N}{1,3}"#,
        #"[\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+"#,
        ##"[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"##,
    ]

    private static let whitespaceMembers = #"\t-\r\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}"#

    /// Replaces `\s` (outside and inside bracket expressions) and `\S` (outside) by explicit sets.
    static func rewriteWhitespaceClass(_ pattern: String) -> String {
        var out = ""
        var depth = 0
        var chars = pattern.makeIterator()
        while let ch = chars.next() {
            if ch == "\\" {
                guard let next = chars.next() else { out.append(ch); break }
                if next == "s" {
                    out += depth > 0 ? whitespaceMembers : "[" + whitespaceMembers + "]"
                } else if next == "S" && depth == 0 {
                    out += "[^" + whitespaceMembers + "]"
                } else {
                    out.append(ch)
                    out.append(next)
                }
                continue
            }
            if ch == "[" { depth += 1 } else if ch == "]" && depth > 0 { depth -= 1 }
            out.append(ch)
        }
        return out
    }

    /// Appends the word ranges (scalar indices) of `s[range]`.
    func split(_ s: UnsafeBufferPointer<UInt32>, range: Range<Int>, into words: inout [Range<Int>]) {
        guard !range.isEmpty else { return }
        var view = String.UnicodeScalarView()
        // UTF-16 offset → scalar index, for converting match ranges back.
        var scalarIndexAtUTF16: [Int] = []
        scalarIndexAtUTF16.reserveCapacity(range.count * 2 + 1)
        for i in range {
            guard let u = Unicode.Scalar(s[i]) else { continue }
            view.append(u)
            for _ in 0..<u.utf16.count { scalarIndexAtUTF16.append(i) }
        }
        scalarIndexAtUTF16.append(range.upperBound)
        let whole = NSString(string: String(view))
        let length = scalarIndexAtUTF16.count - 1
        var pieces = [NSRange(location: 0, length: length)]
        for regex in regexes {
            var next: [NSRange] = []
            next.reserveCapacity(pieces.count)
            for piece in pieces {
                // Match on the piece alone: each call bridges its string, so passing the whole
                // text per piece would be quadratic. HF also runs each Split on the piece alone.
                let text = whole.substring(with: piece)
                let base = piece.location
                var cursor = 0
                regex.enumerateMatches(in: text, options: [], range: NSRange(location: 0, length: piece.length)) { match, _, _ in
                    guard let r = match?.range, r.length > 0 else { return }
                    if r.location > cursor { next.append(NSRange(location: base + cursor, length: r.location - cursor)) }
                    next.append(NSRange(location: base + r.location, length: r.length))
                    cursor = r.location + r.length
                }
                if cursor < piece.length { next.append(NSRange(location: base + cursor, length: piece.length - cursor)) }
            }
            pieces = next
        }
        for piece in pieces {
            words.append(scalarIndexAtUTF16[piece.location]..<scalarIndexAtUTF16[piece.location + piece.length])
        }
    }
}
