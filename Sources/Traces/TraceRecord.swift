import Foundation

/// One teacher completion as the trace shards store it: what the student trainer reads and
/// what `traces export` turns into SFT JSONL. Column layout in `TraceRecord.columns`.
public struct TraceRecord: Sendable, Equatable {
    /// Hex sha256 of prompt, teacher, sampling settings and sample index (`TraceID`): the same
    /// trace of a rerun or a resumed run has the same id.
    public var id: String
    /// The prompt file's `id` field, or the hex sha256 of the prompt when it has none.
    public var promptID: String
    public var sampleIndex: Int
    /// Which try of rejection sampling this is (0 when every trace is kept).
    public var attempt: Int
    /// The prompt messages, as given: the teacher's answer is not among them.
    public var messages: [TraceMessage]
    /// The chain of thought: the endpoint's `reasoning_content`, or the text inside `<think>…</think>`.
    public var reasoning: String
    /// What follows the reasoning.
    public var answer: String
    /// The completion exactly as the teacher wrote it (think tags included), which is what
    /// `tokenIDs` encode.
    public var completion: String
    /// The prompt's reference answer, "" when it had none.
    public var referenceAnswer: String
    public var verification: TraceVerification?
    public var teacher: TraceTeacher
    public var sampling: TraceSampling
    /// `stop`, `length`, or what the endpoint said.
    public var finishReason: String
    public var promptTokens: Int
    public var completionTokens: Int
    public var timings: TraceTimings
    /// The completion's token ids; empty when the teacher did not give them.
    public var tokenIDs: [Int32]
    /// Log-probability of each generated token under the teacher (temperature 1); empty when unknown.
    public var tokenLogprobs: [Float]
    /// K alternatives per generated token, row-major `[tokenIDs.count, topK]`, best first,
    /// padded with id -1 and logprob -infinity (TRL's convention, MDS.md §8). Empty when topK is 0.
    public var topK: Int
    public var topIDs: [Int32]
    public var topLogprobs: [Float]
    /// The prompt line's other fields, as a JSON object text.
    public var metadata: String

    public init(id: String, promptID: String, sampleIndex: Int, attempt: Int, messages: [TraceMessage],
                reasoning: String, answer: String, completion: String, referenceAnswer: String,
                verification: TraceVerification?, teacher: TraceTeacher, sampling: TraceSampling,
                finishReason: String, promptTokens: Int, completionTokens: Int, timings: TraceTimings,
                tokenIDs: [Int32] = [], tokenLogprobs: [Float] = [], topK: Int = 0, topIDs: [Int32] = [],
                topLogprobs: [Float] = [], metadata: String = "{}") {
        self.id = id
        self.promptID = promptID
        self.sampleIndex = sampleIndex
        self.attempt = attempt
        self.messages = messages
        self.reasoning = reasoning
        self.answer = answer
        self.completion = completion
        self.referenceAnswer = referenceAnswer
        self.verification = verification
        self.teacher = teacher
        self.sampling = sampling
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.timings = timings
        self.tokenIDs = tokenIDs
        self.tokenLogprobs = tokenLogprobs
        self.topK = topK
        self.topIDs = topIDs
        self.topLogprobs = topLogprobs
        self.metadata = metadata
    }
}

public struct TraceMessage: Sendable, Equatable, Codable {
    public var role: String
    public var content: String
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

public struct TraceVerification: Sendable, Equatable, Codable {
    /// `numeric`, `exact` or `boxed`.
    public var method: String
    public var correct: Bool
    /// The answer the verifier took from the completion, nil when it found none.
    public var extracted: String?
    public init(method: String, correct: Bool, extracted: String?) {
        self.method = method
        self.correct = correct
        self.extracted = extracted
    }
}

public struct TraceTeacher: Sendable, Equatable, Codable {
    /// The model's name: a local file's or folder's name, or the endpoint's model id.
    public var model: String
    /// sha256 of a local model file; nil for an endpoint or a folder.
    public var sha256: String?
    /// The endpoint's base URL; nil for a local model.
    public var endpoint: String?
    public init(model: String, sha256: String? = nil, endpoint: String? = nil) {
        self.model = model
        self.sha256 = sha256
        self.endpoint = endpoint
    }
}

public struct TraceSampling: Sendable, Equatable, Codable {
    public var temperature: Double
    public var topP: Double
    public var maxTokens: Int
    /// The seed this attempt was sampled with.
    public var seed: UInt64
    public var topLogprobs: Int
    public init(temperature: Double, topP: Double, maxTokens: Int, seed: UInt64, topLogprobs: Int) {
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.seed = seed
        self.topLogprobs = topLogprobs
    }
    enum CodingKeys: String, CodingKey {
        case temperature, topP = "top_p", maxTokens = "max_tokens", seed, topLogprobs = "top_logprobs"
    }
}

public struct TraceTimings: Sendable, Equatable, Codable {
    /// Seconds from sending the request (or admitting the prompt) to the first token.
    public var firstTokenSeconds: Double?
    public var totalSeconds: Double
    public init(firstTokenSeconds: Double?, totalSeconds: Double) {
        self.firstTokenSeconds = firstTokenSeconds
        self.totalSeconds = totalSeconds
    }
    enum CodingKeys: String, CodingKey {
        case firstTokenSeconds = "first_token_s", totalSeconds = "total_s"
    }
}
