import Foundation

/// The 11 numpy dtypes MDS's ndarray encoding knows, with their on-disk codes (MDS.md §4:
/// no bool, bfloat16 or complex).
public enum MDSDType: String, CaseIterable, Sendable {
    case uint8, int8, uint16, int16, float16, uint32, int32, float32, uint64, int64, float64

    var code: UInt8 {
        switch self {
        case .uint8: return 8
        case .int8: return 9
        case .uint16: return 16
        case .int16: return 17
        case .float16: return 18
        case .uint32: return 32
        case .int32: return 33
        case .float32: return 34
        case .uint64: return 64
        case .int64: return 65
        case .float64: return 66
        }
    }

    public var itemSize: Int {
        switch self {
        case .uint8, .int8: return 1
        case .uint16, .int16, .float16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        }
    }

    init?(code: UInt8) {
        guard let t = MDSDType.allCases.first(where: { $0.code == code }) else { return nil }
        self = t
    }
}

/// An n-d array as MDS stores it: C order, little-endian values kept as raw bytes, so
/// float16 (top-k logprobs, MDS.md §8) needs no conversion to pass through.
public struct MDSArray: Equatable, Sendable {
    public var dtype: MDSDType
    public var shape: [Int]
    /// prod(shape) × itemSize bytes, little-endian, row-major.
    public var data: [UInt8]

    public init(dtype: MDSDType, shape: [Int], data: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// Element count, or nil if a dim is < 1 or the product overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 1 else { return nil }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            if o { return nil }
            n = p
        }
        return n
    }
}

/// `ndarray[:DTYPE[:D1,D2,…]]` byte form (MDS.md §4, ndarray):
/// [dtype code u8 if not fixed][(ndim << 2) | w, dims of 2^w bytes, if shape not fixed][values].
enum NDArrayCoding {
    static func encode(_ a: MDSArray, dtype: MDSDType?, shape: [Int]?) throws -> [UInt8] {
        func bad(_ reason: String) -> TracesError { .invalidSample(column: "", reason: reason) }
        if let dtype, dtype != a.dtype { throw bad("dtype \(a.dtype.rawValue) differs from the column's \(dtype.rawValue)") }
        if let shape, shape != a.shape { throw bad("shape \(a.shape) differs from the column's \(shape)") }
        // The reference refuses empty arrays and 0-d scalars at write time (MDS.md §4).
        guard (1...63).contains(a.shape.count), let n = MDSArray.elementCount(a.shape) else {
            throw bad("shape \(a.shape) must have 1…63 dims, each ≥ 1")
        }
        guard a.data.count == n * a.dtype.itemSize else {
            throw bad("\(a.data.count) data bytes for shape \(a.shape) of \(a.dtype.rawValue)")
        }
        var out: [UInt8] = []
        if dtype == nil { out.append(a.dtype.code) }
        if shape == nil {
            // The width depends on the largest dim only (MDS.md §4).
            let largest = a.shape.max() ?? 1
            let w: Int = largest < 256 ? 0 : largest < 65536 ? 1 : largest < (1 << 32) ? 2 : 3
            out.append(UInt8((a.shape.count << 2) | w))
            for d in a.shape { out += littleEndian(UInt64(d), bytes: 1 << w) }
        }
        return out + a.data
    }

    static func decode(_ bytes: ArraySlice<UInt8>, dtype: MDSDType?, shape: [Int]?) -> MDSArray? {
        var at = bytes.startIndex
        let type: MDSDType
        if let dtype {
            type = dtype
        } else {
            guard at < bytes.endIndex, let t = MDSDType(code: bytes[at]) else { return nil }
            type = t
            at += 1
        }
        var dims: [Int]
        if let shape {
            dims = shape
        } else {
            guard at < bytes.endIndex else { return nil }
            let header = Int(bytes[at])
            at += 1
            let ndim = header >> 2, width = 1 << (header & 3)
            guard ndim >= 1, bytes.endIndex - at >= ndim * width else { return nil }
            dims = []
            for _ in 0..<ndim {
                let d = readLE(bytes[at..<at + width])
                guard d >= 1, d <= UInt64(Int32.max) else { return nil }
                dims.append(Int(d))
                at += width
            }
        }
        guard let n = MDSArray.elementCount(dims) else { return nil }
        let (size, overflow) = n.multipliedReportingOverflow(by: type.itemSize)
        guard !overflow, bytes.endIndex - at == size else { return nil }
        return MDSArray(dtype: type, shape: dims, data: Array(bytes[at...]))
    }
}
