import Foundation

/// Where models live on this machine: `$DISTILLERY_HOME/models/<name>/` (default
/// `~/.cache/distillery`), each folder holding one GGUF file or a Hugging Face folder.
/// A model is named by a path or by its folder name, e.g. `smollm2-135m-instruct`.
public struct ModelStore: Sendable {
    public let home: URL

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let custom = environment["DISTILLERY_HOME"], !custom.isEmpty {
            home = URL(fileURLWithPath: custom, isDirectory: true)
        } else {
            home = FileManager.default.homeDirectoryForCurrentUser
                .appendingPathComponent(".cache/distillery", isDirectory: true)
        }
    }

    public var modelsDirectory: URL { home.appendingPathComponent("models", isDirectory: true) }

    /// The names of the cached models.
    public func cachedModels() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: modelsDirectory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Resolves a path or cache name to the model file (GGUF) or folder (Hugging Face).
    public func resolve(_ reference: String) throws -> ModelLocation {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: reference, isDirectory: &isDirectory) {
            let url = URL(fileURLWithPath: reference)
            return isDirectory.boolValue ? try locate(inDirectory: url) : .gguf(url)
        }
        let cached = modelsDirectory.appendingPathComponent(reference, isDirectory: true)
        if !reference.contains("/"), fileManager.fileExists(atPath: cached.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return try locate(inDirectory: cached)
        }
        throw ModelLoadingError.notFound(reference: reference, cacheDirectory: modelsDirectory.path, cached: cachedModels())
    }

    private func locate(inDirectory directory: URL) throws -> ModelLocation {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        if names.contains("config.json"), names.contains(where: { $0.hasSuffix(".safetensors") }) {
            return .huggingFace(directory)
        }
        let ggufs = names.filter { $0.hasSuffix(".gguf") }.sorted()
        if let first = ggufs.first { return .gguf(directory.appendingPathComponent(first)) }
        throw ModelLoadingError.noModelFile(directory: directory.path)
    }
}

/// A model on disk, by format.
public enum ModelLocation: Sendable, Equatable {
    case gguf(URL)
    case huggingFace(URL)

    public var url: URL {
        switch self {
        case .gguf(let url), .huggingFace(let url): return url
        }
    }
}
