/// Which `tokenizer.ggml.pre` rules a tokenizer.json `Split` regex spells, for writing GGUF
/// files from a Hugging Face folder (TOKENIZERS.md §4.1, §4.2).
extension BPETokenizer {
    /// `llama-bpe`, `qwen2` or `gpt-2` for the published patterns; nil for any other.
    public static func ggufPreTokenizerName(splitPattern: String) -> String? {
        switch knownSplitPatterns[splitPattern] {
        case .llama3?: return "llama-bpe"
        case .qwen2?: return "qwen2"
        case .gpt2?: return "gpt-2"
        case .smollm?, nil: return nil
        }
    }
}
