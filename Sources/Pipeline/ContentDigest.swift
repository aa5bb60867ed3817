import Crypto
import Foundation
import ModelLoading
import Provenance

/// SHA-256 fingerprints of what a stage reads and writes. A stage is skipped when the
/// fingerprint of its inputs and the digest of its outputs both match its record.
enum ContentDigest {
    /// SHA-256 (hex) of `parts`, each length-prefixed so no two lists collide.
    static func combine(_ parts: [String]) -> String {
        var hasher = SHA256()
        for part in parts {
            let bytes = Data(part.utf8)
            hasher.update(data: Data("\(bytes.count):".utf8))
            hasher.update(data: bytes)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// A setting struct's canonical JSON (sorted keys), so reordering a YAML file changes nothing.
    static func settings<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func file(_ url: URL) throws -> String {
        try FileDigest.sha256(of: url).hex
    }

    /// Every regular file under `folder` by relative path and content, except `manifest.json`,
    /// `README.md` and `excluding` (the provenance stage writes them into the folders of
    /// earlier stages) and dot files.
    static func folder(_ folder: URL, excluding: Set<String> = [], hash: (URL) throws -> String = file) throws -> String {
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
            throw PipelineError.stageFailed(stage: "digest", why: "\(folder.path) is not a readable folder")
        }
        let base = folder.standardizedFileURL.path
        var entries: [String] = []
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            var relative = url.standardizedFileURL.path
            if relative.hasPrefix(base) { relative.removeFirst(base.count) }
            relative = relative.trimmingCharacters(in: ["/"])
            if relative == Manifest.fileName || relative == "README.md" || excluding.contains(relative) { continue }
            entries.append(relative + " " + (try hash(url)))
        }
        return combine(entries.sorted())
    }

    /// A model as the model store resolves it: a GGUF file's or a HF folder's content.
    static func model(_ reference: String, cache: ModelDigestCache) throws -> String {
        switch try ModelStore().resolve(reference) {
        case .gguf(let url): return try cache.sha256(of: url)
        case .huggingFace(let url): return try folder(url, hash: cache.sha256(of:))
        }
    }
}
