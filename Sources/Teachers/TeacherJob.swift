import Tokenizers

/// One completion a run asks its teacher for: one attempt at one sample of one prompt.
public struct TeacherJob: Sendable, Equatable {
    /// The prompt's position among the run's prompts (`PromptRecord.index`: good lines only, from 0).
    public var promptIndex: Int
    public var sampleIndex: Int
    /// Rejection sampling's try number, from 0.
    public var attempt: Int
    /// The trace id this job's result will carry (`TraceID`).
    public var traceID: String
    public var messages: [ChatMessage]
    public var maxTokens: Int
    public var temperature: Float
    public var topP: Float
    /// Derived from the run's seed, the trace id and the attempt, so a resumed run asks the
    /// same question with the same seed.
    public var seed: UInt64
    /// 0 asks for no alternatives; K asks for the top K of every generated token.
    public var topLogprobs: Int

    public init(promptIndex: Int, sampleIndex: Int, attempt: Int, traceID: String, messages: [ChatMessage],
                maxTokens: Int, temperature: Float, topP: Float, seed: UInt64, topLogprobs: Int) {
        self.promptIndex = promptIndex
        self.sampleIndex = sampleIndex
        self.attempt = attempt
        self.traceID = traceID
        self.messages = messages
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
        self.topLogprobs = topLogprobs
    }
}
