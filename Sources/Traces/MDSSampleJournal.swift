import CKernels
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The samples of the shard a writer is still filling, appended to a file as they come, so
/// a writer killed mid-shard (SIGKILL, OOM, a crash) loses none of them: a shard is only
/// written whole, and at 64 MiB that can be hours of teacher output.
///
/// Layout: "MDSJRNL1", u32 LE number of the shard the samples belong to, then entries of
/// u32 LE length, u32 LE CRC-32C, record bytes (MDSRecord). The shard number makes a journal
/// left behind by a kill between "shard written" and "journal emptied" stale, so its
/// samples, which the shard already holds, are not added twice. A torn last entry is cut off.
final class MDSSampleJournal {
    static let fileName = "samples.journal"
    private static let magic = Array("MDSJRNL1".utf8)

    let url: URL
    private var descriptor: Int32 = -1

    init(directory: URL) {
        url = directory.appendingPathComponent(Self.fileName)
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// The records journaled for shard `shardNumber`; none when the journal is absent or
    /// belongs to an earlier shard. Cuts a torn tail so appends continue after the last
    /// whole entry.
    func recover(shardNumber: Int) throws -> [[UInt8]] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        let bytes = [UInt8](data)
        guard bytes.count >= 16, Array(bytes[0..<8]) == Self.magic,
              Int(readLE(bytes[8..<12])) == shardNumber else { return [] }
        var records: [[UInt8]] = []
        var at = 16
        while at + 8 <= bytes.count {
            let length = Int(readLE(bytes[at..<at + 4])), checksum = UInt32(readLE(bytes[at + 4..<at + 8]))
            guard length <= bytes.count - at - 8 else { break }
            let record = Array(bytes[at + 8..<at + 8 + length])
            guard CRC32C.checksum(record) == checksum else { break }
            records.append(record)
            at += 8 + length
        }
        if at < bytes.count, truncate(url.path, off_t(at)) != 0 {
            throw TracesError.io(file: url.path, reason: "cannot cut the torn end of the journal (errno \(errno))")
        }
        try openForAppending()
        return records
    }

    /// Starts an empty journal for shard `shardNumber`, replacing the old one atomically.
    func start(shardNumber: Int) throws {
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(Self.fileName).tmp")
        do {
            try Data(Self.magic + littleEndian(UInt64(shardNumber), bytes: 4) + [0, 0, 0, 0]).write(to: temp)
        } catch {
            throw TracesError.io(file: temp.path, reason: "cannot write: \(error.localizedDescription)")
        }
        if rename(temp.path, url.path) != 0 {
            throw TracesError.io(file: url.path, reason: "cannot rename the new journal into place (errno \(errno))")
        }
        try openForAppending()
    }

    /// Appends one record with one writev(2): once it returns, a kill of this process cannot
    /// lose it (the kernel holds the page).
    func append(_ record: UnsafeRawBufferPointer) throws {
        guard descriptor >= 0 else { throw TracesError.io(file: url.path, reason: "the journal is not open") }
        var head = littleEndian(UInt64(record.count), bytes: 4) + littleEndian(UInt64(CRC32C.checksum(record)), bytes: 4)
        try head.withUnsafeMutableBytes { headBytes in
            var parts = [iovec(iov_base: headBytes.baseAddress, iov_len: 8),
                         iovec(iov_base: UnsafeMutableRawPointer(mutating: record.baseAddress), iov_len: record.count)]
            while !parts.isEmpty {
                var written = writev(descriptor, parts, Int32(parts.count))
                if written < 0 {
                    if errno == EINTR { continue }
                    throw TracesError.io(file: url.path, reason: "cannot append a sample (errno \(errno))")
                }
                // A short write: drop what went out and go on with the rest.
                while written > 0, let first = parts.first {
                    if written >= first.iov_len {
                        written -= first.iov_len
                        parts.removeFirst()
                    } else {
                        parts[0] = iovec(iov_base: first.iov_base + written, iov_len: first.iov_len - written)
                        written = 0
                    }
                }
                parts.removeAll { $0.iov_len == 0 }
            }
        }
    }

    func append(_ record: [UInt8]) throws {
        try record.withUnsafeBytes { try append($0) }
    }

    func remove() {
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
        unlink(url.path)
    }

    private func openForAppending() throws {
        if descriptor >= 0 { close(descriptor) }
        descriptor = open(url.path, O_WRONLY | O_APPEND | O_CLOEXEC)
        if descriptor < 0 { throw TracesError.io(file: url.path, reason: "cannot open the journal (errno \(errno))") }
    }
}

/// CRC-32C, to tell a torn journal entry from a whole one (in C: the SSE4.2 instruction
/// keeps the journal's cost small beside zstd's).
enum CRC32C {
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        dst_crc32c(bytes.baseAddress, bytes.count)
    }
}
