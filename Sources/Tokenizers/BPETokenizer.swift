import Foundation

/// GPT-2-style byte-level BPE, as llama.cpp runs `tokenizer.ggml.model = "gpt2"` and Hugging Face
/// runs a `BPE` model with a `ByteLevel` pre-tokenizer (TOKENIZERS.md §3).
///
/// Build it from GGUF metadata (`init(vocabulary:)`) or from a `tokenizer.json`
/// (`init(tokenizerJSON:tokenizerConfig:)`). Immutable after construction except for an
/// internal word cache, so one instance can be shared across threads.
public final class BPETokenizer: Sendable {
    /// Token text by id: NORMAL tokens in the byte alphabet, special and added tokens as plain text.
    let tokenTexts: [String]
    let tokenTypes: [TokenType]
    /// Bytes each id decodes to when special tokens are printed (§7.1).
    let pieces: [[UInt8]]
    /// Token bytes → id, for BPE lookups (`ignore_merges`) and `id(of:)` on raw bytes.
    let idForBytes: [[UInt8]: Int32]
    let idForText: [String: Int32]
    /// Id of each single-byte token; -1 when the vocabulary has none.
    let byteIDs: [Int32]
    let merges: BPEMerges
    let splitter: SpecialTokenSplitter
    let wordSplitter: WordSplitter
    /// §4.1: a pre-token that is itself in the vocabulary is emitted whole (Llama 3).
    let ignoresMerges: Bool
    /// Hugging Face Qwen2-family files declare an NFC normalizer (§4.4); llama.cpp does not normalise.
    let normalizesNFC: Bool
    let cache = WordCache()

    public let bosID: Int32?
    public let eosID: Int32?
    public let unknownID: Int32?
    public let paddingID: Int32?
    public let eotID: Int32?
    public let eomID: Int32?
    /// Whether `encode(addSpecialTokens: true)` puts BOS first.
    public let addsBOS: Bool
    /// Whether `encode(addSpecialTokens: true)` puts EOS last.
    public let addsEOS: Bool
    /// Ids that end generation (§5.3): EOS, EOT, EOM and every token whose text is one of
    /// llama.cpp's end-of-turn strings (`<|im_end|>`, `<|eot_id|>`, `<｜end▁of▁sentence｜>`, …).
    public let endOfGenerationIDs: Set<Int32>

    public var vocabularySize: Int { tokenTexts.count }

    /// llama.cpp's default add_bos for a `tokenizer.ggml.pre` name when the GGUF has no
    /// `tokenizer.ggml.add_bos_token` key (§4.1): true only for the Llama 3 names.
    public static func defaultAddsBOS(preTokenizer name: String) -> Bool {
        PreTokenizer.byGGUFName[name]?.addsBOS ?? false
    }

    /// The `tokenizer.ggml.pre` names this module implements.
    public static var supportedPreTokenizerNames: [String] { PreTokenizer.supportedGGUFNames }

    struct Parts {
        var tokens: [String]
        var types: [TokenType]
        /// Merge parts in the byte alphabet, rank = index.
        var merges: [(String, String)]
        var wordSplitter: WordSplitter
        var ignoresMerges: Bool
        var normalizesNFC: Bool
        var addsBOS: Bool
        var addsEOS: Bool
        var bosID: Int32?
        var eosID: Int32?
        var unknownID: Int32?
        var paddingID: Int32?
        var eotID: Int32?
        var eomID: Int32?
        /// HF `lstrip`/`rstrip` per added-token id.
        var strip: [Int32: (lstrip: Bool, rstrip: Bool)] = [:]
    }

    /// llama.cpp's end-of-turn strings (§5.3).
    static let endOfGenerationTexts: [String] = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<｜end▁of▁sentence｜>", "[e~[",
    ]
    /// Texts that become EOT when the file names no EOT id (§5.3), in llama.cpp's order.
    static let endOfTurnTexts: [String] = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
        "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
    ]

