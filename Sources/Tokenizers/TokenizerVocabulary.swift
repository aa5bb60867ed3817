/// Token types as GGUF stores them in `tokenizer.ggml.token_type` (TOKENIZERS.md §2.2).
public enum TokenType: Int32, Sendable {
    case undefined = 0
    case normal = 1
    case unknown = 2
    case control = 3
    case userDefined = 4
    case unused = 5
    case byte = 6

    /// Special tokens are matched in text only when asked and dropped by `skipSpecialTokens`.
    var isSpecial: Bool { self == .control || self == .unknown }
}

/// A byte-level BPE vocabulary as GGUF metadata carries it (TOKENIZERS.md §2.1), passed as
/// plain values so this module does not depend on the GGUF reader.
public struct TokenizerVocabulary: Sendable {
    /// `tokenizer.ggml.tokens`: text by id; NORMAL tokens in the byte alphabet (§1).
    public var tokens: [String]
    /// `tokenizer.ggml.token_type`; may be empty, then every token is NORMAL except the
    /// special ids below (BOS, EOS, …), which are CONTROL.
    public var tokenTypes: [Int32]
    /// `tokenizer.ggml.merges`: `"left right"`, rank = index.
    public var merges: [String]
    /// `tokenizer.ggml.pre`, e.g. `smollm`, `llama-bpe`, `qwen2`, `deepseek-r1-qwen`, `gpt-2`.
    public var preTokenizer: String
    public var bosID: Int32?
    public var eosID: Int32?
    public var unknownID: Int32?
    public var paddingID: Int32?
    public var eotID: Int32?
    public var eomID: Int32?
    /// `tokenizer.ggml.add_bos_token`; when the key is absent pass
    /// `BPETokenizer.defaultAddsBOS(preTokenizer:)` (§4.1: true only for the Llama 3 names).
    public var addBOS: Bool
    public var addEOS: Bool

    public init(tokens: [String], tokenTypes: [Int32], merges: [String], preTokenizer: String,
                bosID: Int32? = nil, eosID: Int32? = nil, unknownID: Int32? = nil, paddingID: Int32? = nil,
                eotID: Int32? = nil, eomID: Int32? = nil, addBOS: Bool = false, addEOS: Bool = false) {
        self.tokens = tokens
        self.tokenTypes = tokenTypes
        self.merges = merges
        self.preTokenizer = preTokenizer
        self.bosID = bosID
        self.eosID = eosID
        self.unknownID = unknownID
        self.paddingID = paddingID
        self.eotID = eotID
        self.eomID = eomID
        self.addBOS = addBOS
        self.addEOS = addEOS
    }
}

extension TokenizerVocabulary {
    /// `merges` as (left, right) pairs. A merge is split at its first space at index ≥ 1, so
    /// a part that is itself a space still parses (TOKENIZERS.md §2.1).
    func mergePairs() throws -> [(String, String)] {
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(merges.count)
        for (i, merge) in merges.enumerated() {
            let scalars = Array(merge.unicodeScalars)
            guard scalars.count >= 3, let space = scalars[1...].firstIndex(of: " ") else {
                throw TokenizerError.invalidVocabulary("tokenizer.ggml.merges[\(i)] = \"\(merge)\" has no space between its two parts")
            }
            var left = String.UnicodeScalarView(), right = String.UnicodeScalarView()
            left.append(contentsOf: scalars[..<space])
            right.append(contentsOf: scalars[(space + 1)...])
            pairs.append((String(left), String(right)))
        }
        return pairs
    }
}
