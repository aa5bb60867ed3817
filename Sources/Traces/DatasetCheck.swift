import Foundation

/// `distillery traces verify`: every shard's recorded sha256 matches its bytes, every shard
/// decompresses to the size and sample count index.json records, and every sample decodes
/// (as a `TraceRecord` too, for a trace dataset). Stops at the first fault and throws the
/// `TracesError` naming the shard file, so a corrupt shard is found without reading further.
public struct DatasetCheck: Sendable, Equatable {
    public var shards: Int
    public var samples: Int
    /// Files whose sha256 was checked (a compressed shard has two: the file and its content).
    public var hashedFiles: Int
    /// Shard files index.json records no sha256 for (MDSWriter's default `hashes=[]`):
    /// their bytes could only be checked by decoding.
    public var unhashedFiles: [String]
    public var traceRecords: Int?

    public init(directory: URL) throws {
        let dataset = try MDSDataset(directory: directory, validateHashes: true)
        var hashed = 0
        var unhashed: [String] = []
        for entry in dataset.index.shards {
            // MDSDataset reads the zip file when present; raw_data then is checked as its content.
            for file in [entry.zipData, entry.rawData].compactMap({ $0 }) {
                if file.hashes["sha256"] != nil { hashed += 1 } else { unhashed.append(file.basename) }
            }
        }
        shards = dataset.index.shards.count
        samples = try dataset.verify()
        for entry in dataset.index.shards {
            let raw = directory.appendingPathComponent(entry.rawData.basename)
            if entry.zipData != nil, FileManager.default.fileExists(atPath: raw.path) {
                // Both files on disk (a reader's decompressed cache): the raw one must match too.
                let bytes = [UInt8](try Data(contentsOf: raw))
                if let expected = entry.rawData.hashes["sha256"], MDSShardWriter.sha256(bytes) != expected.lowercased() {
                    throw TracesError.hashMismatch(file: entry.rawData.basename, algorithm: "sha256", expected: expected,
                                                   actual: MDSShardWriter.sha256(bytes))
                }
            }
        }
        hashedFiles = hashed
        unhashedFiles = unhashed
        if DatasetSummary.isTraceDataset(dataset) {
            var n = 0
            try TraceDatasetReader.forEachRecord(in: dataset) { _, _ in n += 1 }
            traceRecords = n
        } else {
            traceRecords = nil
        }
    }
}