    init(parts p: Parts) throws {
        let n = p.tokens.count
        guard p.types.count == n else {
            throw TokenizerError.invalidVocabulary("\(n) tokens but \(p.types.count) token types")
        }
        func valid(_ id: Int32?) -> Int32? {
            guard let id, id >= 0, Int(id) < n else { return nil }
            return id
        }
        tokenTexts = p.tokens
        tokenTypes = p.types

        var idForText: [String: Int32] = [:]
        var idForBytes: [[UInt8]: Int32] = [:]
        var pieces: [[UInt8]] = []
        pieces.reserveCapacity(n)
        idForText.reserveCapacity(n)
        idForBytes.reserveCapacity(n)
        var specials: [SpecialTokenSplitter.Entry] = []
        for (i, text) in p.tokens.enumerated() {
            let id = Int32(i)
            if idForText[text] == nil { idForText[text] = id }
            let type = p.types[i]
            switch type {
            case .normal:
                pieces.append(ByteLevelAlphabet.decodeLeniently(text))
            case .control, .unknown, .userDefined:
                pieces.append(Array(text.utf8))
                let strip = p.strip[id]
                specials.append(.init(id: id, text: text, isSpecial: type.isSpecial,
                                      lstrip: strip?.lstrip ?? false, rstrip: strip?.rstrip ?? false))
            case .byte:
                pieces.append(Self.byteFallbackValue(text).map { [$0] } ?? [])
            case .unused, .undefined:
                pieces.append([])
            }
            // Every token spelled in the byte alphabet can be a BPE result (llama.cpp looks merge
            // results up among all tokens; HF among model.vocab, which holds the added ones too).
            if type != .unused && type != .undefined, let bytes = ByteLevelAlphabet.bytes(ofAlphabetText: text),
               idForBytes[bytes] == nil {
                idForBytes[bytes] = id
            }
        }
        var byteIDs = [Int32](repeating: -1, count: 256)
        for b in 0..<256 { byteIDs[b] = idForBytes[[UInt8(b)]] ?? -1 }

        var table: [UInt64: BPEMerges.Merge] = [:]
        table.reserveCapacity(p.merges.count)
        for (rank, (left, right)) in p.merges.enumerated() {
            // A merge whose parts or result are missing can never fire; HF refuses such files,
            // llama.cpp ignores the merge. Ignoring keeps a slightly inconsistent vocab usable.
            guard let l = idForText[left], let r = idForText[right], let m = idForText[left + right] else { continue }
            let key = BPEMerges.key(l, r)
            if table[key] == nil { table[key] = .init(rank: Int32(rank), merged: m) }
        }

        self.pieces = pieces
        self.idForText = idForText
        self.idForBytes = idForBytes
        self.byteIDs = byteIDs
        self.merges = BPEMerges(table: table)
        self.splitter = SpecialTokenSplitter(specials)
        self.wordSplitter = p.wordSplitter
        self.ignoresMerges = p.ignoresMerges
        self.normalizesNFC = p.normalizesNFC
        self.addsBOS = p.addsBOS
        self.addsEOS = p.addsEOS
        self.bosID = valid(p.bosID)
        self.eosID = valid(p.eosID)
        self.unknownID = valid(p.unknownID)
        self.paddingID = valid(p.paddingID)
        let eot = valid(p.eotID) ?? Self.endOfTurnTexts.lazy.compactMap { idForText[$0] }.first
        self.eotID = eot
        self.eomID = valid(p.eomID)
        var eog = Set([self.eosID, eot, self.eomID].compactMap { $0 })
        for text in Self.endOfGenerationTexts { if let id = idForText[text] { eog.insert(id) } }
        self.endOfGenerationIDs = eog
    }

    /// `<0xXX>` → the byte (§7.1, BYTE tokens).
    private static func byteFallbackValue(_ text: String) -> UInt8? {
        guard text.hasPrefix("<0x"), text.hasSuffix(">"), text.utf8.count == 6 else { return nil }
        return UInt8(text.dropFirst(3).dropLast(), radix: 16)
    }

