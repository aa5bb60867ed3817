import Foundation

/// Reading a Hugging Face `tokenizer.json` (and optionally `tokenizer_config.json`) into the
/// same tokenizer (TOKENIZERS.md §6, §5.2, §2.3).
extension BPETokenizer {
    /// Builds the tokenizer from a `tokenizer.json`, with `tokenizer_config.json` (if given)
    /// supplying `bos_token`/`eos_token`/`unk_token`/`pad_token` and `add_bos_token`/`add_eos_token`.
    public convenience init(tokenizerJSON url: URL, tokenizerConfig configURL: URL? = nil) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError.invalidTokenizerJSON(file: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        var configData: Data?
        if let configURL {
            do { configData = try Data(contentsOf: configURL) } catch {
                throw TokenizerError.invalidTokenizerJSON(file: configURL.path, reason: "cannot read: \(error.localizedDescription)")
            }
        }
        try self.init(tokenizerJSONData: data, tokenizerConfigData: configData, fileName: url.path)
    }

    /// As `init(tokenizerJSON:tokenizerConfig:)`, from bytes already in memory.
    public convenience init(tokenizerJSONData data: Data, tokenizerConfigData: Data? = nil,
                            fileName: String = "tokenizer.json") throws {
        func fail(_ reason: String) -> TokenizerError { .invalidTokenizerJSON(file: fileName, reason: reason) }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw fail("not a JSON object")
        }
        guard let model = root["model"] as? [String: Any] else { throw fail("missing \"model\"") }
        if let type = model["type"] as? String, type != "BPE" {
            throw fail("model.type is \"\(type)\"; only byte-level \"BPE\" is supported")
        }
        if model["byte_fallback"] as? Bool == true {
            throw fail("model.byte_fallback is true (a SentencePiece-style BPE); only byte-level BPE is supported")
        }
        guard let vocab = model["vocab"] as? [String: Any] else { throw fail("missing model.vocab") }

        // Tokens by id; ids may be sparse, gaps become UNUSED.
        var entries: [(String, Int)] = []
        entries.reserveCapacity(vocab.count)
        for (text, value) in vocab {
            guard let id = (value as? NSNumber)?.intValue, id >= 0 else { throw fail("model.vocab[\"\(text)\"] is not a non-negative id") }
            entries.append((text, id))
        }
        struct Added { var id: Int; var content: String; var special: Bool; var lstrip: Bool; var rstrip: Bool }
        var added: [Added] = []
        for (i, item) in ((root["added_tokens"] as? [[String: Any]]) ?? []).enumerated() {
            guard let id = (item["id"] as? NSNumber)?.intValue, id >= 0, let content = item["content"] as? String else {
                throw fail("added_tokens[\(i)] needs an \"id\" and a \"content\"")
            }
            added.append(Added(id: id, content: content, special: item["special"] as? Bool ?? false,
                               lstrip: item["lstrip"] as? Bool ?? false, rstrip: item["rstrip"] as? Bool ?? false))
        }
        let size = max(entries.map(\.1).max() ?? -1, added.map(\.id).max() ?? -1) + 1
        // Ids index arrays: refuse a stray huge id rather than allocate gigabytes for it.
        guard size <= 2 * (entries.count + added.count) + 1024 else {
            throw fail("token ids go up to \(size - 1) but there are only \(entries.count + added.count) tokens; the ids are not dense")
        }
        var tokens = [String](repeating: "", count: size)
        var types = [TokenType](repeating: .unused, count: size)
        for (text, id) in entries { tokens[id] = text; types[id] = .normal }
        var strip: [Int32: (lstrip: Bool, rstrip: Bool)] = [:]
        for a in added {
            tokens[a.id] = a.content
            types[a.id] = a.special ? .control : .userDefined
            if a.lstrip || a.rstrip { strip[Int32(a.id)] = (a.lstrip, a.rstrip) }
        }

        var merges: [(String, String)] = []
        let rawMerges = model["merges"] as? [Any] ?? []
        merges.reserveCapacity(rawMerges.count)
        for (i, item) in rawMerges.enumerated() {
            if let pair = item as? [String], pair.count == 2 {
                merges.append((pair[0], pair[1]))
            } else if let line = item as? String, let space = line.dropFirst().firstIndex(of: " ") {
                // The older `"a b"` form (§6): split at the first space after the first character.
                merges.append((String(line[..<space]), String(line[line.index(after: space)...])))
            } else {
                throw fail("model.merges[\(i)] is neither \"left right\" nor [\"left\", \"right\"]")
            }
        }

        let normalizesNFC = try Self.readNormalizer(root["normalizer"], fail: fail)
        let pre = try Self.readPreTokenizer(root["pre_tokenizer"], fail: fail)

        // BOS/EOS from the post-processor (§2.3), overridden by tokenizer_config.json.
        var post = PostProcessorTokens()
        Self.readPostProcessor(root["post_processor"], into: &post)
        var addsBOS = post.bos != nil
        var addsEOS = post.eos != nil
        func id(_ name: String?) -> Int32? {
            guard let name else { return nil }
            if let a = added.first(where: { $0.content == name }) { return Int32(a.id) }
            return (vocab[name] as? NSNumber).map { Int32($0.intValue) }
        }
        var bosID = post.bosID ?? id(post.bos)
        var eosID = post.eosID ?? id(post.eos)
        var unknownID = id(model["unk_token"] as? String)
        var paddingID: Int32?
        if let configData = tokenizerConfigData {
            guard let config = (try? JSONSerialization.jsonObject(with: configData)) as? [String: Any] else {
                throw TokenizerError.invalidTokenizerJSON(file: "tokenizer_config.json", reason: "not a JSON object")
            }
            func tokenName(_ key: String) -> String? {
                if let s = config[key] as? String { return s }
                return (config[key] as? [String: Any])?["content"] as? String
            }
            if let b = id(tokenName("bos_token")) { bosID = b }
            if let e = id(tokenName("eos_token")) { eosID = e }
            if let u = id(tokenName("unk_token")) { unknownID = u }
            paddingID = id(tokenName("pad_token"))
            if let flag = config["add_bos_token"] as? Bool { addsBOS = flag }
            if let flag = config["add_eos_token"] as? Bool { addsEOS = flag }
        }

