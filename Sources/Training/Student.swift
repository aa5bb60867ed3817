import Foundation
import ModelFormats
import Transformer

/// The model being trained: every parameter in one Float32 buffer laid out by
/// `ParameterLayout` (Hugging Face names, PyTorch shapes, Q/K rows in half-rotation order),
/// with the `config.json` and tokenizer files it is saved with.
///
/// Made by `pretrained(reference:)`, `pruned(teacher:keepLayers:)`, `fresh(configFile:tokenizerFrom:seed:)`
/// or `Checkpoint.load(folder:)`; saved by `CheckpointWriter`.
public final class Student: @unchecked Sendable {
    /// `ropeStyle` is always `.halves`.
    public let config: ModelConfig
    /// What `config.json` says; kept beside `config` because it carries what the engine's
    /// config does not (rope scaling parameters, bos/eos ids, sliding window).
    public let huggingFaceConfig: HFModelConfig
    public let layout: ParameterLayout
    /// `layout.totalCount` floats.
    public let parameters: FloatBuffer
    public let tokenizer: StudentTokenizer

    /// `parameters` must hold `ParameterLayout(config:).totalCount` floats.
    public init(config: ModelConfig, huggingFaceConfig: HFModelConfig, parameters: FloatBuffer,
                tokenizer: StudentTokenizer) throws {
        guard config.ropeStyle == .halves else {
            throw TrainingError.studentInitialisation("a student rotates halves (Hugging Face order); un-permute Q/K rows first")
        }
        let layout = ParameterLayout(config: config)
        guard parameters.count == layout.totalCount else {
            throw TrainingError.studentInitialisation(
                "the parameter buffer holds \(parameters.count) floats, the layout needs \(layout.totalCount)")
        }
        self.config = config
        self.huggingFaceConfig = huggingFaceConfig
        self.layout = layout
        self.parameters = parameters
        self.tokenizer = tokenizer
    }

    /// The values of one tensor of the layout (a copy).
    public func values(of name: String) -> [Float]? {
        guard let t = layout.tensor(named: name) else { return nil }
        return Array(UnsafeBufferPointer(start: parameters.pointer + t.offset, count: t.count))
    }

    /// A runnable decoder over the current parameters (no copy: the weights point into the
    /// buffer, which the decoder keeps alive), for evaluating or sampling the student.
    public func decoder(threads: Int) throws -> DecoderModel {
        let base = parameters.pointer
        func matrix(_ name: String) throws -> LinearWeight {
            guard let t = layout.tensor(named: name), t.shape.count == 2 else {
                throw TrainingError.studentInitialisation("the layout has no matrix \(name)")
            }
            return try LinearWeight(name: name, rows: t.shape[0], columns: t.shape[1], floats: base + t.offset, owner: parameters)
        }
        func vector(_ name: String) -> [Float]? { values(of: name) }
        let layers = try (0..<config.layerCount).map { l -> DecoderLayerWeights in
            let n = ParameterNames(layer: l)
            return DecoderLayerWeights(
                attentionNorm: vector(n.attentionNorm) ?? [], query: try matrix(n.query), key: try matrix(n.key),
                value: try matrix(n.value), attentionOutput: try matrix(n.attentionOutput),
                queryBias: vector(n.queryBias), keyBias: vector(n.keyBias), valueBias: vector(n.valueBias),
                feedForwardNorm: vector(n.feedForwardNorm) ?? [], gate: try matrix(n.gate), up: try matrix(n.up),
                down: try matrix(n.down))
        }
        let embedding = try matrix(ParameterNames.embedding)
        let head = config.tiedEmbeddings ? embedding : try matrix(ParameterNames.outputHead)
        let weights = DecoderWeights(tokenEmbedding: embedding, layers: layers,
                                     outputNorm: vector(ParameterNames.outputNorm) ?? [], outputHead: head)
        return try DecoderModel(config: config, weights: weights, threads: threads)
    }
}

/// The files a student's tokenizer is saved as, ready to write: `tokenizer.json`,
/// `tokenizer_config.json` (with the chat template) and `generation_config.json`, plus
/// `special_tokens_map.json` / `chat_template.jinja` when the source folder had them.
/// From a Hugging Face folder they are its own bytes; from a GGUF file they are written by
/// `TokenizerJSONWriter`.
public struct StudentTokenizer: Sendable, Equatable {
    /// File name → contents.
    public var files: [String: Data]

    /// The names copied from a Hugging Face folder when present.
    public static let fileNames = ["tokenizer.json", "tokenizer_config.json", "generation_config.json",
                                   "special_tokens_map.json", "chat_template.jinja"]

    public init(files: [String: Data]) {
        self.files = files
    }

    /// Reads the tokenizer files of a Hugging Face folder (or a checkpoint); `tokenizer.json`
    /// is required.
    public init(huggingFaceFolder folder: URL) throws {
        var files: [String: Data] = [:]
        for name in Self.fileNames {
            let url = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            do { files[name] = try Data(contentsOf: url) } catch {
                throw TrainingError.studentInitialisation("cannot read \(url.path): \(error.localizedDescription)")
            }
        }
        guard files["tokenizer.json"] != nil else {
            throw TrainingError.studentInitialisation("\(folder.path) has no tokenizer.json; a student is saved with its tokenizer")
        }
        self.files = files
    }

    /// `generation_config.json` as transformers writes it for these ids.
    static func generationConfig(bos: [Int], eos: [Int]) -> Data {
        func ids(_ list: [Int]) -> Any { list.isEmpty ? NSNull() : list.count == 1 ? list[0] as Any : list as Any }
        let object: [String: Any] = ["_from_model_config": true, "bos_token_id": ids(bos), "eos_token_id": ids(eos)]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
    }
}
