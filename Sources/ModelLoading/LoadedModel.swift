import Foundation
import ModelFormats
import Transformer

/// A model ready to run, with what the commands show about it.
public struct LoadedModel: @unchecked Sendable {
    public let location: ModelLocation
    public let decoder: DecoderModel
    /// The GGUF file when the model came from one (its metadata, tensor list).
    public let gguf: GGUFFile?
    /// The Jinja chat template the model ships, if any.
    public let chatTemplateSource: String?

    public var config: ModelConfig { decoder.config }

    /// Loads a model named by a path or a cache name (see `ModelStore`).
    public static func load(_ reference: String, threads: Int = defaultThreadCount,
                            store: ModelStore = ModelStore()) throws -> LoadedModel {
        let location = try store.resolve(reference)
        switch location {
        case .gguf(let url):
            let file = try GGUFFile(url: url)
            let config = try GGUFModelLoader.config(of: file)
            try config.validate()
            let weights = try GGUFModelLoader.weights(of: file, config: config)
            return LoadedModel(location: location,
                               decoder: try DecoderModel(config: config, weights: weights, threads: threads),
                               gguf: file,
                               chatTemplateSource: try file.optionalString("tokenizer.chat_template"))
        case .huggingFace(let url):
            throw ModelLoadingError.noModelFile(directory: url.path)
        }
    }

    public static var defaultThreadCount: Int { ProcessInfo.processInfo.activeProcessorCount }
}
