/// What a teacher wrote for one job.
public struct TeacherCompletion: Sendable, Equatable {
    /// The text the model wrote (an OpenAI message's `content`); think tags are kept when the
    /// model wrote them inline.
    public var content: String
    /// The endpoint's separate `reasoning_content` (DeepSeek API, vLLM/SGLang reasoning
    /// parsers, llama-server `--reasoning-format deepseek`); nil when it sent none.
    public var reasoningContent: String?
    /// `stop`, `length`, or what the endpoint said.
    public var finishReason: String
    public var promptTokens: Int
    public var completionTokens: Int
    /// One entry per generated token when the teacher gave ids or logprobs; empty otherwise.
    public var tokens: [TeacherToken]
    public var firstTokenSeconds: Double?
    public var totalSeconds: Double

    public init(content: String, reasoningContent: String? = nil, finishReason: String, promptTokens: Int,
                completionTokens: Int, tokens: [TeacherToken] = [], firstTokenSeconds: Double? = nil,
                totalSeconds: Double) {
        self.content = content
        self.reasoningContent = reasoningContent
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.tokens = tokens
        self.firstTokenSeconds = firstTokenSeconds
        self.totalSeconds = totalSeconds
    }
}

/// A generated token with what the teacher said about it. An OpenAI endpoint names tokens
/// by text; llama-server and `distillery serve` add the id, vLLM does with
/// `return_tokens_as_token_ids` (`"token_id:123"`).
public struct TeacherToken: Sendable, Equatable {
    public var id: Int32?
    public var text: String
    /// Log-probability under the teacher at temperature 1; nil when not asked for.
    public var logprob: Float?
    /// The top alternatives, best first; empty when not asked for.
    public var alternatives: [TokenAlternative]

    public init(id: Int32?, text: String, logprob: Float?, alternatives: [TokenAlternative] = []) {
        self.id = id
        self.text = text
        self.logprob = logprob
        self.alternatives = alternatives
    }
}

public struct TokenAlternative: Sendable, Equatable {
    public var id: Int32?
    public var text: String
    public var logprob: Float

    public init(id: Int32?, text: String, logprob: Float) {
        self.id = id
        self.text = text
        self.logprob = logprob
    }
}

/// Why a job produced no completion, after the teacher's own retries. The run records it
/// per prompt in its summary and goes on with the others.
public struct TeacherFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// Requests made for this job, retries included.
    public var requests: Int

    public init(_ message: String, requests: Int = 1) {
        self.message = message
        self.requests = requests
    }

    public var description: String { message }
}
