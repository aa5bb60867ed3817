import Foundation

/// Reads only the GGUF header and metadata key/values (GGUF.md §1.1–1.3), to learn a quantised file's
/// `general.*` lineage keys when no manifest sits beside it. Stops before the tensor infos.
/// To be replaced by ModelFormats' reader once that lands; kept self-contained until then.
struct GGUFMetadataReader {
    enum Value: Equatable {
        case string(String), integer(Int64), float(Double), bool(Bool), strings([String]), other
        var text: String? {
            switch self {
            case let .string(s): return s
            case let .integer(i): return String(i)
            default: return nil
            }
        }
    }

    private let data: Data
    private let path: String
    private var offset = 0

    /// Metadata keys to values. Non-string arrays are skipped (`.other`); only `general.*` is used.
    static func read(_ url: URL) throws(ProvenanceError) -> [String: Value] {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        var reader = GGUFMetadataReader(data: data, path: url.path)
        return try reader.readHeader()
    }

    private init(data: Data, path: String) { self.data = data; self.path = path }

    private mutating func readHeader() throws(ProvenanceError) -> [String: Value] {
        guard try bytes(4) == Data("GGUF".utf8) else { throw fail("magic is not \"GGUF\"") }
        let version = try u32()
        guard version == 2 || version == 3 else { throw fail("version \(version) (2 or 3 expected)") }
        _ = try u64()  // tensor_count
        let count = try u64()
        // Each record takes at least 13 bytes; a larger count is a corrupt header, not a huge allocation.
        guard count <= UInt64(data.count / 13) else { throw fail("metadata_kv_count \(count) exceeds the file size") }
        var out: [String: Value] = [:]
        for _ in 0..<count {
            let key = try string()
            out[key] = try value(type: try u32(), depth: 0)
        }
        return out
    }

    private mutating func value(type: UInt32, depth: Int) throws(ProvenanceError) -> Value {
        switch type {
        case 0: return .integer(Int64(try fixed(1, as: UInt8.self)))
        case 1: return .integer(Int64(try fixed(1, as: Int8.self)))
        case 2: return .integer(Int64(try fixed(2, as: UInt16.self)))
        case 3: return .integer(Int64(try fixed(2, as: Int16.self)))
        case 4: return .integer(Int64(try u32()))
        case 5: return .integer(Int64(try fixed(4, as: Int32.self)))
        case 6: return .float(Double(Float(bitPattern: try u32())))
        case 7: return .bool(try fixed(1, as: UInt8.self) != 0)
        case 8: return .string(try string())
        case 9:
            guard depth < 4 else { throw fail("arrays nested deeper than 4") }
            let elementType = try u32()
            let count = try u64()
            guard count <= UInt64(data.count - offset) else { throw fail("array of \(count) elements exceeds the file size") }
            if elementType == 8 {
                var strings: [String] = []
                for _ in 0..<count { strings.append(try string()) }
                return .strings(strings)
            }
            for _ in 0..<count { _ = try value(type: elementType, depth: depth + 1) }
            return .other
        case 10: return .integer(Int64(bitPattern: try u64()))
        case 11: return .integer(try fixed(8, as: Int64.self))
        case 12: return .float(Double(bitPattern: try u64()))
        default: throw fail("unknown value type \(type)")
        }
    }

    private mutating func string() throws(ProvenanceError) -> String {
        let length = try u64()
        guard length <= UInt64(data.count - offset) else { throw fail("string length \(length) exceeds the file size") }
        let raw = try bytes(Int(length))
        return String(decoding: raw, as: UTF8.self)
    }

    private mutating func u32() throws(ProvenanceError) -> UInt32 { try fixed(4, as: UInt32.self) }
    private mutating func u64() throws(ProvenanceError) -> UInt64 { try fixed(8, as: UInt64.self) }

    private mutating func fixed<T: FixedWidthInteger>(_ size: Int, as: T.Type) throws(ProvenanceError) -> T {
        let raw = try bytes(size)
        var v: T = 0
        for (i, b) in raw.enumerated() { v |= T(truncatingIfNeeded: b) << (8 * i) }  // little-endian (§1)
        return v
    }

    private mutating func bytes(_ n: Int) throws(ProvenanceError) -> Data {
        guard n >= 0, offset + n <= data.count else { throw fail("unexpected end of file reading \(n) bytes") }
        let start = data.startIndex + offset
        offset += n
        return data.subdata(in: start..<(start + n))
    }

    private func fail(_ reason: String) -> ProvenanceError { .malformedGGUF(path: path, offset: offset, reason: reason) }
}
