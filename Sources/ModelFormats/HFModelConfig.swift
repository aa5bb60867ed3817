import Foundation

/// The subset of a Hugging Face `config.json` that a dense Llama-family decoder needs, with
/// transformers' defaults applied, for `llama`, `qwen2` and `mistral` checkpoints.
///
/// Reads both the transformers 4 spelling (`rope_theta`, `rope_scaling`) and the
/// transformers 5 one (`rope_parameters`); writes the transformers 4 spelling, which every
/// version of transformers and llama.cpp's converter read.
public struct HFModelConfig: Codable, Sendable, Equatable {
    public enum Architecture: String, Codable, Sendable, CaseIterable {
        case llama, qwen2, mistral

        /// The `architectures[0]` class name transformers writes.
        public var causalLMClass: String {
            switch self {
            case .llama: return "LlamaForCausalLM"
            case .qwen2: return "Qwen2ForCausalLM"
            case .mistral: return "MistralForCausalLM"
            }
        }
    }

    /// Llama 3.1-style frequency scaling (GGUF.md §8.4); the only scaling we implement.
    public struct RopeScaling: Codable, Sendable, Equatable {
        public var factor: Double
        public var lowFreqFactor: Double
        public var highFreqFactor: Double
        public var originalMaxPositionEmbeddings: Int

        public init(factor: Double = 8, lowFreqFactor: Double = 1, highFreqFactor: Double = 4,
                    originalMaxPositionEmbeddings: Int = 8192) {
            self.factor = factor
            self.lowFreqFactor = lowFreqFactor
            self.highFreqFactor = highFreqFactor
            self.originalMaxPositionEmbeddings = originalMaxPositionEmbeddings
        }
    }

    public var architecture: Architecture
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    /// Defaults to `numAttentionHeads` (no grouped-query attention).
    public var numKeyValueHeads: Int
    /// Defaults to `hiddenSize / numAttentionHeads`.
    public var headDim: Int
    public var rmsNormEps: Double
    public var ropeTheta: Double
    public var ropeScaling: RopeScaling?
    public var maxPositionEmbeddings: Int
    public var vocabSize: Int
    public var tieWordEmbeddings: Bool
    /// The `attention_bias` key (llama: biases on q, k, v and o). See `hasQKVBias`.
    public var attentionBias: Bool
    /// `bos_token_id` / `eos_token_id`, each an int or a list in the file; empty when null.
    public var bosTokenIds: [Int]
    public var eosTokenIds: [Int]
    /// Sliding-window attention span, nil when the model attends to the whole context
    /// (qwen2 ships a `sliding_window` value with `use_sliding_window: false`).
    public var slidingWindow: Int?
    /// `torch_dtype` / `dtype` as written (e.g. "bfloat16"); nil when absent.
    public var torchDtype: String?

    /// Qwen2 always has q/k/v projection biases, whether or not `attention_bias` is present.
    public var hasQKVBias: Bool { architecture == .qwen2 || (architecture == .llama && attentionBias) }
    /// Only llama's `attention_bias` puts a bias on the output projection.
    public var hasOutputBias: Bool { architecture == .llama && attentionBias }

    public init(architecture: Architecture, hiddenSize: Int, intermediateSize: Int, numHiddenLayers: Int,
                numAttentionHeads: Int, numKeyValueHeads: Int? = nil, headDim: Int? = nil,
                rmsNormEps: Double = 1e-6, ropeTheta: Double = 10000, ropeScaling: RopeScaling? = nil,
                maxPositionEmbeddings: Int = 2048, vocabSize: Int, tieWordEmbeddings: Bool = false,
                attentionBias: Bool = false, bosTokenIds: [Int] = [], eosTokenIds: [Int] = [],
                slidingWindow: Int? = nil, torchDtype: String? = nil) {
        self.architecture = architecture
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.numKeyValueHeads = numKeyValueHeads ?? numAttentionHeads
        self.headDim = headDim ?? (numAttentionHeads > 0 ? hiddenSize / numAttentionHeads : 0)
        self.rmsNormEps = rmsNormEps
        self.ropeTheta = ropeTheta
        self.ropeScaling = ropeScaling
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.vocabSize = vocabSize
        self.tieWordEmbeddings = tieWordEmbeddings
        self.attentionBias = attentionBias
        self.bosTokenIds = bosTokenIds
        self.eosTokenIds = eosTokenIds
        self.slidingWindow = slidingWindow
        self.torchDtype = torchDtype
    }

    /// Reads and validates `config.json`; errors name the file and the field.
    public init(url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw HFConfigError(file: url.path, "cannot read (\(error.localizedDescription))")
        }
        try self.init(json: data, file: url.path)
    }

    public init(json: Data, file: String? = nil) throws {
        do {
            self = try JSONDecoder().decode(HFModelConfig.self, from: json)
        } catch var error as HFConfigError {
            error.file = file
            throw error
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw HFConfigError(file: file, "field '\(Self.path(context.codingPath))' has the wrong type: \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw HFConfigError(file: file, "required field '\(Self.path(context.codingPath + [key]))' is missing")
        } catch {
            throw HFConfigError(file: file, "not valid JSON (\(error.localizedDescription))")
        }
    }

    /// Writes pretty-printed JSON with sorted keys to a temporary file and renames it into place.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(self)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw HFConfigError(file: url.path, "cannot write (\(error.localizedDescription))")
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}

/// A `config.json` that cannot be used, with the file and the field at fault.
public struct HFConfigError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    public var file: String?
    public let reason: String

    public init(file: String? = nil, _ reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { (file ?? "config.json") + ": " + reason }
    public var errorDescription: String? { description }
}
