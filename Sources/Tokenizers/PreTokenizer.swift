/// The rules that cut a text fragment into words before BPE (TOKENIZERS.md §4).
///
/// Each case is a hand-written scanner equivalent to the family's regex (§4.3), so no regex
/// engine runs per token and nothing is quadratic: every scanner moves forward only.
enum PreTokenizer: String, Sendable, CaseIterable {
    /// GPT2 regex plus HF ByteLevel's trailing `|\s+`.
    case gpt2
    /// Every `\p{N}` character alone, then GPT2 rules inside each piece (SmolLM, StarCoder).
    case smollm
    /// LLAMA3 regex: case-insensitive contractions, numbers in groups of up to 3 digits.
    case llama3
    /// QWEN2 regex: LLAMA3 with single-digit numbers.
    case qwen2

    /// `tokenizer.ggml.pre` names (§4.1) → rules, ignore_merges and the default add_bos.
    static let byGGUFName: [String: (rules: PreTokenizer, ignoreMerges: Bool, addsBOS: Bool)] = {
        var table: [String: (PreTokenizer, Bool, Bool)] = [:]
        for name in ["gpt-2", "phi-2", "jina-es", "jina-de", "jina-v2-es", "jina-v2-de", "gigachat", "a.x-4.0",
                     "mellum", "modern-bert", "exaone4", "mpt", "olmo", "jais", "trillion", "granite-docling"] {
            table[name] = (.gpt2, false, false)
        }
        for name in ["llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
                     "jina-v5-nano"] {
            table[name] = (.llama3, true, true)
        }
        for name in ["dbrx", "smaug-bpe", "glm4", "chatglm-bpe"] { table[name] = (.llama3, false, false) }
        // `deepseek-r1-qwen` (R1-Distill-Qwen) uses the QWEN2 rules. Full DeepSeek-R1 is
        // `deepseek-v3`, a regex family (WordSplitter.regexFamilies).
        for name in ["qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2"] {
            table[name] = (.qwen2, false, false)
        }
        for name in ["smollm", "starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2", "command-r"] {
            table[name] = (.smollm, false, false)
        }
        return table
    }()

    static var supportedGGUFNames: [String] { (Array(byGGUFName.keys) + WordSplitter.regexFamilies.keys).sorted() }

    /// Appends the word ranges of `scalars[range]` (scalar values, with their `ScalarClass`).
    func split(_ s: UnsafeBufferPointer<UInt32>, classes c: UnsafeBufferPointer<UInt8>,
               range: Range<Int>, into words: inout [Range<Int>]) {
        switch self {
        case .gpt2:
            Self.scanGPT2(s, c, range.lowerBound, range.upperBound, &words)
        case .smollm:
            // HF `Digits(individual_digits: true)` then ByteLevel's regex inside each piece.
            var start = range.lowerBound
            for i in range where c[i] == ScalarClass.number {
                if start < i { Self.scanGPT2(s, c, start, i, &words) }
                words.append(i..<(i + 1))
                start = i + 1
            }
            if start < range.upperBound { Self.scanGPT2(s, c, start, range.upperBound, &words) }
        case .llama3:
            Self.scanLlama3(s, c, range.lowerBound, range.upperBound, maxDigits: 3, &words)
        case .qwen2:
            Self.scanLlama3(s, c, range.lowerBound, range.upperBound, maxDigits: 1, &words)
        }
    }

    private static let apostrophe: UInt32 = 0x27
    private static let space: UInt32 = 0x20
    private static let cr: UInt32 = 0x0D
    private static let lf: UInt32 = 0x0A

