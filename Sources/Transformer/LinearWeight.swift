import CKernels
import ModelFormats
import Tensors

/// A weight matrix of `rows` output features × `columns` input features, either Float32 or
/// ggml blocks used as they are (no dequantised copy: the bytes are usually a memory-mapped
/// GGUF file, which `owner` keeps alive).
public struct LinearWeight: @unchecked Sendable {
    public enum Storage {
        case float(UnsafePointer<Float>)
        case quantized(GGMLType, UnsafeRawPointer, rowBytes: Int)
    }

    public let name: String
    public let rows: Int
    public let columns: Int
    public let storage: Storage
    private let owner: AnyObject

    /// Types with a matmul kernel that reads the blocks directly.
    public static let directTypes: Set<GGMLType> = [.q4_0, .q4_1, .q8_0, .f16]

    public init(name: String, rows: Int, columns: Int, float buffer: FloatBuffer) throws {
        guard buffer.count == rows * columns else {
            throw TransformerError.weightShape(name: name, expected: [rows, columns], found: [buffer.count])
        }
        try self.init(name: name, rows: rows, columns: columns, floats: buffer.pointer, owner: buffer)
    }

    /// `floats` must hold rows × columns values, kept alive by `owner`.
    public init(name: String, rows: Int, columns: Int, floats: UnsafePointer<Float>, owner: AnyObject) throws {
        guard rows > 0, columns > 0 else {
            throw TransformerError.weightShape(name: name, expected: [rows, columns], found: [rows, columns])
        }
        self.name = name
        self.rows = rows
        self.columns = columns
        self.storage = .float(floats)
        self.owner = owner
    }

    /// `bytes` must hold `rows` rows of `columns` elements of `type`, kept alive by `owner`.
    public init(name: String, rows: Int, columns: Int, type: GGMLType, bytes: UnsafeRawBufferPointer, owner: AnyObject) throws {
        guard Self.directTypes.contains(type) else {
            throw TransformerError.unsupportedWeightType(name: name, type: type.description)
        }
        // The kernels walk rows in blocks of 32 elements (F16 included).
        guard rows > 0, columns > 0, columns % 32 == 0, let rowBytes = type.byteCount(elements: columns),
              let base = bytes.baseAddress, bytes.count == rowBytes * rows else {
            throw TransformerError.weightShape(name: name, expected: [rows, columns], found: [bytes.count])
        }
        self.name = name
        self.rows = rows
        self.columns = columns
        self.storage = .quantized(type, base, rowBytes: rowBytes)
        self.owner = owner
    }

    /// y[n × rows] = x[n × columns] · Wᵀ. `scratch` holds the activations the Q4 kernels
    /// prepare once per call (permuted, with block sums).
    public func apply(_ x: UnsafePointer<Float>, count n: Int, into y: UnsafeMutablePointer<Float>,
                      pool: ComputePool, scratch: KernelScratch) throws {
        let columns = self.columns, rows = self.rows
        switch storage {
        case .float(let w):
            Gemm.multiplyTransposedB(m: n, n: rows, k: columns, a: x, lda: columns, b: w, ldb: columns, c: y, ldc: rows)
        case .quantized(let type, let base, let rowBytes):
            let bytes = base.assumingMemoryBound(to: UInt8.self)
            switch type {
            case .q4_0, .q4_1:
                let (permuted, sums) = try scratch.q4Activations(n: n, columns: columns)
                dst_prepare_q4_activations(x, Int32(n), Int32(columns), permuted, sums)
                let kernel = type == .q4_0 ? dst_matmul_q4_0 : dst_matmul_q4_1
                pool.forEachRange(rows, minimumChunk: 16) { range in
                    kernel(bytes, rowBytes, Int32(range.lowerBound), Int32(range.upperBound), Int32(columns),
                           permuted, sums, Int32(n), y, rows)
                }
            default:
                let kernel = type == .q8_0 ? dst_matmul_q8_0 : dst_matmul_f16
                pool.forEachRange(rows, minimumChunk: 16) { range in
                    kernel(bytes, rowBytes, Int32(range.lowerBound), Int32(range.upperBound), Int32(columns),
                           x, columns, Int32(n), y, rows)
                }
            }
        }
    }

    /// Writes row `index` as Float32 (an embedding lookup).
    public func row(_ index: Int, into destination: UnsafeMutablePointer<Float>) throws {
        guard index >= 0, index < rows else {
            throw TransformerError.tokenOutOfRange(token: Int32(truncatingIfNeeded: index), vocabularySize: rows)
        }
        switch storage {
        case .float(let w):
            destination.update(from: w + index * columns, count: columns)
        case .quantized(let type, let base, let rowBytes):
            let source = UnsafeRawBufferPointer(start: base + index * rowBytes, count: rowBytes)
            try dequantize(source, type: type, count: columns, into: destination)
        }
    }

    public var storedType: String {
        switch storage {
        case .float: return "F32"
        case .quantized(let type, _, _): return type.description
        }
    }
}
