import Foundation

/// A decoded MDS cell. Python's decoders return str/bytes/int/numpy scalars/JSON values
/// (MDS.md §4); we keep one case per kind so a sample round-trips without loss.
public enum MDSValue: Equatable, Sendable {
    case string(String)
    case bytes([UInt8])
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    /// The JSON text as stored. Kept as text because Python writes `NaN`/`Infinity`
    /// tokens that are not JSON (MDS.md §4, json columns); the caller parses it.
    case json(String)
    case array(MDSArray)
}

/// The column encodings we read and write: MDS.md §4 minus float16 scalars, str_int/
/// str_float/str_decimal, pkl and the image ones.
public enum MDSEncoding: Equatable, Sendable {
    case bytes, str, json, int
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case float32, float64
    /// `ndarray`, `ndarray:DTYPE` or `ndarray:DTYPE:D1,D2,…`; a shape needs a dtype.
    case ndarray(dtype: MDSDType?, shape: [Int]?)

    private static let scalars: [String: MDSEncoding] = [
        "bytes": .bytes, "str": .str, "json": .json, "int": .int, "int8": .int8, "int16": .int16,
        "int32": .int32, "int64": .int64, "uint8": .uint8, "uint16": .uint16, "uint32": .uint32,
        "uint64": .uint64, "float32": .float32, "float64": .float64,
    ]

    /// Parses an index `column_encodings` string.
    public init?(rawValue: String) {
        if let s = Self.scalars[rawValue] { self = s; return }
        guard rawValue == "ndarray" || rawValue.hasPrefix("ndarray:") else { return nil }
        // Python splits the argument on ':'; `ndarray:` (empty) is fully dynamic (MDS.md §4).
        let args = rawValue.split(separator: ":", omittingEmptySubsequences: false).dropFirst()
        guard args.count <= 2 else { return nil }
        var dtype: MDSDType? = nil
        var shape: [Int]? = nil
        if let first = args.first, !first.isEmpty {
            guard let t = MDSDType(rawValue: String(first)) else { return nil }
            dtype = t
        }
        if args.count == 2 {
            let dims = args[args.startIndex + 1].split(separator: ",").map { Int($0) }
            guard dtype != nil, !dims.isEmpty, dims.count <= 63 else { return nil }
            var parsed: [Int] = []
            for d in dims {
                guard let d, d >= 1 else { return nil }
                parsed.append(d)
            }
            guard let n = MDSArray.elementCount(parsed), n < Int(UInt32.max) else { return nil }
            shape = parsed
        }
        self = .ndarray(dtype: dtype, shape: shape)
    }

    public var rawValue: String {
        switch self {
        case let .ndarray(dtype, shape):
            guard let dtype else { return "ndarray" }
            guard let shape else { return "ndarray:\(dtype.rawValue)" }
            return "ndarray:\(dtype.rawValue):" + shape.map(String.init).joined(separator: ",")
        default:
            return Self.scalars.first { $0.value == self }?.key ?? "?"
        }
    }

    /// Byte size of a fixed column, nil when variable; the index's `column_sizes` (MDS.md §2).
    public var fixedSize: Int? {
        switch self {
        case .bytes, .str, .json: return nil
        case .int8, .uint8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .float32: return 4
        case .int, .int64, .uint64, .float64: return 8
        case let .ndarray(dtype, shape):
            guard let dtype, let shape, let n = MDSArray.elementCount(shape) else { return nil }
            return n * dtype.itemSize
        }
    }
}

/// One named column of a dataset.
public struct MDSColumn: Equatable, Sendable {
    public var name: String
    public var encoding: MDSEncoding

    public init(_ name: String, _ encoding: MDSEncoding) {
        self.name = name
        self.encoding = encoding
    }