        try self.init(parts: Parts(
            tokens: tokens, types: types, merges: merges, wordSplitter: pre,
            ignoresMerges: model["ignore_merges"] as? Bool ?? false, normalizesNFC: normalizesNFC,
            addsBOS: addsBOS, addsEOS: addsEOS, bosID: bosID, eosID: eosID, unknownID: unknownID,
            paddingID: paddingID, eotID: nil, eomID: nil, strip: strip))
    }

    private static func readNormalizer(_ value: Any?, fail: (String) -> TokenizerError) throws -> Bool {
        guard let dict = value as? [String: Any] else { return false }  // null: no normalizer
        switch dict["type"] as? String {
        case "NFC": return true
        case "Sequence":
            var nfc = false
            for item in (dict["normalizers"] as? [Any]) ?? [] { nfc = try readNormalizer(item, fail: fail) || nfc }
            return nfc
        default:
            throw fail("normalizer \(dict["type"] as? String ?? "?") is not supported (only NFC or none)")
        }
    }

    /// The Split regexes of the published tokenizer.json files, in HF's and in llama.cpp's
    /// spelling (§4.2), mapped to the scanner that implements them.
    static let knownSplitPatterns: [String: PreTokenizer] = [
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#: .llama3,
        #"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#: .llama3,
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#: .qwen2,
        #"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#: .qwen2,
        #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#: .gpt2,
    ]

    private static func readPreTokenizer(_ value: Any?, fail: (String) -> TokenizerError) throws -> WordSplitter {
        let supported = ["ByteLevel(use_regex: true)", "Sequence[Digits(individual_digits: true), ByteLevel]",
                         "Sequence[Split(regex, Isolated)…, ByteLevel(use_regex: false)]"]
        func unsupported(_ what: String) -> TokenizerError { .unsupportedPreTokenizer(name: what, supported: supported) }
        guard let dict = value as? [String: Any], let type = dict["type"] as? String else {
            throw unsupported("pre_tokenizer \(value.map { "\($0)" } ?? "null")")
        }
        func isByteLevel(_ d: [String: Any], useRegex: Bool) -> Bool {
            d["type"] as? String == "ByteLevel" && (d["use_regex"] as? Bool ?? true) == useRegex
                && (d["add_prefix_space"] as? Bool ?? false) == false
        }
        if isByteLevel(dict, useRegex: true) { return .scanner(.gpt2) }
        guard type == "Sequence", let steps = dict["pretokenizers"] as? [[String: Any]] else {
            throw unsupported("pre_tokenizer \(type)")
        }
        if steps.count == 2, steps[0]["type"] as? String == "Digits", steps[0]["individual_digits"] as? Bool == true,
           isByteLevel(steps[1], useRegex: true) {
            return .scanner(.smollm)
        }
        // Split steps then ByteLevel without its own regex (§6): a known single pattern runs as
        // its scanner, anything else through the regex engine.
        if steps.count >= 2, let last = steps.last, isByteLevel(last, useRegex: false) {
            var patterns: [String] = []
            for split in steps.dropLast() {
                guard split["type"] as? String == "Split",
                      let pattern = (split["pattern"] as? [String: Any])?["Regex"] as? String,
                      (split["behavior"] as? String) == "Isolated", (split["invert"] as? Bool ?? false) == false else {
                    throw unsupported("\(split["type"] as? String ?? "?") step \(split) before ByteLevel")
                }
                patterns.append(pattern)
            }
            if patterns.count == 1, let rules = knownSplitPatterns[patterns[0]] { return .scanner(rules) }
            return .regex(try RegexSplitter(patterns: patterns))
        }
        throw unsupported("Sequence of \(steps.compactMap { $0["type"] as? String })")
    }

    struct PostProcessorTokens {
        var bos: String?
        var eos: String?
        var bosID: Int32?
        var eosID: Int32?
    }

    /// `TemplateProcessing` whose `single` starts with a special token adds BOS; one that ends with
    /// one adds EOS (§2.3). `Sequence` post-processors are searched; `ByteLevel` adds nothing.
    private static func readPostProcessor(_ value: Any?, into post: inout PostProcessorTokens) {
        guard let dict = value as? [String: Any] else { return }
        switch dict["type"] as? String {
        case "Sequence":
            for item in (dict["processors"] as? [Any]) ?? [] { readPostProcessor(item, into: &post) }
        case "TemplateProcessing":
            guard let single = dict["single"] as? [[String: Any]], !single.isEmpty else { return }
            let specials = dict["special_tokens"] as? [String: Any] ?? [:]
            func special(_ item: [String: Any]) -> (String, Int32?)? {
                guard let name = (item["SpecialToken"] as? [String: Any])?["id"] as? String else { return nil }
                let ids = (specials[name] as? [String: Any])?["ids"] as? [NSNumber]
                return (name, ids?.first.map { Int32($0.intValue) })
            }
            if let first = single.first, let (name, id) = special(first) { post.bos = name; post.bosID = id }
            if single.count > 1, let last = single.last, let (name, id) = special(last) { post.eos = name; post.eosID = id }
        default:
            return
        }
    }
}
