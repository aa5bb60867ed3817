import Foundation
import ModelLoading
import Transformer

/// Calibration statistics for `quantize --calibrate`: per linear weight, the mean of x² per
/// input column over calibration tokens, as llama.cpp's imatrix computes it. Quantisers use it
/// to weigh each column's rounding error (docs/quantize.md, "Calibration").
public enum ActivationStatistics {
    /// Runs `model` over the chat-templated traces of `traces` (prompt and completion, as in
    /// `TraceChatText`), in dataset order, until `maxTokens` tokens have been seen, and returns
    /// weight GGUF name → mean x² per column. The head is included: `output.weight`, or
    /// `token_embd.weight` when the embeddings are tied (llama.cpp's imatrix leaves it out
    /// unless asked with `--process-output`; a quantiser that does not want it ignores it).
    public static func collect(model: LoadedModel, traces: URL, maxTokens: Int) throws -> [String: [Float]] {
        guard maxTokens > 0 else { throw EvaluationError.invalidLimit("the calibration needs at least one token (got \(maxTokens))") }
        // Every sequence kept has a token, so no more than `maxTokens` of them are needed.
        let sequences = try TraceSequence.load(from: traces, template: try model.chatTemplate(), tokenizer: model.tokenizer,
                                               maxSequences: maxTokens, maxTokensPerSequence: model.config.contextLength)
        var budget = maxTokens
        var cut: [[Int32]] = []
        for sequence in sequences where budget > 0 {
            let tokens = Array(sequence.tokens.prefix(budget))
            budget -= tokens.count
            cut.append(tokens)
        }
        let squares = ActivationSquares()
        try accumulate(model: model.decoder, sequences: cut, into: squares)
        return squares.meanSquares
    }

    /// Runs every sequence from position 0 of a fresh cache, `chunkSize` tokens per forward
    /// call, every position wanting logits so the head's input is seen too.
    public static func accumulate(model: DecoderModel, sequences: [[Int32]], into squares: ActivationSquares,
                                  chunkSize: Int = 128) throws {
        guard chunkSize > 0 else { throw EvaluationError.invalidLimit("the chunk size must be at least 1") }
        for tokens in sequences where !tokens.isEmpty {
            let cache = try KVCache(config: model.config, slots: 1, capacity: tokens.count)
            for start in stride(from: 0, to: tokens.count, by: chunkSize) {
                let entries = (start..<min(start + chunkSize, tokens.count)).map {
                    BatchEntry(token: tokens[$0], slot: 0, position: $0, wantsLogits: true)
                }
                _ = try model.forward(entries, cache: cache, observer: squares)
            }
        }
    }
}