    /// Encodes a value to the column's byte form (MDS.md §4), little-endian.
    func encode(_ value: MDSValue) throws -> [UInt8] {
        func wrong() -> TracesError {
            .invalidSample(column: name, reason: "a \(encoding.rawValue) column cannot hold \(value)")
        }
        func signed(_ v: Int64, bytes: Int) throws -> [UInt8] {
            let bits = bytes * 8
            if bits < 64 {
                let lo = -(Int64(1) << (bits - 1)), hi = (Int64(1) << (bits - 1)) - 1
                guard v >= lo && v <= hi else {
                    throw TracesError.invalidSample(column: name, reason: "\(v) does not fit in \(encoding.rawValue)")
                }
            }
            return littleEndian(UInt64(bitPattern: v), bytes: bytes)
        }
        func unsigned(_ v: UInt64, bytes: Int) throws -> [UInt8] {
            if bytes < 8 && v >> (UInt64(bytes) * 8) != 0 {
                throw TracesError.invalidSample(column: name, reason: "\(v) does not fit in \(encoding.rawValue)")
            }
            return littleEndian(v, bytes: bytes)
        }
        switch (encoding, value) {
        case let (.bytes, .bytes(b)): return b
        case let (.str, .string(s)): return Array(s.utf8)
        case let (.json, .json(text)):
            // The reference decodes with json.loads, so refuse text it would reject.
            guard JSONSyntax.isValid(text) else {
                throw TracesError.invalidSample(column: name, reason: "not valid JSON text")
            }
            return Array(text.utf8)
        case let (.int, .int(v)), let (.int64, .int(v)): return try signed(v, bytes: 8)
        case let (.int32, .int(v)): return try signed(v, bytes: 4)
        case let (.int16, .int(v)): return try signed(v, bytes: 2)
        case let (.int8, .int(v)): return try signed(v, bytes: 1)
        case let (.uint64, .uint(v)): return try unsigned(v, bytes: 8)
        case let (.uint32, .uint(v)): return try unsigned(v, bytes: 4)
        case let (.uint16, .uint(v)): return try unsigned(v, bytes: 2)
        case let (.uint8, .uint(v)): return try unsigned(v, bytes: 1)
        case let (.float64, .double(v)): return littleEndian(v.bitPattern, bytes: 8)
        case let (.float32, .double(v)): return littleEndian(UInt64(Float(v).bitPattern), bytes: 4)
        case let (.ndarray(dtype, shape), .array(a)):
            do { return try NDArrayCoding.encode(a, dtype: dtype, shape: shape) } catch let TracesError.invalidSample(_, reason) {
                throw TracesError.invalidSample(column: name, reason: reason)
            }
        default: throw wrong()
        }
    }

    /// Appends the encoded value to `out`: the writer's path, which copies a string's or
    /// bytes' contents once, straight into the shard buffer.
    func encode(_ value: MDSValue, into out: inout [UInt8]) throws {
        switch (encoding, value) {
        case let (.bytes, .bytes(b)): out.append(contentsOf: b)
        case let (.str, .string(s)): out.append(contentsOf: s.utf8)
        default: out.append(contentsOf: try encode(value))
        }
    }

    /// Decodes the column's bytes; the caller has already checked a fixed column's length.
    func decode(_ bytes: ArraySlice<UInt8>) -> MDSValue? {
        switch encoding {
        case .bytes: return .bytes(Array(bytes))
        case .str:
            // Strict, like Python's UTF-8 decode: invalid bytes are an error, not U+FFFD.
            guard let s = String(validating: bytes, as: UTF8.self) else { return nil }
            return .string(s)
        case .json:
            guard let s = String(validating: bytes, as: UTF8.self) else { return nil }
            return .json(s)
        case .int, .int64: return .int(Int64(bitPattern: readLE(bytes)))
        case .int32: return .int(Int64(Int32(truncatingIfNeeded: readLE(bytes))))
        case .int16: return .int(Int64(Int16(truncatingIfNeeded: readLE(bytes))))
        case .int8: return .int(Int64(Int8(truncatingIfNeeded: readLE(bytes))))
        case .uint8, .uint16, .uint32, .uint64: return .uint(readLE(bytes))
        case .float64: return .double(Double(bitPattern: readLE(bytes)))
        case .float32: return .double(Double(Float(bitPattern: UInt32(truncatingIfNeeded: readLE(bytes)))))
        case let .ndarray(dtype, shape): return NDArrayCoding.decode(bytes, dtype: dtype, shape: shape).map(MDSValue.array)
        }
    }
}

func littleEndian(_ v: UInt64, bytes: Int) -> [UInt8] {
    (0..<bytes).map { UInt8(truncatingIfNeeded: v >> (UInt64($0) * 8)) }
}

/// Little-endian unsigned integer from up to 8 bytes (MDS.md §3: everything is LE).
func readLE(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var v: UInt64 = 0
    for (i, b) in bytes.prefix(8).enumerated() { v |= UInt64(b) << (UInt64(i) * 8) }
    return v
}
