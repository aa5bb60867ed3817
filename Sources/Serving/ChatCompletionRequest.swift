/// The body of `POST /v1/chat/completions`, the fields of OpenAI's Chat Completions API
/// that a local model can honour, plus vLLM's `top_k`, `min_p` and `repetition_penalty`.
/// Fields we cannot honour (tools, response_format, …) are ignored, as vLLM does.
public struct ChatCompletionRequest: Decodable, Sendable {
    /// Accepted but not checked: the server has one model, and a teacher client configured
    /// with another name for it should still work (llama-server does the same).
    public var model: String?
    public var messages: [Message]
    public var maxTokens: Int?
    /// The newer name for `max_tokens`; wins when both are given.
    public var maxCompletionTokens: Int?
    public var temperature: Float?
    public var topP: Float?
    public var topK: Int?
    public var minP: Float?
    public var repetitionPenalty: Float?
    public var seed: UInt64?
    public var stop: [String]
    public var stream: Bool
    public var streamOptions: StreamOptions?
    public var logprobs: Bool
    public var topLogprobs: Int?
    public var n: Int?

    public struct Message: Decodable, Sendable {
        public var role: String
        public var content: String

        enum CodingKeys: String, CodingKey { case role, content }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            role = try c.decode(String.self, forKey: .role)
            // content is a string, an array of parts, or null (an assistant turn that only called tools).
            if try c.decodeNil(forKey: .content) {
                content = ""
            } else if let text = try? c.decode(String.self, forKey: .content) {
                content = text
            } else {
                let parts = try c.decode([ContentPart].self, forKey: .content)
                content = try parts.map { part in
                    guard part.type == "text", let text = part.text else {
                        throw APIError.badRequest("content part of type '\(part.type)' is not supported; this server takes text only",
                                                  code: "unsupported_content")
                    }
                    return text
                }.joined()
            }
        }
    }

    struct ContentPart: Decodable {
        var type: String
        var text: String?
    }

    public struct StreamOptions: Decodable, Sendable {
        public var includeUsage: Bool?
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature, seed, stop, stream, logprobs, n
        case maxTokens = "max_tokens", maxCompletionTokens = "max_completion_tokens"
        case topP = "top_p", topK = "top_k", minP = "min_p", repetitionPenalty = "repetition_penalty"
        case streamOptions = "stream_options", topLogprobs = "top_logprobs"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        messages = try c.decode([Message].self, forKey: .messages)
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens)
        maxCompletionTokens = try c.decodeIfPresent(Int.self, forKey: .maxCompletionTokens)
        temperature = try c.decodeIfPresent(Float.self, forKey: .temperature)
        topP = try c.decodeIfPresent(Float.self, forKey: .topP)
        topK = try c.decodeIfPresent(Int.self, forKey: .topK)
        minP = try c.decodeIfPresent(Float.self, forKey: .minP)
        repetitionPenalty = try c.decodeIfPresent(Float.self, forKey: .repetitionPenalty)
        // OpenAI's seed is a signed 64-bit integer; its bits seed the generator.
        if let signed = try? c.decodeIfPresent(Int64.self, forKey: .seed) {
            seed = UInt64(bitPattern: signed)
        } else {
            seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        }
        if let one = try? c.decodeIfPresent(String.self, forKey: .stop) {
            stop = [one]
        } else {
            stop = try c.decodeIfPresent([String].self, forKey: .stop) ?? []
        }
        stream = try c.decodeIfPresent(Bool.self, forKey: .stream) ?? false
        streamOptions = try c.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        logprobs = try c.decodeIfPresent(Bool.self, forKey: .logprobs) ?? false
        topLogprobs = try c.decodeIfPresent(Int.self, forKey: .topLogprobs)
        n = try c.decodeIfPresent(Int.self, forKey: .n)
    }

    /// Checks what decoding cannot: ranges and combinations, with OpenAI's messages.
    func validate() throws {
        if let n, n != 1 { throw APIError.badRequest("n=\(n) is not supported; this server returns one choice (n=1)", code: "unsupported_parameter") }
        guard !messages.isEmpty else { throw APIError.badRequest("messages must not be empty") }
        if let limit = maxCompletionTokens ?? maxTokens, limit < 1 {
            throw APIError.badRequest("max_tokens must be at least 1 (got \(limit))")
        }
        if let temperature, !(0...2).contains(temperature) {
            throw APIError.badRequest("temperature must be between 0 and 2 (got \(temperature))")
        }
        if let topP, !(topP > 0 && topP <= 1) { throw APIError.badRequest("top_p must be in (0, 1] (got \(topP))") }
        if let topK, topK < 0 { throw APIError.badRequest("top_k must not be negative (got \(topK))") }
        if let minP, !(0..<1).contains(minP) { throw APIError.badRequest("min_p must be in [0, 1) (got \(minP))") }
        if let repetitionPenalty, !(repetitionPenalty > 0) {
            throw APIError.badRequest("repetition_penalty must be positive (got \(repetitionPenalty))")
        }
        if let topLogprobs {
            guard (0...20).contains(topLogprobs) else {
                throw APIError.badRequest("top_logprobs must be between 0 and 20 (got \(topLogprobs))")
            }
            guard logprobs || topLogprobs == 0 else { throw APIError.badRequest("logprobs must be set to true if top_logprobs is used") }
        }
    }
}
