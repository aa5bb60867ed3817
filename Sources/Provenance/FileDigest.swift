import Crypto
import Foundation

/// SHA-256 of a file read in 4 MiB chunks, so a 40 GB GGUF never sits in memory.
public enum FileDigest {
    static let chunkSize = 4 << 20

    public static func sha256(of url: URL) throws(ProvenanceError) -> (hex: String, size: UInt64) {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: UInt64 = 0
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: chunkSize) } catch {
                throw .unreadable(path: url.path, reason: error.localizedDescription)
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
            size += UInt64(chunk.count)
        }
        return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), size)
    }
}
