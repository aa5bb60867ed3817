import Foundation
@testable import Tokenizers

/// Fixtures written by scripts/fixtures/make_tokenizer_fixtures.py and make_chat_fixtures.py.
enum Fixtures {
    static let root: URL = {
        if let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) { return url }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }()

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    static func json(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(path)))
    }

    static func corpus() throws -> [String] {
        guard let texts = try json("corpus.json") as? [String] else { throw FixtureError.malformed("corpus.json") }
        return texts
    }

    struct Expected {
        var ids: [Int32]
        var idsSpecialAsText: [Int32]
        var decoded: String
        var decodedSkipSpecial: String
    }

    static func expected(_ name: String) throws -> [Expected] {
        guard let rows = try json("\(name)/expected.json") as? [[String: Any]] else { throw FixtureError.malformed(name) }
        return try rows.map { row in
            guard let ids = row["ids"] as? [NSNumber], let plain = row["ids_special_as_text"] as? [NSNumber],
                  let decoded = row["decoded"] as? String, let skip = row["decoded_skip_special"] as? String else {
                throw FixtureError.malformed("\(name)/expected.json")
            }
            return Expected(ids: ids.map { Int32($0.intValue) }, idsSpecialAsText: plain.map { Int32($0.intValue) },
                            decoded: decoded, decodedSkipSpecial: skip)
        }
    }

    /// SmolLM2's GGUF tokenizer metadata, as gguf-py read it.
    static func smolLM2Vocabulary() throws -> TokenizerVocabulary {
        guard let m = try json("smollm2/gguf-vocab.json") as? [String: Any],
              let tokens = m["tokens"] as? [String], let types = m["token_type"] as? [NSNumber],
              let merges = m["merges"] as? [String], let pre = m["pre"] as? String else {
            throw FixtureError.malformed("smollm2/gguf-vocab.json")
        }
        func id(_ key: String) -> Int32? { (m[key] as? NSNumber).map { Int32($0.intValue) } }
        return TokenizerVocabulary(
            tokens: tokens, tokenTypes: types.map { Int32($0.intValue) }, merges: merges, preTokenizer: pre,
            bosID: id("bos_token_id"), eosID: id("eos_token_id"), unknownID: id("unknown_token_id"),
            paddingID: id("padding_token_id"), eotID: id("eot_token_id"), eomID: id("eom_token_id"),
            addBOS: (m["add_bos_token"] as? Bool) ?? BPETokenizer.defaultAddsBOS(preTokenizer: pre),
            addEOS: (m["add_eos_token"] as? Bool) ?? false)
    }

    /// A trained tokenizer.json re-expressed as GGUF metadata, as convert_hf_to_gguf.py writes it.
    static func ggufStyleVocabulary(_ family: String, pre: String) throws -> TokenizerVocabulary {
        guard let root = try json("\(family)/tokenizer.json") as? [String: Any],
              let model = root["model"] as? [String: Any], let vocab = model["vocab"] as? [String: NSNumber],
              let merges = model["merges"] as? [Any], let added = root["added_tokens"] as? [[String: Any]] else {
            throw FixtureError.malformed("\(family)/tokenizer.json")
        }
        let size = (vocab.values.map(\.intValue) + added.compactMap { ($0["id"] as? NSNumber)?.intValue }).max().map { $0 + 1 } ?? 0
        var tokens = [String](repeating: "", count: size)
        var types = [Int32](repeating: 1, count: size)
        for (text, id) in vocab { tokens[id.intValue] = text }
        for a in added {
            guard let id = (a["id"] as? NSNumber)?.intValue, let content = a["content"] as? String else { continue }
            tokens[id] = content
            types[id] = (a["special"] as? Bool ?? false) ? 3 : 4
        }
        let mergeStrings = merges.map { m in (m as? [String])?.joined(separator: " ") ?? (m as? String ?? "") }
        let bos = tokens.firstIndex { $0 == "<|begin_of_text|>" || $0 == "<｜begin▁of▁sentence｜>" }.map { Int32($0) }
        let addsBOS = (root["post_processor"] as? [String: Any])?["type"] as? String == "TemplateProcessing"
        return TokenizerVocabulary(tokens: tokens, tokenTypes: types, merges: mergeStrings, preTokenizer: pre,
                                   bosID: bos, addBOS: addsBOS)
    }

    /// Built once per process: the SmolLM2 vocabulary has 49k tokens and 49k merges.
    static let smolLM2FromGGUF: Result<BPETokenizer, Error> = Result { try BPETokenizer(vocabulary: smolLM2Vocabulary()) }
    static let smolLM2FromJSON: Result<BPETokenizer, Error> = Result {
        try BPETokenizer(tokenizerJSON: url("smollm2/tokenizer.json"), tokenizerConfig: url("smollm2/tokenizer_config.json"))
    }
}

enum FixtureError: Error { case malformed(String) }
