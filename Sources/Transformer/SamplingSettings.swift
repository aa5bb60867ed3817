/// How the next token is chosen. Defaults are llama.cpp's (`common_params_sampling`), so a
/// user moving between the two gets the same behaviour; temperature 0 is greedy.
public struct SamplingSettings: Sendable, Codable, Equatable {
    public var temperature: Float = 0.8
    /// Keep only the K most likely tokens; 0 keeps all.
    public var topK: Int = 40
    /// Keep the smallest set of most likely tokens whose probability reaches P; 1 keeps all.
    public var topP: Float = 0.95
    /// Drop tokens less likely than min-p × the most likely one's probability (Nguyen et al. 2024).
    public var minP: Float = 0.05
    /// Divide positive logits (multiply negative ones) of recently seen tokens (Keskar et al. 2019).
    public var repetitionPenalty: Float = 1
    /// How many of the latest tokens the repetition penalty looks at.
    public var repetitionWindow: Int = 64
    public var seed: UInt64 = 0

    public init() {}

    public static let greedy: SamplingSettings = {
        var settings = SamplingSettings()
        settings.temperature = 0
        return settings
    }()

    public var isGreedy: Bool { temperature <= 0 }
}

/// SplitMix64 (Steele et al. 2014): a small, fast generator whose stream is fixed by its
/// seed on every platform, so a sampled run is reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 24 bits, exactly representable as Float.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }
}
