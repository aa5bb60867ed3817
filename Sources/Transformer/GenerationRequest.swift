/// One sequence to generate with the continuous batcher.
public struct GenerationRequest: Sendable {
    public var prompt: [Int32]
    public var maxTokens: Int
    /// Each request samples with its own seeded sampler, so its tokens do not depend on
    /// which other requests share its batch.
    public var sampling: SamplingSettings
    public var stopTokens: Set<Int32>
    /// 0 reports no alternatives; K reports the K most likely tokens of every step.
    public var topLogprobs: Int

    public init(prompt: [Int32], maxTokens: Int, sampling: SamplingSettings, stopTokens: Set<Int32>, topLogprobs: Int = 0) {
        self.prompt = prompt
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stopTokens = stopTokens
        self.topLogprobs = topLogprobs
    }
}

public struct TokenLogprob: Sendable, Equatable {
    public var token: Int32
    public var logprob: Float

    public init(token: Int32, logprob: Float) {
        self.token = token
        self.logprob = logprob
    }
}

/// A sampled token and what the model thought of it.
public struct GeneratedToken: Sendable, Equatable {
    public var token: Int32
    /// log-softmax of the raw logits (temperature 1, no penalties), as vLLM and
    /// llama-server report it: the teacher's own distribution, which distillation wants.
    public var logprob: Float
    /// The `topLogprobs` most likely tokens of that distribution, best first.
    public var top: [TokenLogprob]

    public init(token: Int32, logprob: Float, top: [TokenLogprob]) {
        self.token = token
        self.logprob = logprob
        self.top = top
    }
}

public struct GenerationOutcome: Sendable {
    public var tokens: [GeneratedToken]
    public var promptTokenCount: Int
    public var finishReason: FinishReason
    /// From `submit` to the first generated token (queueing and prefill included).
    public var firstTokenSeconds: Double
    public var totalSeconds: Double
}
