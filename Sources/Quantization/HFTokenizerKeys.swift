import Foundation
import ModelFormats
import Tokenizers

/// `tokenizer.ggml.*` and `tokenizer.chat_template` from a Hugging Face folder's
/// `tokenizer.json` and `tokenizer_config.json`, as llama.cpp's converter writes them for a
/// byte-level BPE tokenizer (TOKENIZERS.md §2, §6). Only byte-level BPE is read: that is what
/// the engine and `tokenizer.ggml.model = gpt2` support.
enum HFTokenizerKeys {
    static func keys(folder: URL, config: HFModelConfig) throws -> [(key: String, value: GGUFValue)] {
        let url = folder.appendingPathComponent("tokenizer.json")
        func fail(_ why: String) -> QuantizationError { .unsupportedSource(path: url.path, why: why) }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw QuantizationError.unsupportedSource(path: folder.path, why: "tokenizer.json is missing; copy the model's tokenizer.json (and tokenizer_config.json) into the folder")
        }
        let configURL = folder.appendingPathComponent("tokenizer_config.json")
        let configData = FileManager.default.contents(atPath: configURL.path)
        // Our tokenizer reads the same files: what it refuses (a SentencePiece model, an
        // unknown normalizer or pre-tokenizer) the engine could not run either. Its error
        // names the file and the field.
        _ = try BPETokenizer(tokenizerJSONData: data, tokenizerConfigData: configData, fileName: url.path)
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let model = root["model"] as? [String: Any], let vocab = model["vocab"] as? [String: Any] else {
            throw fail("not a tokenizer.json with a model.vocab object")
        }
        var tokenizerConfig: [String: Any] = [:]
        if let configData {
            guard let object = (try? JSONSerialization.jsonObject(with: configData)) as? [String: Any] else {
                throw QuantizationError.unsupportedSource(path: configURL.path, why: "not a JSON object")
            }
            tokenizerConfig = object
        }

        let added = ((root["added_tokens"] as? [[String: Any]]) ?? []).compactMap { item -> (id: Int, content: String, special: Bool)? in
            guard let id = (item["id"] as? NSNumber)?.intValue, let content = item["content"] as? String else { return nil }
            return (id, content, item["special"] as? Bool ?? false)
        }
        // The converter makes one entry per id below config.json's vocab_size, which may
        // exceed the tokenizer's size (§2.2); an id at or above it has no row in the embedding.
        let size = config.vocabSize
        var tokens = (0..<size).map { "[PAD\($0)]" }
        var types = [TokenType](repeating: .unused, count: size)
        for (text, value) in vocab {
            guard let id = (value as? NSNumber)?.intValue, id >= 0, id < size else {
                throw fail("model.vocab[\"\(text)\"] has id \(value), outside config.json's vocab_size \(size)")
            }
            tokens[id] = text
            types[id] = .normal
        }
        for token in added {
            guard token.id >= 0, token.id < size else {
                throw fail("added token '\(token.content)' has id \(token.id), outside config.json's vocab_size \(size)")
            }
            tokens[token.id] = token.content
            types[token.id] = token.special || looksSpecial(token.content) ? .control : .userDefined
        }

