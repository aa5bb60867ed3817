import Foundation
import Tokenizers
import Traces

/// One trace as token ids: the chat-templated prompt, then the completion the figures are
/// computed over (`TraceChatText`).
public struct TraceSequence: Sendable, Equatable {
    /// The trace's `id` column.
    public var id: String
    public var tokens: [Int32]
    /// How many leading tokens are prompt. Token i ≥ promptCount is scored by the logits of
    /// position i − 1.
    public var promptCount: Int

    public init(id: String, tokens: [Int32], promptCount: Int) {
        self.id = id
        self.tokens = tokens
        self.promptCount = min(max(promptCount, 1), max(tokens.count, 1))
    }

    /// Prompt and completion are tokenised apart, so the boundary is exact; special tokens
    /// are parsed and no BOS is added, as the local teacher does (the template writes BOS).
    public init(record: TraceRecord, template: ChatTemplate, tokenizer: BPETokenizer) throws {
        let text = try TraceChatText(record: record, template: template)
        let prompt = tokenizer.encode(text.prompt, addSpecialTokens: false, parseSpecialTokens: true)
        let completion = tokenizer.encode(text.completion, addSpecialTokens: false, parseSpecialTokens: true)
        self.init(id: record.id, tokens: prompt + completion, promptCount: prompt.count)
    }

    /// Completion tokens scored: every token after the prompt.
    public var scoredCount: Int { max(tokens.count - promptCount, 0) }

    /// The first `maxTokens` tokens (prompt first, so a long prompt can leave nothing scored).
    public func truncated(to maxTokens: Int) -> TraceSequence {
        guard tokens.count > maxTokens else { return self }
        var copy = self
        copy.tokens = Array(tokens.prefix(max(maxTokens, 0)))
        return copy
    }

    /// The traces of `directory` in dataset order, tokenised, each cut to `maxTokensPerSequence`;
    /// those left with no completion token are dropped, and reading stops after `maxSequences`.
    public static func load(from directory: URL, template: ChatTemplate, tokenizer: BPETokenizer,
                            maxSequences: Int? = nil, maxTokensPerSequence: Int? = nil) throws -> [TraceSequence] {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("index.json").path) else {
            throw EvaluationError.noTraces(directory: directory.path,
                                           why: "no index.json; give a folder written by `distillery generate`")
        }
        let dataset = try MDSDataset(directory: directory)
        guard DatasetSummary.isTraceDataset(dataset) else {
            throw EvaluationError.noTraces(directory: directory.path,
                                           why: "not a trace dataset (columns: \(dataset.columns.map(\.name).joined(separator: ", ")))")
        }
        guard dataset.count > 0 else { throw EvaluationError.noTraces(directory: directory.path, why: "the dataset holds 0 samples") }
        var sequences: [TraceSequence] = []
        for i in 0..<dataset.count {
            if let maxSequences, sequences.count >= maxSequences { break }
            let record = try TraceRecord(mdsSample: try dataset.sample(at: i), file: directory.path, sample: i)
            var sequence: TraceSequence
            do { sequence = try TraceSequence(record: record, template: template, tokenizer: tokenizer) } catch {
                throw EvaluationError.unrenderableTrace(directory: directory.path, sample: i, why: "\(error)")
            }
            if let maxTokensPerSequence { sequence = sequence.truncated(to: maxTokensPerSequence) }
            if sequence.scoredCount > 0 { sequences.append(sequence) }
        }
        guard !sequences.isEmpty else {
            throw EvaluationError.noTraces(directory: directory.path, why: "no trace has a completion token"
                + (maxTokensPerSequence.map { " within the first \($0) tokens; raise --max-tokens-per-sequence" } ?? ""))
        }
        return sequences
    }
}
