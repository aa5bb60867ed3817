import Crypto
import Foundation

/// Reads an MDS dataset (MDS.md §1–§4): random access by global sample index and
/// sequential iteration, holding at most one decompressed shard in memory, because shards are
/// compressed whole and must be decompressed whole (MDS.md §5). Not thread-safe (the shard
/// cache is mutable): give each worker thread its own instance.
public final class MDSDataset {
    public let directory: URL
    public let index: MDSIndex
    /// Global index of each shard's first sample, plus the total at the end.
    private let starts: [Int]
    private let validateHashes: Bool
    private var cached: (shard: Int, raw: [UInt8])?

    /// Opens `directory/index.json`, validates it and checks every shard file exists.
    /// With `validateHashes`, each shard's recorded sha256 (zip file if compressed, else raw)
    /// is checked when the shard is first loaded.
    public init(directory: URL, validateHashes: Bool = true) throws {
        let indexURL = directory.appendingPathComponent("index.json")
        let data: Data
        do { data = try Data(contentsOf: indexURL) } catch {
            throw TracesError.unreadableIndex(file: indexURL.path, reason: "cannot read the file (\(error.localizedDescription))")
        }
        index = try MDSIndex.parse(data, file: indexURL.path)
        self.directory = directory
        self.validateHashes = validateHashes
        var starts = [0]
        for entry in index.shards {
            let last = starts[starts.count - 1]
            let (sum, overflow) = last.addingReportingOverflow(entry.samples)
            if overflow { throw TracesError.invalidIndexField(file: indexURL.path, field: "samples", reason: "total overflows") }
            starts.append(sum)
            // The reader decompresses into raw_data's name, so either file serves (MDS.md §1).
            let zipPath = entry.zipData.map { directory.appendingPathComponent($0.basename).path }
            let rawPath = directory.appendingPathComponent(entry.rawData.basename).path
            let present = [zipPath, rawPath].compactMap { $0 }.contains { FileManager.default.fileExists(atPath: $0) }
            if !present { throw TracesError.missingShard(file: zipPath ?? rawPath) }
        }
        self.starts = starts
    }

    public var count: Int { starts[starts.count - 1] }

    /// Columns of the first shard (MDS.md §2: each shard decodes with its own lists).
    public var columns: [MDSColumn] { index.shards.first?.columns ?? [] }

    /// The sample at global index `i` (shards in index order, then rows; MDS.md §2).
    public func sample(at i: Int) throws -> [String: MDSValue] {
        guard i >= 0, i < count else { throw TracesError.sampleOutOfRange(index: i, count: count) }
        // Last shard whose start is <= i; empty shards are skipped by the strict inequality.
        var lo = 0, hi = index.shards.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= i { lo = mid } else { hi = mid - 1 }
        }
        return try decodeSample(shard: lo, row: i - starts[lo])
    }

    /// Calls `body` with every sample in order, one shard decompressed at a time.
    public func forEachSample(_ body: (Int, [String: MDSValue]) throws -> Void) throws {
        for shard in index.shards.indices {
            for row in 0..<index.shards[shard].samples {
                try body(starts[shard] + row, try decodeSample(shard: shard, row: row))
            }
        }
    }

    /// Loads, checks and decompresses every shard and decodes every sample; returns the count.
    public func verify() throws -> Int {
        var n = 0
        try forEachSample { _, _ in n += 1 }
        return n
    }

    private func decodeSample(shard: Int, row: Int) throws -> [String: MDSValue] {
        let raw = try loadShard(shard)
        let entry = index.shards[shard]
        let name = entry.rawData.basename
        // Offsets i and i+1 at 4 + 4i (MDS.md §3); every one is checked against the file.
        let at = 4 + 4 * row
        guard at + 8 <= raw.count else {
            throw TracesError.truncatedShard(file: name, reason: "offset table ends before sample \(row)")
        }
        let begin = Int(readLE(raw[at..<at + 4])), end = Int(readLE(raw[at + 4..<at + 8]))
        guard begin <= end, end <= raw.count, begin >= 4 + 4 * (entry.samples + 1) else {
            throw TracesError.truncatedShard(file: name, reason: "sample \(row) spans bytes \(begin)..<\(end) of a \(raw.count)-byte shard")
        }
        return try MDSRecord.decode(raw[begin..<end], columns: entry.columns, columnSizes: entry.columnSizes,
                                    file: name, sample: row)
    }

    /// The raw bytes of shard `i`, from the one-shard cache or from disk.
    private func loadShard(_ i: Int) throws -> [UInt8] {
        if let cached, cached.shard == i { return cached.raw }
        cached = nil  // drop the old shard before loading the next: bounded memory
        let entry = index.shards[i]
        let raw: [UInt8]
        let rawURL = directory.appendingPathComponent(entry.rawData.basename)
        if let zip = entry.zipData, FileManager.default.fileExists(atPath: directory.appendingPathComponent(zip.basename).path) {
            let blob = try readFile(directory.appendingPathComponent(zip.basename), name: zip.basename)
            try checkHashes(zip, blob)
            raw = try Zstd.decompress(blob, file: zip.basename)
            // The reference checks only the zip hash (MDS.md §5); the raw one is a stable
            // identity across zstd builds, so check it too.
            try checkHashes(entry.rawData, raw)
        } else {
            raw = try readFile(rawURL, name: entry.rawData.basename)
            try checkHashes(entry.rawData, raw)
        }
        let name = entry.rawData.basename
        guard raw.count >= 8 else { throw TracesError.truncatedShard(file: name, reason: "\(raw.count) bytes is shorter than the header") }
        let n = Int(readLE(raw[0..<4]))
        if n != entry.samples { throw TracesError.sampleCountMismatch(file: name, index: entry.samples, shard: n) }
        guard 4 + 4 * (n + 1) <= raw.count else {
            throw TracesError.truncatedShard(file: name, reason: "\(raw.count) bytes cannot hold \(n + 1) offsets")
        }
        let last = Int(readLE(raw[4 + 4 * n..<8 + 4 * n]))
        guard last == raw.count else {
            throw TracesError.truncatedShard(file: name, reason: "last offset is \(last) but the shard has \(raw.count) bytes")
        }
        cached = (i, raw)
        return raw
    }

    private func readFile(_ url: URL, name: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: url.path) else { throw TracesError.missingShard(file: url.path) }
        do { return Array(try Data(contentsOf: url)) } catch {
            throw TracesError.io(file: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
    }

    /// Checks the sha256 entry if present; other algorithms are not computed here.
    private func checkHashes(_ info: MDSFileInfo, _ bytes: [UInt8]) throws {
        guard validateHashes, let expected = info.hashes["sha256"] else { return }
        let actual = MDSShardWriter.sha256(bytes)
        if actual != expected.lowercased() {
            throw TracesError.hashMismatch(file: info.basename, algorithm: "sha256", expected: expected, actual: actual)
        }
    }
}
