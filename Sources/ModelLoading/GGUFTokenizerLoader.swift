import ModelFormats
import Tokenizers

/// Reads the byte-level BPE vocabulary from a GGUF file's `tokenizer.ggml.*` keys
/// (TOKENIZERS.md §2.1) and builds the tokenizer.
public enum GGUFTokenizerLoader {
    public static func tokenizer(of file: GGUFFile) throws -> BPETokenizer {
        try BPETokenizer(vocabulary: vocabulary(of: file))
    }

    /// The vocabulary as the file stores it, for writing it out again (a `tokenizer.json`).
    public static func vocabulary(of file: GGUFFile) throws -> TokenizerVocabulary {
        let name = file.url.lastPathComponent
        let model = try file.optionalString("tokenizer.ggml.model") ?? "missing"
        guard model == "gpt2" else {
            throw ModelLoadingError.invalidMetadata(key: "tokenizer.ggml.model", file: name,
                                                    why: "is '\(model)'; only byte-level BPE ('gpt2') tokenizers are supported")
        }
        func id(_ key: String) throws -> Int32? {
            guard let value = try file.optionalInt("tokenizer.ggml." + key) else { return nil }
            guard let id = Int32(exactly: value) else {
                throw ModelLoadingError.invalidMetadata(key: "tokenizer.ggml." + key, file: name, why: "is \(value), not a token id")
            }
            return id
        }
        let pre = try file.optionalString("tokenizer.ggml.pre") ?? "default"
        return TokenizerVocabulary(
            tokens: try file.stringArray("tokenizer.ggml.tokens"),
            tokenTypes: try (file.optionalIntArray("tokenizer.ggml.token_type") ?? []).map { Int32(truncatingIfNeeded: $0) },
            merges: try file.optionalStringArray("tokenizer.ggml.merges") ?? [],
            preTokenizer: pre,
            bosID: try id("bos_token_id"),
            eosID: try id("eos_token_id"),
            unknownID: try id("unknown_token_id"),
            paddingID: try id("padding_token_id"),
            eotID: try id("eot_token_id"),
            eomID: try id("eom_token_id"),
            addBOS: try file.optionalBool("tokenizer.ggml.add_bos_token") ?? BPETokenizer.defaultAddsBOS(preTokenizer: pre),
            addEOS: try file.optionalBool("tokenizer.ggml.add_eos_token") ?? false)
    }
}
