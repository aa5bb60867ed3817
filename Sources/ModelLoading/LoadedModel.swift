import Foundation
import ModelFormats
import Tokenizers
import Transformer

/// A model ready to run, with what the commands show about it.
public struct LoadedModel: @unchecked Sendable {
    public let location: ModelLocation
    public let decoder: DecoderModel
    /// The GGUF file when the model came from one (its metadata, tensor list).
    public let gguf: GGUFFile?
    public let tokenizer: BPETokenizer
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
                               tokenizer: try GGUFTokenizerLoader.tokenizer(of: file),
                               chatTemplateSource: try file.optionalString("tokenizer.chat_template"))
        case .huggingFace(let url):
            let tokenizerFile = url.appendingPathComponent("tokenizer.json")
            guard FileManager.default.fileExists(atPath: tokenizerFile.path) else {
                throw ModelLoadingError.missingTokenizer(directory: url.path)
            }
            let configFile = url.appendingPathComponent("tokenizer_config.json")
            let tokenizer = try BPETokenizer(
                tokenizerJSON: tokenizerFile,
                tokenizerConfig: FileManager.default.fileExists(atPath: configFile.path) ? configFile : nil)
            return LoadedModel(location: location,
                               decoder: try HFModelLoader.decoder(directory: url, threads: threads),
                               gguf: nil,
                               tokenizer: tokenizer,
                               chatTemplateSource: try ChatTemplate.jinjaSource(inHuggingFaceFolder: url))
        }
    }

    /// The chat template to use: the named override, else the model's own.
    public func chatTemplate(override name: String? = nil) throws -> ChatTemplate {
        if let name { return try ChatTemplate.named(name) }
        guard let source = chatTemplateSource else {
            throw ModelLoadingError.invalidMetadata(key: "tokenizer.chat_template", file: location.url.lastPathComponent,
                                                    why: "is missing; pass --chat-template chatml|qwen2.5|llama3|deepseek-r1")
        }
        return try ChatTemplate(jinjaSource: source)
    }

    /// Tokenises `text` as the model's metadata says (BOS or not), special tokens parsed.
    public func encode(_ text: String) -> [Int32] {
        tokenizer.encode(text, addSpecialTokens: true, parseSpecialTokens: true)
    }

    public static var defaultThreadCount: Int { ProcessInfo.processInfo.activeProcessorCount }
}
