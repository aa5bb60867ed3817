import Foundation

/// How to reach an OpenAI-compatible chat completions endpoint and how hard to push it.
public struct HTTPTeacherConfiguration: Sendable, CustomStringConvertible, CustomReflectable {
    /// The API root, ending in `/v1` (`https://api.deepseek.com/v1`, `http://127.0.0.1:8080/v1`);
    /// requests go to `{baseURL}/chat/completions`.
    public var baseURL: URL
    /// The endpoint's model id (`deepseek-reasoner`, `Qwen/Qwen3-8B`).
    public var model: String
    /// The key's value, sent as `Authorization: Bearer …`; nil sends no header (local servers).
    /// It is never written to `description`, errors, logs or traces.
    public var apiKey: String?
    /// Requests in flight at once, one worker thread each.
    public var concurrency: Int
    /// Server-sent events (`stream: true`) or one JSON reply.
    public var stream: Bool
    /// Seconds a request may go without a byte from the server (before the reply starts, or
    /// between stream chunks); then it is cancelled and retried as a timeout. A live stream
    /// is never cut however long it runs.
    public var requestTimeout: Double
    public var retryPolicy: RetryPolicy
    /// Sends vLLM's `return_tokens_as_token_ids: true`, so logprob tokens come back as
    /// `"token_id:123"` and the traces get token ids. Other servers may reject the field.
    public var returnTokensAsTokenIDs: Bool
    /// USD per million tokens, for the closing estimate; nil prints no cost.
    public var pricing: TokenPricing?

    public init(baseURL: URL, model: String, apiKey: String? = nil, concurrency: Int = 8, stream: Bool = true,
                requestTimeout: Double = 600, retryPolicy: RetryPolicy = RetryPolicy(),
                returnTokensAsTokenIDs: Bool = false, pricing: TokenPricing? = nil) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.concurrency = concurrency
        self.stream = stream
        self.requestTimeout = requestTimeout
        self.retryPolicy = retryPolicy
        self.returnTokensAsTokenIDs = returnTokensAsTokenIDs
        self.pricing = pricing
    }

    /// The API root in `text`: a URL pasted with `/chat/completions` or a trailing slash
    /// still works. Nil when it is not an http(s) URL with a host.
    public static func apiRoot(_ text: String) -> URL? {
        var text = text
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix("/chat/completions") { text.removeLast("/chat/completions".count) }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host?.isEmpty == false else { return nil }
        return url
    }

    public var chatCompletionsURL: URL { baseURL.appendingPathComponent("chat/completions") }

    /// The base URL as traces, logs and errors show it: a `user:password@` in it is dropped,
    /// since some gateways take their key that way and it must not reach disk.
    public var displayedBaseURL: String {
        guard var parts = URLComponents(url: baseURL, resolvingAgainstBaseURL: false),
              parts.user != nil || parts.password != nil else { return baseURL.absoluteString }
        parts.user = nil
        parts.password = nil
        return parts.string ?? baseURL.absoluteString
    }

    /// `dump` and test failure messages read a mirror, not `description`: keep the key out of it too.
    public var customMirror: Mirror {
        Mirror(self, children: ["baseURL": displayedBaseURL, "model": model, "apiKey": apiKey == nil ? "none" : "set",
                                "concurrency": concurrency, "stream": stream, "requestTimeout": requestTimeout,
                                "retryPolicy": retryPolicy, "returnTokensAsTokenIDs": returnTokensAsTokenIDs,
                                "pricing": pricing as Any])
    }

    public var description: String {
        "\(model) at \(displayedBaseURL) (key \(apiKey == nil ? "none" : "set"), \(concurrency) in flight, "
            + "\(stream ? "streaming" : "not streaming"), timeout \(requestTimeout) s, up to \(retryPolicy.maxRetries) retries)"
    }
}

/// Prices as DeepSeek's and OpenAI's lists quote them: USD per million tokens.
public struct TokenPricing: Sendable, Equatable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    public func cost(promptTokens: Int, completionTokens: Int) -> Double {
        (Double(promptTokens) * inputPerMillion + Double(completionTokens) * outputPerMillion) / 1_000_000
    }
}
