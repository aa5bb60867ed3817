import Foundation

/// SHA-256 of model files, remembered in `.distill/model-digests.json` by path, size and
/// modification time. A teacher can be tens of gigabytes; hashing it on every run (and twice
/// when the student is pruned from it) would cost more than checking that nothing changed.
/// Stage outputs are not cached: they are hashed in full to notice damage.
final class ModelDigestCache {
    struct Entry: Codable, Equatable {
        var size: UInt64
        var modified: Double
        var sha256: String
    }

    let url: URL
    /// False for `--plan`, which must leave the output folder as it found it.
    var persists = true
    private var entries: [String: Entry]

    init(url: URL) {
        self.url = url
        entries = (try? JSONDecoder().decode([String: Entry].self, from: Data(contentsOf: url))) ?? [:]
    }

    func sha256(of file: URL) throws -> String {
        let path = file.standardizedFileURL.path
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        if let entry = entries[path], entry.size == size, entry.modified == modified { return entry.sha256 }
        let digest = try ContentDigest.file(file)
        entries[path] = Entry(size: size, modified: modified, sha256: digest)
        guard persists else { return digest }
        // Best effort: a cache that cannot be written only costs a hash next time.
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try? encoder.encode(entries).write(to: url, options: .atomic)
        return digest
    }
}