    /// Builds the tokenizer from GGUF tokenizer metadata (§2.1). An unknown `pre` name throws
    /// `TokenizerError.unsupportedPreTokenizer` listing the supported names.
    public convenience init(vocabulary v: TokenizerVocabulary) throws {
        let pre = try WordSplitter.named(v.preTokenizer)
        let n = v.tokens.count
        var types: [TokenType]
        if v.tokenTypes.isEmpty {
            types = Array(repeating: .normal, count: n)
            for id in [v.bosID, v.eosID, v.unknownID, v.paddingID, v.eotID, v.eomID].compactMap({ $0 })
            where id >= 0 && Int(id) < n {
                types[Int(id)] = .control
            }
        } else {
            guard v.tokenTypes.count == n else {
                throw TokenizerError.invalidVocabulary(
                    "tokenizer.ggml.tokens has \(n) entries but tokenizer.ggml.token_type has \(v.tokenTypes.count)")
            }
            types = v.tokenTypes.map { TokenType(rawValue: $0) ?? .normal }
        }
        let merges = try v.mergePairs()
        try self.init(parts: Parts(
            tokens: v.tokens, types: types, merges: merges, wordSplitter: pre.splitter,
            ignoresMerges: pre.ignoreMerges, normalizesNFC: false, addsBOS: v.addBOS, addsEOS: v.addEOS,
            bosID: v.bosID, eosID: v.eosID, unknownID: v.unknownID, paddingID: v.paddingID,
            eotID: v.eotID, eomID: v.eomID))
    }

    /// The id of a token by its vocabulary text (byte alphabet for ordinary tokens, e.g. `Ġthe`;
    /// plain text for special tokens, e.g. `<|im_end|>`).
    public func id(of token: String) -> Int32? { idForText[token] }

    /// The token's text as stored in the vocabulary, or nil for an out-of-range id.
    public func tokenText(_ id: Int32) -> String? {
        guard id >= 0, Int(id) < tokenTexts.count else { return nil }
        return tokenTexts[Int(id)]
    }

    /// The bytes a token stands for (special tokens: their text). Empty for an out-of-range id.
    public func tokenBytes(_ id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < pieces.count else { return [] }
        return pieces[Int(id)]
    }

    /// Whether the id is a CONTROL or UNKNOWN token (printed only when asked).
    public func isSpecial(_ id: Int32) -> Bool {
        guard id >= 0, Int(id) < tokenTypes.count else { return false }
        return tokenTypes[Int(id)].isSpecial
    }

    /// Appends the bytes of one token for decoding; out-of-range ids contribute nothing.
    @inline(__always)
    func appendPiece(_ id: Int32, skipSpecialTokens: Bool, to bytes: inout [UInt8]) {
        guard id >= 0, Int(id) < pieces.count else { return }
        if skipSpecialTokens && tokenTypes[Int(id)].isSpecial { return }
        bytes.append(contentsOf: pieces[Int(id)])
    }

    /// Ids → text (§7.2). Out-of-range ids are skipped, never trapped on. Invalid UTF-8 (a
    /// sequence cut mid-character) decodes to U+FFFD. No space clean-up is applied, so
    /// `decode(encode(x)) == x` for every x (with NFC-normalising files: for NFC x).
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids { appendPiece(id, skipSpecialTokens: skipSpecialTokens, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Remembers the ids of recently seen words; natural text repeats most words many times.
final class WordCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [[UInt8]: [Int32]] = [:]
    static let maxWordBytes = 64
    static let maxEntries = 65_536

    func get(_ word: [UInt8]) -> [Int32]? {
        lock.lock()
        defer { lock.unlock() }
        return entries[word]
    }

    func put(_ word: [UInt8], _ ids: [Int32]) {
        lock.lock()
        defer { lock.unlock() }
        // Bounded memory: start over rather than track recency.
        if entries.count >= Self.maxEntries { entries.removeAll(keepingCapacity: true) }
        entries[word] = ids
    }
}
