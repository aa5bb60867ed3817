import Crypto
import Foundation

/// The sha256 of a shard's raw and compressed bytes (MDS.md §5), computed on a second core
/// while zstd compresses on the writer's: hashing 40 MB costs about a fifth of compressing
/// it at level 3, which is most of what the writer spends beyond zstd itself (BENCHMARKS.md).
/// The work runs in order on one serial queue; `finish()` waits for it.
final class ShardHasher: @unchecked Sendable {
    private let queue = DispatchQueue(label: "distillery.shard-hash")
    private var raw = SHA256()
    private var zip = SHA256()

    /// Hashes the raw shard, `head` then `body`. The caller keeps both buffers alive and
    /// unchanged until `finish()` returns.
    func hashRaw(_ head: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer) {
        let parts = UnsafeParts(head: head, body: body)
        queue.async {
            self.raw.update(bufferPointer: parts.head)
            self.raw.update(bufferPointer: parts.body)
        }
    }

    /// Hashes the next piece of the compressed file (copied: zstd reuses its output buffer).
    func hashCompressed(_ chunk: UnsafeRawBufferPointer) {
        let copy = [UInt8](chunk)
        queue.async { self.zip.update(data: copy) }
    }

    /// Lower-case hex digests of the raw and compressed bytes.
    func finish() -> (raw: String, compressed: String) {
        queue.sync { (Self.hex(raw.finalize()), Self.hex(zip.finalize())) }
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in digest { out += [digits[Int(b >> 4)], digits[Int(b & 15)]] }
        return String(decoding: out, as: UTF8.self)
    }

    private struct UnsafeParts: @unchecked Sendable {
        var head: UnsafeRawBufferPointer
        var body: UnsafeRawBufferPointer
    }
}
