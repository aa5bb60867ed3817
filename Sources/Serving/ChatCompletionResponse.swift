/// The answer to a non-streamed chat completion (`object: "chat.completion"`).
public struct ChatCompletion: Codable, Sendable, Equatable {
    public var id: String
    public var object = "chat.completion"
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: Usage

    public struct Choice: Codable, Sendable, Equatable {
        public var index: Int
        public var message: Message
        public var logprobs: ChoiceLogprobs?
        public var finishReason: String

        enum CodingKeys: String, CodingKey { case index, message, logprobs, finishReason = "finish_reason" }
    }

    public struct Message: Codable, Sendable, Equatable {
        public var role: String
        public var content: String
    }
}

/// One server-sent event of a streamed completion (`object: "chat.completion.chunk"`).
/// Absent values are written as `null`, as OpenAI writes them, because some clients index
/// `choices[0].delta.content` or `finish_reason` without checking for the key.
public struct ChatCompletionChunk: Codable, Sendable, Equatable {
    public var id: String
    public var object = "chat.completion.chunk"
    public var created: Int
    public var model: String
    public var choices: [Choice]
    /// Present (null) on every chunk when the client asked for usage; set on the last one.
    public var usage: Usage??

    public struct Choice: Codable, Sendable, Equatable {
        public var index: Int
        public var delta: Delta
        public var logprobs: ChoiceLogprobs?
        public var finishReason: String?

        enum CodingKeys: String, CodingKey { case index, delta, logprobs, finishReason = "finish_reason" }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(delta, forKey: .delta)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }

    public struct Delta: Codable, Sendable, Equatable {
        public var role: String?
        public var content: String?
    }

    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(model, forKey: .model)
        try c.encode(choices, forKey: .choices)
        if let usage { try c.encode(usage, forKey: .usage) }
    }
}

/// `choices[].logprobs`: one entry per generated token.
public struct ChoiceLogprobs: Codable, Sendable, Equatable {
    public var content: [TokenLogprobEntry]
}

/// A token with its log-probability and the most likely alternatives at its position.
/// `id` is not in OpenAI's schema: llama-server adds it, and with it a client that shares
/// our tokenizer gets exact ids instead of re-tokenising text.
public struct TokenLogprobEntry: Codable, Sendable, Equatable {
    public var id: Int32
    public var token: String
    public var logprob: Float
    public var bytes: [UInt8]
    public var topLogprobs: [Alternative]

    public struct Alternative: Codable, Sendable, Equatable {
        public var id: Int32
        public var token: String
        public var logprob: Float
        public var bytes: [UInt8]
    }

    enum CodingKeys: String, CodingKey { case id, token, logprob, bytes, topLogprobs = "top_logprobs" }
}

public struct Usage: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
    }
}

/// `GET /v1/models`.
public struct ModelList: Codable, Sendable, Equatable {
    public var object = "list"
    public var data: [Model]

    public struct Model: Codable, Sendable, Equatable {
        public var id: String
        public var object = "model"
        public var created: Int
        public var ownedBy = "distillery"

        enum CodingKeys: String, CodingKey { case id, object, created, ownedBy = "owned_by" }
    }
}
