/// What cuts a fragment into words: a hand-written scanner (§4.3) where one exists, otherwise
/// the family's regex list (§4.2).
enum WordSplitter: Sendable {
    case scanner(PreTokenizer)
    case regex(RegexSplitter)

    /// Names whose rules run through the regex engine (§4.1, §4.2).
    static let regexFamilies: [String: [String]] = [
        "deepseek-llm": RegexSplitter.deepSeekLLM,
        "deepseek-coder": RegexSplitter.deepSeekCoder,
        "deepseek-v3": RegexSplitter.deepSeekV3,
        "hunyuan-dense": RegexSplitter.deepSeekV3,
        "joyai-llm": RegexSplitter.deepSeekV3,
        "hy_v4": RegexSplitter.deepSeekV3,
    ]

    /// A `tokenizer.ggml.pre` name → splitter, ignore_merges and default add_bos (§4.1).
    static func named(_ name: String) throws -> (splitter: WordSplitter, ignoreMerges: Bool, addsBOS: Bool) {
        if let entry = PreTokenizer.byGGUFName[name] { return (.scanner(entry.rules), entry.ignoreMerges, entry.addsBOS) }
        if let patterns = regexFamilies[name] { return (.regex(try RegexSplitter(patterns: patterns)), false, false) }
        throw TokenizerError.unsupportedPreTokenizer(name: name, supported: PreTokenizer.supportedGGUFNames)
    }

    func split(_ s: UnsafeBufferPointer<UInt32>, classes c: UnsafeBufferPointer<UInt8>,
               range: Range<Int>, into words: inout [Range<Int>]) {
        switch self {
        case let .scanner(rules): rules.split(s, classes: c, range: range, into: &words)
        case let .regex(regexes): regexes.split(s, range: range, into: &words)
        }
    }

    /// The words of `text` spelled in the byte alphabet, as Hugging Face's
    /// `pre_tokenizer.pre_tokenize_str` returns them (for tests and debugging).
    func words(_ text: String) -> [String] {
        let scalars = text.unicodeScalars.map(\.value)
        let classes = scalars.map(ScalarClass.of)
        var ranges: [Range<Int>] = []
        scalars.withUnsafeBufferPointer { s in
            classes.withUnsafeBufferPointer { c in split(s, classes: c, range: 0..<s.count, into: &ranges) }
        }
        let table = ByteLevelAlphabet.scalarForByte
        return ranges.map { r in
            var word = String.UnicodeScalarView()
            for v in scalars[r] {
                guard let u = Unicode.Scalar(v) else { continue }
                for b in String(u).utf8 { if let a = Unicode.Scalar(table[Int(b)]) { word.append(a) } }
            }
            return String(word)
        }
    }
}
