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
        // The direct path, without the fused call's arrays: this runs for every matmul of
        // every token.
        switch storage {
        case .float(let w):
            Gemm.multiplyTransposedB(m: n, n: rows, k: columns, a: x, lda: columns, b: w, ldb: columns, c: y, ldc: rows)
        case .quantized(let type, _, _):
            var permuted: UnsafeMutablePointer<Float>?, sums: UnsafeMutablePointer<Float>?
            if type == .q4_0 || type == .q4_1 {
                (permuted, sums) = try scratch.q4Activations(n: n, columns: columns)
                dst_prepare_q4_activations(x, Int32(n), Int32(columns), permuted, sums)
            }
            pool.forEachRange(rows, minimumChunk: 16) { range in
                run(rows: range, x: x, permuted: permuted, sums: sums, count: n, into: y)
            }
        }
    }

    /// Several weights that read the same input (Q, K and V; gate and up): the input is
    /// prepared once and all their rows are split over the threads in one dispatch, which
    /// matters when a decoding step is a few hundred matmuls of tens of microseconds.
    public static func apply(_ weights: [LinearWeight], to x: UnsafePointer<Float>, count n: Int,
                             into outputs: [UnsafeMutablePointer<Float>], pool: ComputePool,
                             scratch: KernelScratch) throws {
        guard let columns = weights.first?.columns, weights.allSatisfy({ $0.columns == columns }),
              outputs.count == weights.count else {
            throw TransformerError.invalidBatch("fused matmul needs weights of one input width and one output each")
        }
        var direct: [(weight: LinearWeight, output: UnsafeMutablePointer<Float>, firstRow: Int)] = []
        var totalRows = 0
        var needsQ4 = false
        for (weight, output) in zip(weights, outputs) {
            switch weight.storage {
            case .float(let w):
                Gemm.multiplyTransposedB(m: n, n: weight.rows, k: columns, a: x, lda: columns, b: w, ldb: columns,
                                         c: output, ldc: weight.rows)
            case .quantized(let type, _, _):
                needsQ4 = needsQ4 || type == .q4_0 || type == .q4_1
                direct.append((weight, output, totalRows))
                totalRows += weight.rows
            }
        }
        guard !direct.isEmpty else { return }
        var permuted: UnsafeMutablePointer<Float>?, sums: UnsafeMutablePointer<Float>?
        if needsQ4 {
            let buffers = try scratch.q4Activations(n: n, columns: columns)
            dst_prepare_q4_activations(x, Int32(n), Int32(columns), buffers.0, buffers.1)
            (permuted, sums) = buffers
        }
        pool.forEachRange(totalRows, minimumChunk: 16) { range in
            for part in direct {
                let lower = max(range.lowerBound, part.firstRow), upper = min(range.upperBound, part.firstRow + part.weight.rows)
                guard lower < upper else { continue }
                part.weight.run(rows: (lower - part.firstRow)..<(upper - part.firstRow), x: x, permuted: permuted,
                                sums: sums, count: n, into: part.output)
            }
        }
    }

    /// The kernel call for `rows` of a directly-read weight.
    private func run(rows range: Range<Int>, x: UnsafePointer<Float>, permuted: UnsafeMutablePointer<Float>?,
                     sums: UnsafeMutablePointer<Float>?, count n: Int, into y: UnsafeMutablePointer<Float>) {
        guard case .quantized(let type, let base, let rowBytes) = storage else { return }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let begin = Int32(range.lowerBound), end = Int32(range.upperBound)
        switch type {
        case .q4_0: dst_matmul_q4_0(bytes, rowBytes, begin, end, Int32(columns), permuted, sums, Int32(n), y, rows)
        case .q4_1: dst_matmul_q4_1(bytes, rowBytes, begin, end, Int32(columns), permuted, sums, Int32(n), y, rows)
        case .q8_0: dst_matmul_q8_0(bytes, rowBytes, begin, end, Int32(columns), x, columns, Int32(n), y, rows)
        default: dst_matmul_f16(bytes, rowBytes, begin, end, Int32(columns), x, columns, Int32(n), y, rows)
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
