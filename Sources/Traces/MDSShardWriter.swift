import Crypto
import Foundation

/// Writes an MDS dataset (MDS.md §1–§5) that `streaming.StreamingDataset` reads.
///
/// Crash safety: every file goes to a temporary name and is renamed into place, and
/// index.json is rewritten (atomically) after each shard is finalised. A killed writer
/// therefore leaves a valid dataset of its finished shards, plus a journal of the samples of
/// the shard it was filling. `init(resumingIn:)` reopens such a dataset and
/// numbers new shards after the last finished one, and puts back the samples of the
/// unfinished shard from the journal (`MDSSampleJournal`): a kill loses no written sample.
public final class MDSShardWriter {
    public let directory: URL
    /// Sorted by name, as MDSWriter sorts them (MDS.md §2), so raw shards match its bytes.
    public let columns: [MDSColumn]
    public let sizeLimit: Int
    /// nil writes uncompressed `.mds` shards.
    public let compressionLevel: Int?
    /// Entries of the finished shards, in order.
    public private(set) var shards: [MDSShardEntry]

    private let configBytes: [UInt8]
    private var records: [UInt8] = []
    private var recordEnds: [Int] = []
    private var rawSize: Int
    /// Columns without a fixed size, each with a u32 length in front of a record (MDS.md §3).
    private let variableColumns: Int
    private let journal: MDSSampleJournal

    /// Starts a new dataset in `directory`, which must not already hold an index.json.
    public convenience init(directory: URL, columns: [MDSColumn], sizeLimit: Int = 1 << 26,
                            compressionLevel: Int? = 3) throws {
        let index = directory.appendingPathComponent("index.json")
        if FileManager.default.fileExists(atPath: index.path) {
            throw TracesError.io(file: index.path, reason: "a dataset already exists here; use MDSShardWriter(resumingIn:) to continue it")
        }
        try self.init(directory: directory, columns: columns, sizeLimit: sizeLimit,
                      compressionLevel: compressionLevel, shards: [])
    }

