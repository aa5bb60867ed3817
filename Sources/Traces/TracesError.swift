import Foundation

/// Every failure of the Traces module, as a value naming the file and field at fault and,
/// where there is one, how to fix it (STYLE.md rule 7).
public enum TracesError: Error, Equatable, CustomStringConvertible {
    /// index.json is absent, unreadable or not JSON.
    case unreadableIndex(file: String, reason: String)
    /// A field of index.json has the wrong type or value (MDS.md §2).
    case invalidIndexField(file: String, field: String, reason: String)
    /// `version` is not 2 (top level or per shard); the reference reader rejects it too (MDS.md §6).
    case unsupportedVersion(file: String, field: String, version: String)
    /// A shard's `format` is not `mds`.
    case unsupportedFormat(file: String, field: String, format: String)
    /// A column encoding we do not decode (MDS.md §4).
    case unsupportedColumnType(file: String, field: String, encoding: String)
    /// A `compression` string other than zstd/zstd:N or null.
    case unsupportedCompression(file: String, field: String, compression: String)
    /// A shard file named by index.json does not exist.
    case missingShard(file: String)
    /// A recorded hash does not match the file's bytes.
    case hashMismatch(file: String, algorithm: String, expected: String, actual: String)
    /// The raw shard bytes end before the header, offsets or a sample do (MDS.md §3).
    case truncatedShard(file: String, reason: String)
    /// index.json's `samples` disagrees with the shard header's N.
    case sampleCountMismatch(file: String, index: Int, shard: Int)
    /// A sample record cannot be split into its columns, or a value does not decode.
    case malformedSample(file: String, sample: Int, column: String, reason: String)
    /// zstd could not compress or decompress.
    case zstd(file: String, reason: String)
    /// A global sample index outside 0..<count.
    case sampleOutOfRange(index: Int, count: Int)
    /// A sample handed to the writer lacks a column or holds the wrong kind of value.
    case invalidSample(column: String, reason: String)
    /// The writer was configured with values MDS cannot represent.
    case invalidConfiguration(String)
    /// A file could not be written or renamed.
    case io(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadableIndex(file, reason):
            return "\(file): cannot read the MDS index: \(reason)"
        case let .invalidIndexField(file, field, reason):
            return "\(file): field \(field): \(reason)"
        case let .unsupportedVersion(file, field, version):
            return "\(file): field \(field): version \(version) is not supported; only MDS index version 2 is"
        case let .unsupportedFormat(file, field, format):
            return "\(file): field \(field): format \"\(format)\" is not supported; only \"mds\" is"
        case let .unsupportedColumnType(file, field, encoding):
            return "\(file): field \(field): column encoding \"\(encoding)\" is not supported (see docs/traces.md for the list)"
        case let .unsupportedCompression(file, field, compression):
            return "\(file): field \(field): compression \"\(compression)\" is not supported; use null, zstd or zstd:1…zstd:22"
        case let .missingShard(file):
            return "\(file): shard named in index.json does not exist; restore it or rewrite the dataset"
        case let .hashMismatch(file, algorithm, expected, actual):
            return "\(file): \(algorithm) is \(actual) but index.json records \(expected); the file is corrupt"
        case let .truncatedShard(file, reason):
            return "\(file): truncated or corrupt shard: \(reason)"
        case let .sampleCountMismatch(file, index, shard):
            return "\(file): index.json says \(index) samples but the shard header holds \(shard)"
        case let .malformedSample(file, sample, column, reason):
            return "\(file): sample \(sample), column \(column): \(reason)"
        case let .zstd(file, reason):
            return "\(file): zstd: \(reason)"
        case let .sampleOutOfRange(index, count):
            return "sample index \(index) is out of range; the dataset holds \(count) samples"
        case let .invalidSample(column, reason):
            return "sample column \(column): \(reason)"
        case let .invalidConfiguration(reason):
            return "invalid MDS writer configuration: \(reason)"
        case let .io(file, reason):
            return "\(file): \(reason)"
        }
    }
}
