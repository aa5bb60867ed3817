/// Why a tokenizer could not be built. Each message names the field or file and says how to fix it.
public enum TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `tokenizer.ggml.pre` (or a tokenizer.json pre-tokenizer) that this module does not implement.
    case unsupportedPreTokenizer(name: String, supported: [String])
    /// A vocabulary that is internally inconsistent (lengths differ, duplicate token, bad id).
    case invalidVocabulary(String)
    /// A tokenizer.json that cannot be read or uses a feature this module does not implement.
    case invalidTokenizerJSON(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupportedPreTokenizer(name, supported):
            return "unsupported pre-tokenizer '\(name)'; supported: \(supported.joined(separator: ", ")). "
                + "Re-convert the model with one of these tokenizer.ggml.pre names, or add the rules to "
                + "Sources/Tokenizers/PreTokenizer.swift (TOKENIZERS.md §4)"
        case let .invalidVocabulary(reason):
            return "invalid tokenizer vocabulary: \(reason)"
        case let .invalidTokenizerJSON(file, reason):
            return "\(file): \(reason)"
        }
    }
}
