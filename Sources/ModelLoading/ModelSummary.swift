import Foundation
import ModelFormats
import Tokenizers

/// What `distillery inspect` shows about a model.
public struct ModelSummary: Encodable, Sendable {
    public var path: String
    public var name: String?
    public var architecture: String
    public var parameters: Int
    public var tensorTypes: [String: Int]
    public var fileBytes: Int
    public var bitsPerWeight: Double
    public var contextLength: Int
    public var layers: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var heads: Int
    public var keyValueHeads: Int
    public var vocabularySize: Int
    public var license: String?
    /// The recognised chat-template family, or why there is none.
    public var chatTemplate: String

    enum CodingKeys: String, CodingKey {
        case path, name, architecture, parameters, license
        case tensorTypes = "tensor_types", fileBytes = "file_bytes", bitsPerWeight = "bits_per_weight"
        case contextLength = "context_length", layers, hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size", heads, keyValueHeads = "kv_heads"
        case vocabularySize = "vocab_size", chatTemplate = "chat_template"
    }

    public init(of model: LoadedModel) throws {
        let config = model.config
        path = model.location.url.path
        architecture = config.architecture
        contextLength = config.contextLength
        layers = config.layerCount
        hiddenSize = config.hiddenSize
        intermediateSize = config.intermediateSize
        heads = config.headCount
        keyValueHeads = config.keyValueHeadCount
        vocabularySize = config.vocabularySize
        if let gguf = model.gguf {
            name = try gguf.optionalString("general.name")
            license = try gguf.optionalString("general.license")
            parameters = gguf.tensors.reduce(0) { $0 + $1.elementCount }
            tensorTypes = gguf.tensors.reduce(into: [:]) { $0[$1.type.description, default: 0] += 1 }
            fileBytes = gguf.fileSize
        } else {
            name = nil
            license = nil
            parameters = 0
            tensorTypes = [:]
            fileBytes = 0
        }
        let tensorBytes = model.gguf?.tensors.reduce(0) { $0 + $1.byteCount } ?? 0
        bitsPerWeight = parameters > 0 ? Double(tensorBytes * 8) / Double(parameters) : 0
        if let source = model.chatTemplateSource {
            chatTemplate = (try? ChatTemplate(jinjaSource: source)).map { "\($0.family)" } ?? "unrecognised (use --chat-template)"
        } else {
            chatTemplate = "none"
        }
    }

    public var text: String {
        let types = tensorTypes.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        return """
        path:           \(path)
        name:           \(name ?? "-")
        architecture:   \(architecture)
        parameters:     \(String(format: "%.1f M", Double(parameters) / 1e6))
        tensor types:   \(types)
        size:           \(String(format: "%.1f MiB, %.2f bits per weight", Double(fileBytes) / 1_048_576, bitsPerWeight))
        context length: \(contextLength)
        shape:          \(layers) layers, hidden \(hiddenSize), ffn \(intermediateSize), heads \(heads)/\(keyValueHeads) kv, vocab \(vocabularySize)
        license:        \(license ?? "-")
        chat template:  \(chatTemplate)
        """
    }
}
