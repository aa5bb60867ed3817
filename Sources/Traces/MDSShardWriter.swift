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
        let record = try MDSRecord.encode(sample, columns: columns)
        let recordSize = record.count
        // MDSWriter's rule (MDS.md §5): flush before a record that would push the shard past
        // the limit. Unlike MDSWriter we never flush an empty shard.
        if !recordEnds.isEmpty && sizeLimit < rawSize + recordSize + 4 {
            try flushShard()
            try journal.start(shardNumber: shards.count)
        }
        guard rawSize + recordSize + 4 < (1 << 32) else {
            throw TracesError.invalidSample(column: "(all)", reason: "a sample of \(recordSize) bytes does not fit a shard's u32 offsets")
        }
        records += record
        recordEnds.append(records.count)
        rawSize += recordSize + 4
        try journal.append(record)
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
        if !recordEnds.isEmpty { try flushShard() }
        try writeIndex()
        journal.remove()
        return MDSIndex(shards: shards)
    }

    private static func compressionName(_ level: Int?) -> String? {
        guard let level else { return nil }
        return level == 3 ? "zstd" : "zstd:\(level)"
    }

    /// Builds the raw shard (MDS.md §3), compresses it whole (§5), renames it into place,
    /// then rewrites index.json so the shard becomes part of the dataset.
    private func flushShard() throws {
        let n = recordEnds.count
        let dataStart = 4 + 4 * (n + 1) + configBytes.count
        var raw: [UInt8] = []
        raw.reserveCapacity(dataStart + records.count)
        raw += littleEndian(UInt64(n), bytes: 4)
        raw += littleEndian(UInt64(dataStart), bytes: 4)
        for end in recordEnds { raw += littleEndian(UInt64(dataStart + end), bytes: 4) }
        raw += configBytes
        raw += records

        let rawName = "shard.\(String(format: "%05d", shards.count)).mds"
        let rawInfo = MDSFileInfo(basename: rawName, bytes: raw.count, hashes: ["sha256": Self.sha256(raw)])
        var zipInfo: MDSFileInfo? = nil
        if let level = compressionLevel {
            let zipName = rawName + ".zstd"
            let zip = try Zstd.compress(raw, level: Int32(level), file: zipName)
            try atomicWrite(zip, name: zipName)
            zipInfo = MDSFileInfo(basename: zipName, bytes: zip.count, hashes: ["sha256": Self.sha256(zip)])
        } else {
            try atomicWrite(raw, name: rawName)
        }
        shards.append(MDSShardEntry(columns: columns, columnSizes: columns.map(\.encoding.fixedSize), compression: Self.compressionName(compressionLevel),
                                    hashes: ["sha256"], rawData: rawInfo, samples: n,
                                    sizeLimit: sizeLimit, zipData: zipInfo))
        records.removeAll(keepingCapacity: true)
        recordEnds.removeAll(keepingCapacity: true)
        rawSize = 8 + configBytes.count
        try writeIndex()
    }

    private func writeIndex() throws {
        try atomicWrite(Array(MDSIndex(shards: shards).serialized().utf8), name: "index.json")
    }

    /// Write `.name.tmp`, then rename(2) over `name`: readers see the old file or the new one.
    private func atomicWrite(_ bytes: [UInt8], name: String) throws {
        let final = directory.appendingPathComponent(name)
        let temp = directory.appendingPathComponent(".\(name).tmp")
        do {
            try Data(bytes).write(to: temp)
        } catch {
            throw TracesError.io(file: temp.path, reason: "cannot write: \(error.localizedDescription)")
        }
        if rename(temp.path, final.path) != 0 {
            throw TracesError.io(file: final.path, reason: "cannot rename \(temp.lastPathComponent) into place (errno \(errno))")
        }
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