        var keys: [(key: String, value: GGUFValue)] = [
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string(try preTokenizerName(root, vocab: vocab, fail: fail))),
            ("tokenizer.ggml.tokens", .array(elementType: .string, values: tokens.map(GGUFValue.string))),
            ("tokenizer.ggml.token_type", .array(elementType: .int32, values: types.map { .int32($0.rawValue) })),
            ("tokenizer.ggml.merges", .array(elementType: .string, values: try merges(model, fail: fail).map(GGUFValue.string))),
        ]
        keys += specialIDs(tokenizerConfig: tokenizerConfig, added: added, config: config)
        let flags = addFlags(tokenizerConfig: tokenizerConfig, postProcessor: root["post_processor"])
        keys.append(("tokenizer.ggml.add_bos_token", .bool(flags.bos)))
        keys.append(("tokenizer.ggml.add_eos_token", .bool(flags.eos)))
        let template: String?
        do { template = try ChatTemplate.jinjaSource(inHuggingFaceFolder: folder) } catch {
            throw QuantizationError.unsupportedSource(path: folder.path, why: "the chat template cannot be read: \(error)")
        }
        if let template { keys.append(("tokenizer.chat_template", .string(template))) }
        return keys
    }

    /// `does_token_look_special` in the converter, as TOKENIZERS.md §2.2 describes it: such
    /// added tokens are CONTROL even when `special` is false.
    static func looksSpecial(_ text: String) -> Bool {
        (text.hasPrefix("<|") && text.hasSuffix("|>") && text.count > 4)
            || (text.hasPrefix("<｜") && text.hasSuffix("｜>") && text.count > 4)
            || ["<pad>", "<mask>", "<2mass>", "[@BOS@]"].contains(text)
    }

    /// `"left right"`, rank = index (§2.1); the pair form's spaces inside a part become U+0120.
    static func merges(_ model: [String: Any], fail: (String) -> QuantizationError) throws -> [String] {
        try ((model["merges"] as? [Any]) ?? []).enumerated().map { index, item in
            if let line = item as? String { return line }
            if let pair = item as? [String], pair.count == 2 {
                return pair.map { $0.replacingOccurrences(of: " ", with: "\u{0120}") }.joined(separator: " ")
            }
            throw fail("model.merges[\(index)] is neither \"left right\" nor [\"left\", \"right\"]")
        }
    }

    /// The converter names the pre-tokenizer by hashing the ids a probe text tokenises to; we
    /// name it by the pre-tokenizer's structure instead, which is what decides the ids (§4.1, §6).
    static func preTokenizerName(_ root: [String: Any], vocab: [String: Any],
                                 fail: (String) -> QuantizationError) throws -> String {
        let pre = root["pre_tokenizer"] as? [String: Any] ?? [:]
        func byteLevel(_ step: [String: Any], useRegex: Bool) -> Bool {
            step["type"] as? String == "ByteLevel" && (step["use_regex"] as? Bool ?? true) == useRegex
        }
        if byteLevel(pre, useRegex: true) { return "gpt-2" }
        let steps = pre["type"] as? String == "Sequence" ? (pre["pretokenizers"] as? [[String: Any]] ?? []) : []
        // SmolLM and SmolLM2: every digit alone, then GPT-2's rules; llama.cpp calls it `smollm`.
        if steps.count == 2, steps[0]["type"] as? String == "Digits", steps[0]["individual_digits"] as? Bool == true,
           byteLevel(steps[1], useRegex: true) {
            return "smollm"
        }
        if steps.count == 2, steps[0]["type"] as? String == "Split", byteLevel(steps[1], useRegex: false),
           let pattern = (steps[0]["pattern"] as? [String: Any])?["Regex"] as? String,
           let name = BPETokenizer.ggufPreTokenizerName(splitPattern: pattern) {
            // DeepSeek-R1-Distill-Qwen has Qwen2's regex; the converter names it apart.
            if name == "qwen2", vocab["<｜end▁of▁sentence｜>"] != nil { return "deepseek-r1-qwen" }
            return name
        }
        throw fail("its pre_tokenizer is not one we can name for llama.cpp (tokenizer.ggml.pre); supported: SmolLM2 (smollm), Llama 3 (llama-bpe), Qwen2 (qwen2), GPT-2 (gpt-2)")
    }

    /// Special ids as gguf-py's `SpecialVocab` finds them (§2.3): the token named in
    /// tokenizer_config.json, looked up among the added tokens; else config.json's id.
    static func specialIDs(tokenizerConfig: [String: Any], added: [(id: Int, content: String, special: Bool)],
                           config: HFModelConfig) -> [(key: String, value: GGUFValue)] {
        let kinds: [(config: String, key: String, fallback: [Int])] = [
            ("bos", "bos_token_id", config.bosTokenIds), ("eos", "eos_token_id", config.eosTokenIds),
            ("unk", "unknown_token_id", []), ("sep", "seperator_token_id", []),  // sic: llama.cpp's spelling
            ("pad", "padding_token_id", []), ("mask", "mask_token_id", []),
        ]
        var keys: [(key: String, value: GGUFValue)] = []
        for kind in kinds {
            let entry = tokenizerConfig["\(kind.config)_token"]
            let content = entry as? String ?? (entry as? [String: Any])?["content"] as? String
            var id = content.flatMap { name in added.first(where: { $0.content == name })?.id }
            // A list of ids (Llama 3.1's eos) names no single token; the converter skips it too.
            if id == nil, kind.fallback.count == 1 { id = kind.fallback[0] }
            if let id, id >= 0, id < config.vocabSize {
                keys.append(("tokenizer.ggml.\(kind.key)", .uint32(UInt32(id))))
            }
        }
        return keys
    }

    /// `add_bos_token`/`add_eos_token` from tokenizer_config.json when booleans there, else
    /// from a `TemplateProcessing` post-processor (§2.3); both always written.
    static func addFlags(tokenizerConfig: [String: Any], postProcessor: Any?) -> (bos: Bool, eos: Bool) {
        var bos = false, eos = false
        var processors = [postProcessor as? [String: Any] ?? [:]]
        if processors[0]["type"] as? String == "Sequence" { processors = processors[0]["processors"] as? [[String: Any]] ?? [] }
        for processor in processors where processor["type"] as? String == "TemplateProcessing" {
            let single = processor["single"] as? [[String: Any]] ?? []
            bos = bos || single.first?["SpecialToken"] != nil
            eos = eos || (single.count > 1 && single.last?["SpecialToken"] != nil)
        }
        if let flag = tokenizerConfig["add_bos_token"] as? Bool { bos = flag }
        if let flag = tokenizerConfig["add_eos_token"] as? Bool { eos = flag }
        return (bos, eos)
    }
}
