import Evaluation
import Tokenizers
import Traces

/// One trace as the student trains on it: the chat-templated prompt, then the completion
/// closed by the end-of-turn token. Only completion tokens are learned (SFT masks the system
/// and user turns): token `i ≥ completionStart` is the target of position `i − 1`.
public struct TrainingExample: Sendable, Equatable {
    /// The trace's `id` column.
    public var id: String
    public var tokens: [Int32]
    /// Index of the first completion token, ≥ 1 (a document's first token has no predecessor).
    public var completionStart: Int
    /// Alternatives per completion token in `teacherIDs`/`teacherLogprobs`; 0 without teacher data.
    public var teacherTopK: Int
    /// The teacher's top-k for each completion token, row-major
    /// `[tokens.count − completionStart, teacherTopK]`, best first; row `j` is the teacher's
    /// distribution for token `completionStart + j`, i.e. for the prediction made at position
    /// `completionStart + j − 1`. A row without teacher data (the appended end-of-turn) has
    /// every id -1 and logprob -infinity, TRL's padding convention (MDS.md §8).
    public var teacherIDs: [Int32]
    public var teacherLogprobs: [Float]

    public init(id: String, tokens: [Int32], completionStart: Int, teacherTopK: Int = 0,
                teacherIDs: [Int32] = [], teacherLogprobs: [Float] = []) {
        self.id = id
        self.tokens = tokens
        self.completionStart = completionStart
        self.teacherTopK = teacherTopK
        self.teacherIDs = teacherIDs
        self.teacherLogprobs = teacherLogprobs
    }

    /// For SFT: the trace as `TraceSequence` tokenises it (prompt and completion encoded apart,
    /// so the boundary is exact; the completion re-encoded from its text), so the student is
    /// trained on exactly what `distillery eval` scores.
    public init(record: TraceRecord, template: ChatTemplate, tokenizer: BPETokenizer) throws {
        let sequence = try TraceSequence(record: record, template: template, tokenizer: tokenizer)
        self.init(id: record.id, tokens: sequence.tokens, completionStart: sequence.promptCount)
    }

    /// For logit distillation: the prompt through the student's chat template, then the
    /// teacher's own `tokenIDs`, so its top-k rows line up 1:1 with completion tokens
    /// (re-encoding the text can split it differently from what the teacher sampled). The
    /// local teacher stops at the end-of-turn token without recording it, so the template's
    /// end-of-turn is appended when the ids do not end with it; that row has no teacher data.
    /// The caller has checked the tokenizers agree (`TeacherTokenCheck`).
    public init(teacherTokensOf record: TraceRecord, template: ChatTemplate, tokenizer: BPETokenizer) throws {
        let prompt = tokenizer.encode(try TraceChatText(record: record, template: template).prompt,
                                      addSpecialTokens: false, parseSpecialTokens: true)
        let endOfTurn = tokenizer.encode(template.endOfTurnText, addSpecialTokens: false, parseSpecialTokens: true)
        var completion = record.tokenIDs
        let k = record.topK
        var ids = record.topIDs, logprobs = record.topLogprobs
        if !completion.isEmpty, completion.last.map({ tokenizer.endOfGenerationIDs.contains($0) }) == true {
            // The ids already close the turn (an endpoint that reports the stop token).
        } else {
            completion += endOfTurn
            ids += Array(repeating: -1, count: endOfTurn.count * k)
            logprobs += Array(repeating: -.infinity, count: endOfTurn.count * k)
        }
        self.init(id: record.id, tokens: prompt + completion, completionStart: max(prompt.count, 1),
                  teacherTopK: k, teacherIDs: ids, teacherLogprobs: logprobs)
    }

    /// Completion tokens: the positions that carry a target.
    public var targetCount: Int { max(tokens.count - completionStart, 0) }

    /// The first `maxTokens` tokens with their teacher rows (prompt first, so a long prompt
    /// can leave no target at all).
    public func truncated(to maxTokens: Int) -> TrainingExample {
        guard tokens.count > maxTokens else { return self }
        var copy = self
        copy.tokens = Array(tokens.prefix(max(maxTokens, 0)))
        if teacherTopK > 0 {
            let rows = max(copy.tokens.count - completionStart, 0)
            copy.teacherIDs = Array(teacherIDs.prefix(rows * teacherTopK))
            copy.teacherLogprobs = Array(teacherLogprobs.prefix(rows * teacherTopK))
        }
        return copy
    }

    /// The same example with `k` alternatives per row (padding or cutting), so every example
    /// of a dataset has one width.
    func withTeacherTopK(_ k: Int) -> TrainingExample {
        guard k != teacherTopK else { return self }
        var copy = self
        copy.teacherTopK = k
        copy.teacherIDs = []
        copy.teacherLogprobs = []
        let rows = targetCount
        copy.teacherIDs.reserveCapacity(rows * k)
        copy.teacherLogprobs.reserveCapacity(rows * k)
        for row in 0..<rows {
            for j in 0..<k {
                let inside = j < teacherTopK
                copy.teacherIDs.append(inside ? teacherIDs[row * teacherTopK + j] : -1)
                copy.teacherLogprobs.append(inside ? teacherLogprobs[row * teacherTopK + j] : -.infinity)
            }
        }
        return copy
    }
}
