import Foundation

/// What `distillery traces inspect` reports about an MDS dataset. Sizes come from index.json;
/// the trace figures (tokens, teachers, verification) from reading every sample once, one
/// shard in memory at a time. Any MDS dataset is summarised; a trace dataset gets the extra
/// figures when it has every `TraceRecord.columns` column.
public struct DatasetSummary: Sendable, Equatable {
    public var samples: Int
    public var shards: Int
    /// Sum of the shards' raw (uncompressed) sizes.
    public var rawBytes: Int
    /// Sum of the files stored on disk: the `.zstd` files, or the raw ones when uncompressed.
    public var compressedBytes: Int
    /// The shards' `compression` values, e.g. `["zstd"]`; `[]` when uncompressed.
    public var compressions: [String]
    /// `name:encoding` of the first shard's columns, as index.json lists them.
    public var columns: [String]
    public var trace: TraceFigures?
    /// The first sample, one line per column, values shortened (`SamplePreview`).
    public var firstSample: [String: String]

    public var ratio: Double { compressedBytes == 0 ? 0 : Double(rawBytes) / Double(compressedBytes) }

    public struct TraceFigures: Sendable, Equatable {
        public var promptTokens: Int
        public var completionTokens: Int
        /// Token ids stored (`token_ids`), which is 0 when the teacher gave text only.
        public var storedTokenIDs: Int
        /// Traces per teacher model name.
        public var teachers: [String: Int]
        public var correct: Int
        public var incorrect: Int
        public var unverified: Int
        /// Traces per finish reason (`stop`, `length`, …).
        public var finishReasons: [String: Int]
        public var withReasoning: Int
    }

    public init(dataset: MDSDataset) throws {
        let shards = dataset.index.shards
        samples = dataset.count
        self.shards = shards.count
        rawBytes = shards.reduce(0) { $0 + $1.rawData.bytes }
        compressedBytes = shards.reduce(0) { $0 + ($1.zipData?.bytes ?? $1.rawData.bytes) }
        compressions = Array(Set(shards.compactMap(\.compression))).sorted()
        columns = dataset.columns.map { "\($0.name):\($0.encoding.rawValue)" }
        firstSample = dataset.count > 0 ? SamplePreview.lines(try dataset.sample(at: 0)) : [:]
        trace = try Self.isTraceDataset(dataset) ? Self.traceFigures(dataset) : nil
    }

    /// True when the dataset has every trace column with the trace encoding.
    public static func isTraceDataset(_ dataset: MDSDataset) -> Bool {
        let have = Set(dataset.columns.map { "\($0.name):\($0.encoding.rawValue)" })
        return TraceRecord.columns.allSatisfy { have.contains("\($0.name):\($0.encoding.rawValue)") }
    }

    private static func traceFigures(_ dataset: MDSDataset) throws -> TraceFigures {
        var f = TraceFigures(promptTokens: 0, completionTokens: 0, storedTokenIDs: 0, teachers: [:], correct: 0,
                             incorrect: 0, unverified: 0, finishReasons: [:], withReasoning: 0)
        try TraceDatasetReader.forEachRecord(in: dataset) { _, r in
            f.promptTokens += r.promptTokens
            f.completionTokens += r.completionTokens
            f.storedTokenIDs += r.tokenIDs.count
            f.teachers[r.teacher.model, default: 0] += 1
            f.finishReasons[r.finishReason, default: 0] += 1
            switch r.verification?.correct {
            case true?: f.correct += 1
            case false?: f.incorrect += 1
            case nil: f.unverified += 1
            }
            if !r.reasoning.isEmpty { f.withReasoning += 1 }
        }
        return f
    }
}

/// A sample shown to a person: each value on one short line, whatever its column type.
public enum SamplePreview {
    public static func lines(_ sample: [String: MDSValue], width: Int = 100) -> [String: String] {
        sample.mapValues { text($0, width: width) }
    }

    static func text(_ value: MDSValue, width: Int) -> String {
        switch value {
        case let .string(s): return quoted(s, width: width)
        case let .json(j): return shortened(j, width: width)
        case let .bytes(b): return "\(b.count) bytes"
        case let .int(v): return String(v)
        case let .uint(v): return String(v)
        case let .double(d): return String(d)
        case let .array(a): return "\(a.dtype.rawValue)[\(a.shape.map(String.init).joined(separator: ","))]"
        }
    }

    private static func quoted(_ s: String, width: Int) -> String {
        let escaped = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\"", with: "\\\"")
        return "\"" + shortened(escaped, width: width) + "\"" + (s.count > width ? " (\(s.count) characters)" : "")
    }

    private static func shortened(_ s: String, width: Int) -> String {
        s.count > width ? String(s.prefix(width)) + "…" : s
    }
}
