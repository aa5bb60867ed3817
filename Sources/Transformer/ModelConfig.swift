/// The hyperparameters of a dense Llama-family decoder (Llama 2/3, Qwen2/2.5, Mistral,
/// SmolLM), in the terms `config.json` uses.
public struct ModelConfig: Sendable, Equatable {
    /// Which elements RoPE rotates together. llama.cpp's GGUF files for `llama` store Q/K
    /// rows permuted for adjacent pairs; Hugging Face checkpoints and `qwen2` rotate halves
    /// (GGUF.md §10).
    public enum RoPEStyle: String, Sendable { case adjacentPairs, halves }

    public var architecture: String
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var keyValueHeadCount: Int
    public var headDimension: Int
    public var vocabularySize: Int
    public var contextLength: Int
    public var rmsNormEpsilon: Float
    public var ropeTheta: Float
    public var ropeStyle: RoPEStyle
    /// Per-frequency divisors for Llama 3.1 rope scaling (`rope_freqs.weight`, GGUF.md §8.4);
    /// nil when the model has no scaling.
    public var ropeFrequencyFactors: [Float]?
    public var hasAttentionBias: Bool
    public var tiedEmbeddings: Bool

    public init(architecture: String, hiddenSize: Int, intermediateSize: Int, layerCount: Int,
                headCount: Int, keyValueHeadCount: Int, headDimension: Int, vocabularySize: Int,
                contextLength: Int, rmsNormEpsilon: Float, ropeTheta: Float, ropeStyle: RoPEStyle,
                ropeFrequencyFactors: [Float]? = nil, hasAttentionBias: Bool = false, tiedEmbeddings: Bool = true) {
        self.architecture = architecture
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.keyValueHeadCount = keyValueHeadCount
        self.headDimension = headDimension
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.rmsNormEpsilon = rmsNormEpsilon
        self.ropeTheta = ropeTheta
        self.ropeStyle = ropeStyle
        self.ropeFrequencyFactors = ropeFrequencyFactors
        self.hasAttentionBias = hasAttentionBias
        self.tiedEmbeddings = tiedEmbeddings
    }

    public var queryDimension: Int { headCount * headDimension }
    public var keyValueDimension: Int { keyValueHeadCount * headDimension }

    /// Checks the shape facts every kernel relies on, so a bad file fails here with a
    /// message instead of reading out of bounds later.
    public func validate() throws {
        func fail(_ why: String) -> TransformerError { .invalidConfig(why) }
        guard hiddenSize > 0, intermediateSize > 0, layerCount > 0, headCount > 0,
              keyValueHeadCount > 0, headDimension > 0, vocabularySize > 0, contextLength > 0 else {
            throw fail("every dimension must be positive (hidden \(hiddenSize), ffn \(intermediateSize), layers \(layerCount), heads \(headCount)/\(keyValueHeadCount), head_dim \(headDimension), vocab \(vocabularySize), context \(contextLength))")
        }
        guard headCount % keyValueHeadCount == 0 else {
            throw fail("\(headCount) attention heads are not a multiple of \(keyValueHeadCount) key/value heads")
        }
        guard headDimension % 2 == 0 else { throw fail("head dimension \(headDimension) is odd; RoPE needs pairs") }
        if let factors = ropeFrequencyFactors, factors.count != headDimension / 2 {
            throw fail("rope_freqs has \(factors.count) values, expected head_dim/2 = \(headDimension / 2)")
        }
        guard rmsNormEpsilon.isFinite, rmsNormEpsilon >= 0, ropeTheta.isFinite, ropeTheta > 0 else {
            throw fail("rms_norm_eps \(rmsNormEpsilon) and rope_theta \(ropeTheta) must be finite and positive")
        }
    }
}
