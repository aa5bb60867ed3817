import Foundation

/// Writes a byte-level BPE vocabulary (as a GGUF file carries it, TOKENIZERS.md §2.1) as the
/// Hugging Face `tokenizer.json` and `tokenizer_config.json` that encode the same way, so a
/// model that came from a GGUF file can be saved as a folder transformers loads (§6).
///
/// - The pre-tokenizer is the one llama.cpp's `tokenizer.ggml.pre` name stands for (§4.1, §4.2):
///   `gpt-2` family → `ByteLevel(use_regex: true)`; `smollm` family → `Digits(individual_digits)`
///   then `ByteLevel` (what SmolLM2's own file declares); regex families → `Split(Regex, Isolated)`
///   steps then `ByteLevel(use_regex: false)`.
/// - No normalizer: llama.cpp does not normalise, and the file must encode like the GGUF.
/// - CONTROL and UNKNOWN tokens become special added tokens, USER_DEFINED ones non-special
///   added tokens; every token is also in `model.vocab` (as transformers' own files have it).
/// - BOS/EOS addition is a `TemplateProcessing` post-processor, which is where transformers'
///   `PreTrainedTokenizerFast` looks (`add_bos_token` in the config is written too, for readers
///   that use it).
/// - Output is deterministic: keys sorted.
public enum TokenizerJSONWriter {
    /// The `tokenizer.json` bytes.
    public static func tokenizerJSON(_ v: TokenizerVocabulary) throws -> Data {
        let types = try tokenTypes(v)
        var vocab: [String: Any] = [:]
        var added: [[String: Any]] = []
        for (id, text) in v.tokens.enumerated() {
            // A duplicated token text (a few GGUF vocabularies have them) can be one JSON key
            // only; the first id keeps it, as `idForText` does when we read the file.
            if vocab[text] == nil { vocab[text] = id }
            let type = types[id]
            guard type == .control || type == .unknown || type == .userDefined else { continue }
            added.append(["id": id, "content": text, "single_word": false, "lstrip": false, "rstrip": false,
                          "normalized": type == .userDefined, "special": type != .userDefined])
        }
        let merges = try v.mergePairs().map { [$0.0, $0.1] }
        let (pre, ignoresMerges) = try preTokenizer(named: v.preTokenizer)
        let root: [String: Any] = [
            "version": "1.0",
            "truncation": NSNull(),
            "padding": NSNull(),
            "added_tokens": added,
            "normalizer": NSNull(),
            "pre_tokenizer": pre,
            "post_processor": postProcessor(v),
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true] as [String: Any],
            "model": [
                "type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": "",
                "end_of_word_suffix": "", "fuse_unk": false, "byte_fallback": false, "ignore_merges": ignoresMerges,
                "vocab": vocab, "merges": merges,
            ] as [String: Any],
        ]
        return try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// The `tokenizer_config.json` bytes: special-token names, `add_bos_token`/`add_eos_token`,
    /// the chat template (Jinja source) and the added tokens by id.
    public static func tokenizerConfig(_ v: TokenizerVocabulary, chatTemplate: String?, modelMaxLength: Int? = nil) throws -> Data {
        let types = try tokenTypes(v)
        func name(_ id: Int32?) -> Any {
            guard let id, id >= 0, Int(id) < v.tokens.count else { return NSNull() }
            return v.tokens[Int(id)]
        }
        var decoder: [String: Any] = [:]
        for (id, type) in types.enumerated() where type == .control || type == .unknown || type == .userDefined {
            decoder[String(id)] = ["content": v.tokens[id], "single_word": false, "lstrip": false, "rstrip": false,
                                   "normalized": type == .userDefined, "special": type != .userDefined] as [String: Any]
        }
        var config: [String: Any] = [
            "add_bos_token": v.addBOS, "add_eos_token": v.addEOS,
            "bos_token": name(v.bosID), "eos_token": name(v.eosID), "pad_token": name(v.paddingID),
            "unk_token": name(v.unknownID), "added_tokens_decoder": decoder,
            "clean_up_tokenization_spaces": false, "tokenizer_class": "PreTrainedTokenizerFast",
        ]
        if let chatTemplate { config["chat_template"] = chatTemplate }
        if let modelMaxLength { config["model_max_length"] = modelMaxLength }
        return try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted])
    }

    /// Token types by id, defaulted as `BPETokenizer(vocabulary:)` defaults them.
    static func tokenTypes(_ v: TokenizerVocabulary) throws -> [TokenType] {
        let n = v.tokens.count
        guard !v.tokenTypes.isEmpty else {
            var types = [TokenType](repeating: .normal, count: n)
            for id in [v.bosID, v.eosID, v.unknownID, v.paddingID, v.eotID, v.eomID].compactMap({ $0 })
            where id >= 0 && Int(id) < n {
                types[Int(id)] = .control
            }
            return types
        }
        guard v.tokenTypes.count == n else {
            throw TokenizerError.invalidVocabulary("\(n) tokens but \(v.tokenTypes.count) token types")
        }
        return v.tokenTypes.map { TokenType(rawValue: $0) ?? .normal }
    }

    /// The HF pre-tokenizer for a `tokenizer.ggml.pre` name, and its `ignore_merges`.
    static func preTokenizer(named name: String) throws -> ([String: Any], Bool) {
        func byteLevel(useRegex: Bool) -> [String: Any] {
            ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": useRegex]
        }
        func splits(_ patterns: [String]) -> [String: Any] {
            let steps: [[String: Any]] = patterns.map {
                ["type": "Split", "pattern": ["Regex": $0], "behavior": "Isolated", "invert": false]
            }
            return ["type": "Sequence", "pretokenizers": steps + [byteLevel(useRegex: false)]]
        }
        if let entry = PreTokenizer.byGGUFName[name] {
            switch entry.rules {
            case .gpt2: return (byteLevel(useRegex: true), entry.ignoreMerges)
            case .smollm:
                return (["type": "Sequence", "pretokenizers": [
                    ["type": "Digits", "individual_digits": true] as [String: Any], byteLevel(useRegex: true),
                ]], entry.ignoreMerges)
            case .llama3, .qwen2:
                // The first (HF) spelling of the family's published pattern.
                guard let pattern = BPETokenizer.knownSplitPatterns.filter({ $0.value == entry.rules }).keys
                    .sorted().first(where: { $0.hasPrefix("(?i:") }) else {
                    throw TokenizerError.unsupportedPreTokenizer(name: name, supported: PreTokenizer.supportedGGUFNames)
                }
                return (splits([pattern]), entry.ignoreMerges)
            }
        }
        if let patterns = WordSplitter.regexFamilies[name] { return (splits(patterns), false) }
        throw TokenizerError.unsupportedPreTokenizer(name: name, supported: PreTokenizer.supportedGGUFNames)
    }

    /// `$A` alone, with BOS before and/or EOS after when the vocabulary adds them (§2.3).
    static func postProcessor(_ v: TokenizerVocabulary) -> [String: Any] {
        var specials: [String: Any] = [:]
        func special(_ id: Int32?, _ add: Bool) -> [String: Any]? {
            guard add, let id, id >= 0, Int(id) < v.tokens.count else { return nil }
            let text = v.tokens[Int(id)]
            specials[text] = ["id": text, "ids": [Int(id)], "tokens": [text]] as [String: Any]
            return ["SpecialToken": ["id": text, "type_id": 0] as [String: Any]]
        }
        let bos = special(v.bosID, v.addBOS), eos = special(v.eosID, v.addEOS)
        func sequence(_ id: String, _ type: Int) -> [String: Any] { ["Sequence": ["id": id, "type_id": type] as [String: Any]] }
        let single = [bos, sequence("A", 0), eos].compactMap { $0 }
        let pair = [bos, sequence("A", 0), eos, bos, sequence("B", 1), eos].compactMap { $0 }
        return ["type": "TemplateProcessing", "single": single, "pair": pair, "special_tokens": specials]
    }
}
