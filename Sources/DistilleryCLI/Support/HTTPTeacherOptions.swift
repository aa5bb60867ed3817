import ArgumentParser
import Foundation
import Teachers

/// The settings of an OpenAI-compatible teacher (`--teacher http(s)://HOST/v1`). The key is
/// named, not given: `--api-key-env DEEPSEEK_API_KEY` reads that variable, so the key stays
/// out of shell history, process listings and the run's recorded command line.
struct HTTPTeacherOptions: ParsableArguments {
    @Option(help: "The endpoint's model id, e.g. deepseek-reasoner or Qwen/Qwen3-8B (required with an http(s) --teacher).")
    var teacherModel: String?

    @Option(help: "The environment variable holding the API key, e.g. DEEPSEEK_API_KEY (none: send no key).")
    var apiKeyEnv: String?

    @Option(help: "Requests in flight at once.")
    var concurrency: Int = 8

    @Flag(inversion: .prefixedNo, help: "Stream replies as server-sent events (time to first token; a stall is seen early).")
    var stream = true

    @Option(help: "Seconds a request may go without a byte from the server (a stream that keeps sending is never cut); then it is cancelled and retried.")
    var requestTimeout: Double = 600

    @Option(help: "Retries per request after 429, 5xx, timeouts, dropped connections and truncated replies.")
    var maxRetries: Int = 6

    @Option(help: "USD per million prompt tokens, for the closing cost estimate.")
    var priceIn: Double?

    @Option(help: "USD per million completion tokens, for the closing cost estimate.")
    var priceOut: Double?

    @Flag(help: "Send vLLM's return_tokens_as_token_ids, so traces get the teacher's token ids.")
    var returnTokenIDs = false

    /// The teacher configuration for `baseURL` (`--teacher`), reading the key from `environment`.
    func configuration(baseURL: String,
                       environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HTTPTeacherConfiguration {
        guard let url = HTTPTeacherConfiguration.apiRoot(baseURL) else {
            throw ValidationError("--teacher \(baseURL) is not an http(s) URL with a host, e.g. https://api.deepseek.com/v1")
        }
        guard let model = teacherModel, !model.isEmpty else {
            throw ValidationError("--teacher-model is required with an http(s) --teacher: the endpoint's model id")
        }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard requestTimeout > 0, requestTimeout.isFinite else { throw ValidationError("--request-timeout must be positive") }
        guard maxRetries >= 0 else { throw ValidationError("--max-retries must not be negative") }
        var pricing: TokenPricing?
        switch (priceIn, priceOut) {
        case (nil, nil): pricing = nil
        case let (input?, output?):
            guard input >= 0, output >= 0 else { throw ValidationError("--price-in and --price-out must not be negative") }
            pricing = TokenPricing(inputPerMillion: input, outputPerMillion: output)
        default: throw ValidationError("give both --price-in and --price-out (USD per million tokens), or neither")
        }
        var key: String?
        if let name = apiKeyEnv {
            // The message names the variable, never its value.
            guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                throw ValidationError("--api-key-env \(name): the environment variable \(name) is not set or empty; "
                    + "export \(name)=… before the run")
            }
            key = value
        }
        return HTTPTeacherConfiguration(
            baseURL: url, model: model, apiKey: key, concurrency: concurrency, stream: stream,
            requestTimeout: requestTimeout, retryPolicy: RetryPolicy(maxRetries: maxRetries),
            returnTokensAsTokenIDs: returnTokenIDs, pricing: pricing)
    }
}