    /// Reopens a dataset left by a finished or killed writer and continues after its last
    /// finished shard. The columns come from the index; pass `columns` to check they match
    /// (required when the directory holds no index yet, which starts a new dataset).
    /// `sizeLimit` nil keeps the dataset's recorded `size_limit` (64 MiB if none).
    public convenience init(resumingIn directory: URL, columns: [MDSColumn]? = nil, sizeLimit: Int? = nil,
                            compressionLevel: Int? = 3) throws {
        let indexURL = directory.appendingPathComponent("index.json")
        var shards: [MDSShardEntry] = []
        if FileManager.default.fileExists(atPath: indexURL.path) {
            let data: Data
            do { data = try Data(contentsOf: indexURL) } catch {
                throw TracesError.unreadableIndex(file: indexURL.path, reason: error.localizedDescription)
            }
            shards = try MDSIndex.parse(data, file: indexURL.path).shards
        }
        let existing = shards.first?.columns
        let wanted = columns.map { $0.sorted { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) } }
        guard let chosen = existing ?? wanted else {
            throw TracesError.invalidConfiguration("\(directory.path) holds no dataset yet; pass the columns to start one")
        }
        if let existing, let wanted, existing != wanted {
            throw TracesError.invalidConfiguration("columns \(wanted.map { "\($0.name):\($0.encoding.rawValue)" }) differ from the dataset's \(existing.map { "\($0.name):\($0.encoding.rawValue)" })")
        }
        // Leftovers of a killed write: temporary files never renamed into place.
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
        let limit = sizeLimit ?? shards.last?.sizeLimit ?? (1 << 26)
        try self.init(directory: directory, columns: chosen, sizeLimit: limit,
                      compressionLevel: compressionLevel, shards: shards)
    }

    private init(directory: URL, columns: [MDSColumn], sizeLimit: Int, compressionLevel: Int?,
                 shards: [MDSShardEntry]) throws {
        guard !columns.isEmpty else { throw TracesError.invalidConfiguration("at least one column is required") }
        let sorted = columns.sorted { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) }
        if Set(sorted.map(\.name)).count != sorted.count {
            throw TracesError.invalidConfiguration("column names must be unique")
        }
        // Offsets are u32, and MDSWriter refuses size_limit >= 2**32 (MDS.md §3).
        guard sizeLimit > 0, sizeLimit < (1 << 32) else {
            throw TracesError.invalidConfiguration("size limit \(sizeLimit) must be in 1..<2^32 bytes")
        }
        if let level = compressionLevel, !(1...22).contains(level) {
            throw TracesError.invalidConfiguration("zstd level \(level) must be 1…22 (MDS.md §2 rejects zstd:0)")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TracesError.io(file: directory.path, reason: "cannot create the dataset folder: \(error.localizedDescription)")
        }
        self.directory = directory
        self.columns = sorted
        self.sizeLimit = sizeLimit
        self.compressionLevel = compressionLevel
        self.shards = shards
        let template = MDSShardEntry(columns: sorted, columnSizes: sorted.map(\.encoding.fixedSize), compression: Self.compressionName(compressionLevel),
                                     hashes: ["sha256"], rawData: MDSFileInfo(basename: "", bytes: 0, hashes: [:]),
                                     samples: 0, sizeLimit: sizeLimit, zipData: nil)
        self.configBytes = Array(template.configJSON().utf8)
        self.variableColumns = sorted.filter { $0.encoding.fixedSize == nil }.count
        // A shard's records fill up to the size limit: reserving it up front spares the
        // doubling copies (only address space until written; capped for huge limits).
        self.records.reserveCapacity(min(sizeLimit, 1 << 28))
        self.rawSize = 8 + configBytes.count
        // Samples a killed writer had written since its last finished shard come back into
        // the buffer (past the size limit if need be: a replay never flushes, so the
        // journal stays valid until the next write).
        journal = MDSSampleJournal(directory: directory)
        let recovered = try journal.recover(shardNumber: shards.count)
        if recovered.isEmpty { try journal.start(shardNumber: shards.count) }
        for record in recovered {
            records += record
            recordEnds.append(records.count)
            rawSize += record.count + 4
        }
    }

    /// Samples in finished shards plus those buffered for the current one.
    public var sampleCount: Int { shards.reduce(0) { $0 + $1.samples } + recordEnds.count }

    /// Appends one sample; every column must be present (MDS.md §4: no nulls), extra keys are
    /// ignored as MDSWriter ignores them.
    public func write(_ sample: [String: MDSValue]) throws {
        // The record goes straight into the shard buffer: u32 lengths of the variable columns
        // (filled in as each value lands), then the values (MDS.md §3). No per-sample arrays:
        // they were most of the writer's cost beside zstd (BENCHMARKS.md).
        let start = records.count
        var lengthAt = start
        records.append(contentsOf: repeatElement(0, count: 4 * variableColumns))
        do {
            for column in columns {
                guard let value = sample[column.name] else {
                    throw TracesError.invalidSample(column: column.name, reason: "missing; every column needs a value")
                }
                let before = records.count
                try column.encode(value, into: &records)
                if column.encoding.fixedSize == nil {
                    let size = records.count - before
                    guard size <= Int(UInt32.max) else {
                        throw TracesError.invalidSample(column: column.name, reason: "value of \(size) bytes exceeds 4 GiB")
                    }
                    for k in 0..<4 { records[lengthAt + k] = UInt8(truncatingIfNeeded: size >> (8 * k)) }
                    lengthAt += 4
                }
            }
        } catch {
            records.removeSubrange(start...)
            throw error
        }
        let recordSize = records.count - start
        // MDSWriter's rule (MDS.md §5): flush before a record that would push the shard past
        // the limit. Unlike MDSWriter we never flush an empty shard.
        if !recordEnds.isEmpty && sizeLimit < rawSize + recordSize + 4 {
            try flushShard(keepingFrom: start)
            try journal.start(shardNumber: shards.count)
        }
        guard rawSize + recordSize + 4 < (1 << 32) else {
            records.removeSubrange((records.count - recordSize)...)
            throw TracesError.invalidSample(column: "(all)", reason: "a sample of \(recordSize) bytes does not fit a shard's u32 offsets")
        }
        recordEnds.append(records.count)
        rawSize += recordSize + 4
        try records.withUnsafeBytes { try journal.append(UnsafeRawBufferPointer(rebasing: $0[(records.count - recordSize)...])) }
    }

    /// The samples written since the last finished shard (recovered ones included): in the
    /// dataset once `finish()` or the next shard boundary writes them.
    public func pendingSamples() throws -> [[String: MDSValue]] {
        var start = 0
        return try recordEnds.enumerated().map { row, end in
            defer { start = end }
            return try MDSRecord.decode(records[start..<end], columns: columns, columnSizes: columns.map(\.encoding.fixedSize),
                                        file: MDSSampleJournal.fileName, sample: row)
        }
    }

    /// Finalises the open shard, if it holds samples, and writes the final index.json.
    @discardableResult
    public func finish() throws -> MDSIndex {
        if !recordEnds.isEmpty { try flushShard(keepingFrom: records.count) }
        try writeIndex()
        journal.remove()
        return MDSIndex(shards: shards)
    }

    private static func compressionName(_ level: Int?) -> String? {
        guard let level else { return nil }
        return level == 3 ? "zstd" : "zstd:\(level)"
    }

    /// Builds the raw shard (MDS.md §3) from `records[..<end]`, compresses it whole (§5),
    /// renames it into place, then rewrites index.json so the shard becomes part of the
    /// dataset. Bytes from `end` on (the record that did not fit) stay for the next shard.
    private func flushShard(keepingFrom end: Int) throws {
        let n = recordEnds.count
        let dataStart = 4 + 4 * (n + 1) + configBytes.count
        var header: [UInt8] = []
        header.reserveCapacity(dataStart)
        header += littleEndian(UInt64(n), bytes: 4)
        header += littleEndian(UInt64(dataStart), bytes: 4)
        for end in recordEnds { header += littleEndian(UInt64(dataStart + end), bytes: 4) }
        header += configBytes

        // The raw shard is header + records[..<end]. It is never assembled: compression takes
        // it in 1 MiB slices and streams its frame to the file, and each slice is hashed just
        // before zstd reads it, while it is in cache. So a 64 MiB shard costs no 64 MiB copy, no
        // compressBound-sized buffer and no second pass over memory. All on this one thread:
        // a generate run's engine keeps the other cores busy, and a hashing thread measured
        // slower on a loaded machine (BENCHMARKS.md).
        let rawName = "shard.\(String(format: "%05d", shards.count)).mds"
        var rawInfo = MDSFileInfo(basename: rawName, bytes: dataStart + end, hashes: [:])
        var zipInfo: MDSFileInfo? = nil
        var rawHash = SHA256()
        try header.withUnsafeBytes { head in
            try records.withUnsafeBytes { all in
                let slices = [head] + stride(from: 0, to: end, by: 1 << 20).map {
                    UnsafeRawBufferPointer(rebasing: all[$0..<min($0 + (1 << 20), end)])
                }
                if let level = compressionLevel {
                    let zipName = rawName + ".zstd"
                    var zipHash = SHA256()
                    var zipBytes = 0
                    try atomicWrite(name: zipName) { fd in
                        // One frame with its content size, as ZSTD_compress writes it (MDS.md §5).
                        try Zstd.compress(slices, level: Int32(level), file: zipName,
                                          beforeEachPart: { rawHash.update(bufferPointer: $0) }) { chunk in
                            zipHash.update(bufferPointer: chunk)
                            zipBytes += chunk.count
                            try Self.writeAll(fd, chunk, file: zipName)
                        }
                    }
                    zipInfo = MDSFileInfo(basename: zipName, bytes: zipBytes, hashes: ["sha256": Self.hex(zipHash.finalize())])
                } else {
                    try atomicWrite(name: rawName) { fd in
                        for slice in slices {
                            rawHash.update(bufferPointer: slice)
                            try Self.writeAll(fd, slice, file: rawName)
                        }
                    }
                }
            }
        }
        rawInfo.hashes["sha256"] = Self.hex(rawHash.finalize())
        shards.append(MDSShardEntry(columns: columns, columnSizes: columns.map(\.encoding.fixedSize), compression: Self.compressionName(compressionLevel),
                                    hashes: ["sha256"], rawData: rawInfo, samples: n,
                                    sizeLimit: sizeLimit, zipData: zipInfo))
        records.removeSubrange(..<end)
        recordEnds.removeAll(keepingCapacity: true)
        rawSize = 8 + configBytes.count
        try writeIndex()
    }

    private func writeIndex() throws {
        let bytes = Array(MDSIndex(shards: shards).serialized().utf8)
        try atomicWrite(name: "index.json") { fd in
            try bytes.withUnsafeBytes { try Self.writeAll(fd, $0, file: "index.json") }
        }
    }

    /// Write `.name.tmp` through `fill`, then rename(2) over `name`: readers see the old file
    /// or the new one.
    private func atomicWrite(name: String, _ fill: (Int32) throws -> Void) throws {
        let final = directory.appendingPathComponent(name)
        let temp = directory.appendingPathComponent(".\(name).tmp")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw TracesError.io(file: temp.path, reason: "cannot create (errno \(errno): \(String(cString: strerror(errno))))")
        }
        do { try fill(fd) } catch {
            close(fd)
            unlink(temp.path)
            throw error
        }
        if close(fd) != 0 {
            throw TracesError.io(file: temp.path, reason: "cannot finish writing (errno \(errno): \(String(cString: strerror(errno))))")
        }
        if rename(temp.path, final.path) != 0 {
            throw TracesError.io(file: final.path, reason: "cannot rename \(temp.lastPathComponent) into place (errno \(errno))")
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, file: String) throws {
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw TracesError.io(file: file, reason: "cannot write (errno \(errno): \(String(cString: strerror(errno))))")
            }
            done += n
        }
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in digest { out += [digits[Int(b >> 4)], digits[Int(b & 15)]] }
        return String(decoding: out, as: UTF8.self)
    }
}