    /// Length of the contraction (`'s 't 're 've 'm 'll 'd`) starting at p, or 0.
    @inline(__always)
    private static func contraction(_ s: UnsafeBufferPointer<UInt32>, _ p: Int, _ end: Int, caseInsensitive: Bool) -> Int {
        guard s[p] == apostrophe, p + 1 < end else { return 0 }
        func lower(_ v: UInt32) -> UInt32 { caseInsensitive && v >= 0x41 && v <= 0x5A ? v + 0x20 : v }
        let a = lower(s[p + 1])
        if a == 0x73 || a == 0x74 || a == 0x6D || a == 0x64 { return 2 }  // s t m d
        guard p + 2 < end else { return 0 }
        let b = lower(s[p + 2])
        if (a == 0x72 && b == 0x65) || (a == 0x76 && b == 0x65) || (a == 0x6C && b == 0x6C) { return 3 }  // re ve ll
        return 0
    }

    @inline(__always)
    private static func run(_ c: UnsafeBufferPointer<UInt8>, from i: Int, _ end: Int, _ cls: UInt8) -> Int {
        var j = i
        while j < end && c[j] == cls { j += 1 }
        return j
    }

    /// Whitespace at p (§4.3 GPT2 step 3): `\s+(?!\S)` leaves the last space of a run to prefix
    /// the next word; `\s+` takes a run that ends the piece or is a single character.
    @inline(__always)
    private static func whitespaceWord(_ c: UnsafeBufferPointer<UInt8>, _ p: Int, _ end: Int) -> Int {
        let r = run(c, from: p, end, ScalarClass.whitespace)
        if r - p > 1 && r < end { return r - 1 }
        return max(r, p + 1)
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` (§4.3).
    private static func scanGPT2(_ s: UnsafeBufferPointer<UInt32>, _ c: UnsafeBufferPointer<UInt8>,
                                 _ start: Int, _ end: Int, _ words: inout [Range<Int>]) {
        var p = start
        while p < end {
            let k = contraction(s, p, end, caseInsensitive: false)
            if k > 0 { words.append(p..<(p + k)); p += k; continue }
            // Only the ASCII space may prefix a word.
            let q = (s[p] == space && p + 1 < end) ? p + 1 : p
            let cls = c[q]
            let e = cls == ScalarClass.whitespace ? whitespaceWord(c, p, end) : run(c, from: q, end, cls)
            words.append(p..<e)
            p = e
        }
    }

    /// LLAMA3 / QWEN2 (§4.3):
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    private static func scanLlama3(_ s: UnsafeBufferPointer<UInt32>, _ c: UnsafeBufferPointer<UInt8>,
                                   _ start: Int, _ end: Int, maxDigits: Int, _ words: inout [Range<Int>]) {
        var p = start
        while p < end {
            let k = contraction(s, p, end, caseInsensitive: true)
            if k > 0 { words.append(p..<(p + k)); p += k; continue }
            let ch = s[p]
            let cls = c[p]
            // A letter run, optionally prefixed by one character that is not CR, LF, letter or number.
            if cls == ScalarClass.letter {
                let e = run(c, from: p, end, ScalarClass.letter)
                words.append(p..<e); p = e; continue
            }
            if ch != cr && ch != lf && cls != ScalarClass.number && p + 1 < end && c[p + 1] == ScalarClass.letter {
                let e = run(c, from: p + 1, end, ScalarClass.letter)
                words.append(p..<e); p = e; continue
            }
            if cls == ScalarClass.number {
                let e = min(run(c, from: p, end, ScalarClass.number), p + maxDigits)
                words.append(p..<e); p = e; continue
            }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
            let q = (ch == space && p + 1 < end) ? p + 1 : p
            if c[q] == ScalarClass.other {
                var e = run(c, from: q, end, ScalarClass.other)
                while e < end && (s[e] == cr || s[e] == lf) { e += 1 }
                words.append(p..<e); p = e; continue
            }
            // `\s*[\r\n]+`: a whitespace run that holds a line break ends after its last CR/LF.
            let r = run(c, from: p, end, ScalarClass.whitespace)
            var lastBreak = -1
            var i = p
            while i < r { if s[i] == cr || s[i] == lf { lastBreak = i }; i += 1 }
            if lastBreak >= 0 {
                words.append(p..<(lastBreak + 1)); p = lastBreak + 1; continue
            }
            let e = whitespaceWord(c, p, end)
            words.append(p..<e); p = e
        }
    }
}

