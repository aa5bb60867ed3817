/// Errors met while finding and loading a model; each names the model and how to fix it.
public enum ModelLoadingError: Error, CustomStringConvertible {
    case notFound(reference: String, cacheDirectory: String, cached: [String])
    case noModelFile(directory: String)
    case missingTokenizer(directory: String)
    case unsupportedArchitecture(String, file: String)
    case missingTensor(String, file: String)
    case invalidMetadata(key: String, file: String, why: String)

    public var description: String {
        switch self {
        case .notFound(let reference, let cacheDirectory, let cached):
            let available = cached.isEmpty ? "the cache is empty" : "cached: \(cached.joined(separator: ", "))"
            return "no model '\(reference)': it is neither a file or folder nor a model in \(cacheDirectory) (\(available)). Give a path, or run scripts/setup.sh to fetch the default teacher."
        case .noModelFile(let directory):
            return "\(directory) holds no model: expected one .gguf file, or config.json with *.safetensors"
        case .missingTokenizer(let directory):
            return "\(directory) has weights but no tokenizer.json: copy the base model's tokenizer.json into it"
        case .unsupportedArchitecture(let architecture, let file):
            return "\(file): architecture '\(architecture)' is not supported; Distillery runs llama, qwen2 and mistral dense decoders"
        case .missingTensor(let name, let file):
            return "\(file): tensor '\(name)' is missing; the file is incomplete or not a dense decoder"
        case .invalidMetadata(let key, let file, let why):
            return "\(file): metadata '\(key)' \(why)"
        }
    }
}
