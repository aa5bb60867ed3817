import Foundation
import ModelLoading
import Transformer

/// Limits on what `QualityEvaluation.compare` reads.
public struct EvaluationLimits: Sendable, Equatable {
    /// At most this many traces (those with a completion token), in dataset order.
    public var maxSequences: Int?
    /// Each trace is cut to its first this-many tokens; the models' context lengths cap it too.
    public var maxTokensPerSequence: Int?
    /// Positions per forward call: bounds the logits held at once to chunk × vocabulary floats
    /// per model (25 MB for SmolLM2 at 128).
    public var chunkSize: Int

    public init(maxSequences: Int? = nil, maxTokensPerSequence: Int? = nil, chunkSize: Int = 128) {
        self.maxSequences = maxSequences
        self.maxTokensPerSequence = maxTokensPerSequence
        self.chunkSize = chunkSize
    }

    func validate() throws {
        if let maxSequences, maxSequences < 1 { throw EvaluationError.invalidLimit("--max-sequences must be at least 1") }
        if let maxTokensPerSequence, maxTokensPerSequence < 2 {
            throw EvaluationError.invalidLimit("--max-tokens-per-sequence must be at least 2")
        }
        if chunkSize < 1 { throw EvaluationError.invalidLimit("the chunk size must be at least 1") }
    }
}

/// Compares a model (usually a quantisation) with a reference over the completions of teacher
/// traces; the library call behind `distillery eval` (docs/eval.md).
public enum QualityEvaluation {
    /// Tokenises the traces of `traces` with the model's tokenizer and chat template and
    /// compares the two models on them.
    public static func compare(model: LoadedModel, reference: LoadedModel, traces: URL,
                               limits: EvaluationLimits = EvaluationLimits()) throws -> QualityReport {
        let sequences = try self.sequences(model: model, reference: reference, traces: traces, limits: limits)
        return try compare(model: model, reference: reference, sequences: sequences, chunkSize: limits.chunkSize)
    }

    /// The token sequences `compare(model:reference:traces:limits:)` evaluates on, after the
    /// vocabulary check; each is cut to the limit and to both context lengths.
    public static func sequences(model: LoadedModel, reference: LoadedModel, traces: URL,
                                 limits: EvaluationLimits) throws -> [TraceSequence] {
        try limits.validate()
        try checkSameVocabulary(model, reference)
        let contextCap = min(model.config.contextLength, reference.config.contextLength)
        return try TraceSequence.load(from: traces, template: try model.chatTemplate(), tokenizer: model.tokenizer,
                                      maxSequences: limits.maxSequences,
                                      maxTokensPerSequence: min(limits.maxTokensPerSequence ?? contextCap, contextCap))
    }

    /// Runs both models over every sequence, `chunkSize` positions per forward call, and
    /// scores the completion tokens.
    public static func compare(model: LoadedModel, reference: LoadedModel, sequences: [TraceSequence],
                               chunkSize: Int = 128) throws -> QualityReport {
        try checkSameVocabulary(model, reference)
        guard chunkSize > 0 else { throw EvaluationError.invalidLimit("the chunk size must be at least 1") }
        let start = Date()
        let vocabulary = model.config.vocabularySize
        var modelNLL = 0.0, referenceNLL = 0.0, sameTop = 0
        var divergences: [Double] = []
        var referenceLogits: [Float] = []
        for sequence in sequences {
            let tokens = sequence.tokens
            guard sequence.scoredCount > 0 else { continue }
            let modelCache = try KVCache(config: model.config, slots: 1, capacity: tokens.count)
            let referenceCache = try KVCache(config: reference.config, slots: 1, capacity: tokens.count)
            // Position p predicts token p + 1; the last token predicts nothing and is not run.
            for chunkStart in stride(from: 0, to: tokens.count - 1, by: chunkSize) {
                let positions = chunkStart..<min(chunkStart + chunkSize, tokens.count - 1)
                let entries = positions.map {
                    BatchEntry(token: tokens[$0], slot: 0, position: $0, wantsLogits: $0 + 1 >= sequence.promptCount)
                }
                let scored = positions.filter { $0 + 1 >= sequence.promptCount }
                // Copied: when both are the same DecoderModel, the second call reuses the buffer.
                referenceLogits.removeAll(keepingCapacity: true)
                referenceLogits.append(contentsOf: try reference.decoder.forward(entries, cache: referenceCache))
                let modelLogits = try model.decoder.forward(entries, cache: modelCache)
                guard let modelBase = modelLogits.baseAddress, modelLogits.count == scored.count * vocabulary,
                      referenceLogits.count == scored.count * vocabulary else { continue }
                try referenceLogits.withUnsafeBufferPointer { referenceRows in
                    guard let referenceBase = referenceRows.baseAddress else { return }
                    for (row, position) in scored.enumerated() {
                        let target = Int(tokens[position + 1])
                        guard target >= 0, target < vocabulary else {
                            throw TransformerError.tokenOutOfRange(token: tokens[position + 1], vocabularySize: vocabulary)
                        }
                        let figures = NextTokenComparison(model: modelBase + row * vocabulary,
                                                          reference: referenceBase + row * vocabulary,
                                                          count: vocabulary, target: target)
                        modelNLL += figures.modelNLL
                        referenceNLL += figures.referenceNLL
                        divergences.append(figures.klDivergence)
                        if figures.sameTop { sameTop += 1 }
                    }
                }
            }
        }
        let count = Double(max(divergences.count, 1))
        let modelPerplexity = exp(modelNLL / count), referencePerplexity = exp(referenceNLL / count)
        return QualityReport(
            model: figures(of: model, meanNLL: modelNLL / count),
            reference: figures(of: reference, meanNLL: referenceNLL / count),
            sequences: sequences.filter { $0.scoredCount > 0 }.count, tokens: divergences.count,
            klDivergence: QualityReport.Distribution(divergences),
            top1Agreement: Double(sameTop) / count,
            perplexityRatio: modelPerplexity / referencePerplexity,
            seconds: Date().timeIntervalSince(start))
    }

    /// Same vocabulary size and the same text for every token id: the distributions are over
    /// the same events only then.
    public static func checkSameVocabulary(_ model: LoadedModel, _ reference: LoadedModel) throws {
        func fail(_ detail: String) -> EvaluationError {
            .vocabularyMismatch(model: model.location.url.lastPathComponent,
                                reference: reference.location.url.lastPathComponent, detail: detail)
        }
        let a = model.tokenizer, b = reference.tokenizer
        guard a.vocabularySize == b.vocabularySize else {
            throw fail("\(a.vocabularySize) tokens against \(b.vocabularySize)")
        }
        guard model.config.vocabularySize == reference.config.vocabularySize else {
            throw fail("output heads of \(model.config.vocabularySize) and \(reference.config.vocabularySize) rows")
        }
        for id in 0..<Int32(a.vocabularySize) where a.tokenBytes(id) != b.tokenBytes(id) {
            throw fail("token \(id) is \(String(reflecting: a.tokenText(id) ?? "")) in one and "
                       + "\(String(reflecting: b.tokenText(id) ?? "")) in the other")
        }
    }

    static func figures(of model: LoadedModel, meanNLL: Double) -> QualityReport.ModelFigures {
        let summary = try? ModelSummary(of: model)
        return QualityReport.ModelFigures(
            path: model.location.url.path, fileBytes: summary?.fileBytes ?? 0, parameters: summary?.parameters ?? 0,
            bitsPerWeight: summary?.bitsPerWeight ?? 0, perplexity: exp(meanNLL), meanNLL: meanNLL)
    }
}
