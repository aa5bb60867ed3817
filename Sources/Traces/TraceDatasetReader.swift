import Foundation

/// Reads a trace dataset back as `TraceRecord`s, in order, one shard in memory at a time.
/// A sample that does not decode is reported with the shard file and its row in that shard.
public enum TraceDatasetReader {
    public static func forEachRecord(in dataset: MDSDataset, _ body: (Int, TraceRecord) throws -> Void) throws {
        guard DatasetSummary.isTraceDataset(dataset) else {
            let have = Set(dataset.columns.map(\.name))
            let missing = TraceRecord.columns.map(\.name).filter { !have.contains($0) }
            throw TracesError.invalidIndexField(
                file: dataset.directory.appendingPathComponent("index.json").path, field: "column_names",
                reason: "not a trace dataset: " + (missing.isEmpty ? "a trace column has another encoding"
                                                   : "no column \(missing.joined(separator: ", "))"))
        }
        var shard = 0, shardStart = 0
        let shards = dataset.index.shards
        try dataset.forEachSample { i, sample in
            while shard < shards.count - 1, i >= shardStart + shards[shard].samples {
                shardStart += shards[shard].samples
                shard += 1
            }
            try body(i, try TraceRecord(mdsSample: sample, file: shards[shard].rawData.basename, sample: i - shardStart))
        }
    }
}
