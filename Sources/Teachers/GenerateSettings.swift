/// What a generate run asks of its teacher and keeps.
public struct GenerateSettings: Sendable, Equatable, Codable {
    public var samplesPerPrompt = 1
    public var maxTokens = 1024
    public var temperature: Float = 0.6
    public var topP: Float = 0.95
    public var seed: UInt64 = 0
    /// 0 keeps no alternatives; K keeps the top K of every generated token.
    public var topLogprobs = 0
    public var verify: String?
    /// Keep only traces whose verification says correct, trying up to `maxAttempts` times
    /// per sample (rejection sampling, as R1's SFT data was made).
    public var keepOnlyCorrect = false
    public var maxAttempts = 4
    /// Raw bytes per shard (MDS `size_limit`).
    public var shardSizeLimit = 1 << 26
    /// zstd level; nil writes uncompressed shards.
    public var compressionLevel: Int? = 3

    public init() {}

    public var verificationMethod: VerificationMethod? { verify.flatMap(VerificationMethod.init(rawValue:)) }

    /// The settings that decide which traces a run makes: a resumed run must match them,
    /// or the folder would mix traces of two different runs.
    var identityFields: [String: String] {
        [
            "samples_per_prompt": "\(samplesPerPrompt)", "max_tokens": "\(maxTokens)", "temperature": "\(temperature)",
            "top_p": "\(topP)", "seed": "\(seed)", "top_logprobs": "\(topLogprobs)", "verify": verify ?? "none",
            "keep": keepOnlyCorrect ? "correct" : "all", "max_attempts": keepOnlyCorrect ? "\(maxAttempts)" : "-",
        ]
    }
}
