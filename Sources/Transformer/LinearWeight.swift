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
    public static let directTypes: Set<GGMLType> = [.q4_0, .q4_1, .q8_0, .f16, .bf16, .q5_0, .q5_1,
                                                    .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

    /// Types whose kernels take int8 activations (CKernels/quantized_matmul_k.c).
    static let int8ActivationTypes: Set<GGMLType> = [.q5_0, .q5_1, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

    /// Whether a `type` matrix with rows of `columns` runs from its blocks: the kernels walk
    /// rows in groups of 32 elements (F16 and BF16 included), K-quants in whole super-blocks
    /// of 256.
    public static func readsDirectly(_ type: GGMLType, columns: Int) -> Bool {
        directTypes.contains(type) && columns > 0 && columns % max(32, type.blockSize) == 0
    }

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
        guard rows > 0, Self.readsDirectly(type, columns: columns), let rowBytes = type.byteCount(elements: columns),
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
            var int8: Int8Activations?
            if type == .q4_0 || type == .q4_1 {
                (permuted, sums) = try scratch.q4Activations(n: n, columns: columns)
                dst_prepare_q4_activations(x, Int32(n), Int32(columns), permuted, sums)
            } else if Self.int8ActivationTypes.contains(type) {
                int8 = try Self.quantizeActivations(x, count: n, columns: columns, scratch: scratch)
            }
            pool.forEachRange(rows, minimumChunk: 16) { range in
                run(rows: range, x: x, permuted: permuted, sums: sums, int8: int8, count: n, into: y)
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
        var needsQ4 = false, needsInt8 = false
        for (weight, output) in zip(weights, outputs) {
            switch weight.storage {
            case .float(let w):
                Gemm.multiplyTransposedB(m: n, n: weight.rows, k: columns, a: x, lda: columns, b: w, ldb: columns,
                                         c: output, ldc: weight.rows)
            case .quantized(let type, _, _):
                needsQ4 = needsQ4 || type == .q4_0 || type == .q4_1
                needsInt8 = needsInt8 || int8ActivationTypes.contains(type)
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
        let int8 = try needsInt8 ? quantizeActivations(x, count: n, columns: columns, scratch: scratch) : nil
        pool.forEachRange(totalRows, minimumChunk: 16) { range in
            for part in direct {
                let lower = max(range.lowerBound, part.firstRow), upper = min(range.upperBound, part.firstRow + part.weight.rows)
                guard lower < upper else { continue }
                part.weight.run(rows: (lower - part.firstRow)..<(upper - part.firstRow), x: x, permuted: permuted,
                                sums: sums, int8: int8, count: n, into: part.output)
            }
        }
    }

    /// Quantises the activations once for all the int8 kernels of one call.
    private static func quantizeActivations(_ x: UnsafePointer<Float>, count n: Int, columns: Int,
                                            scratch: KernelScratch) throws -> Int8Activations {
        let int8 = try scratch.int8Activations(n: n, columns: columns)
        dst_quantize_activations_q8(x, columns, Int32(n), Int32(columns), int8.values, int8.scales, int8.sums)
        return int8
    }

    /// The kernel call for `rows` of a directly-read weight.
    private func run(rows range: Range<Int>, x: UnsafePointer<Float>, permuted: UnsafeMutablePointer<Float>?,
                     sums: UnsafeMutablePointer<Float>?, int8: Int8Activations?, count n: Int,
                     into y: UnsafeMutablePointer<Float>) {
        guard case .quantized(let type, let base, let rowBytes) = storage else { return }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let begin = Int32(range.lowerBound), end = Int32(range.upperBound), cols = Int32(columns)
        let q = int8?.values, d = int8?.scales, s = int8?.sums
        switch type {
        case .q4_0: dst_matmul_q4_0(bytes, rowBytes, begin, end, cols, permuted, sums, Int32(n), y, rows)
        case .q4_1: dst_matmul_q4_1(bytes, rowBytes, begin, end, cols, permuted, sums, Int32(n), y, rows)
        case .q8_0: dst_matmul_q8_0(bytes, rowBytes, begin, end, cols, x, columns, Int32(n), y, rows)
        case .q5_0: dst_matmul_q5_0(bytes, rowBytes, begin, end, cols, q, d, s, Int32(n), y, rows)
        case .q5_1: dst_matmul_q5_1(bytes, rowBytes, begin, end, cols, q, d, s, Int32(n), y, rows)
        case .q2_K: dst_matmul_q2_k(bytes, rowBytes, begin, end, cols, q, d, s, Int32(n), y, rows)
        case .q3_K: dst_matmul_q3_k(bytes, rowBytes, begin, end, cols, q, d, s, Int32(n), y, rows)
        case .q4_K: dst_matmul_q4_k(bytes, rowBytes, begin, end, cols, q, d, s, Int32(n), y, rows)
        case .q5_K: dst_matmul_q5_k(bytes, rowBytes, begin, end, cols, q, d, s, Int32(n), y, rows)
        case .q6_K: dst_matmul_q6_k(bytes, rowBytes, begin, end, cols, q, d, s, Int32(n), y, rows)
        case .f16: dst_matmul_f16(bytes, rowBytes, begin, end, cols, x, columns, Int32(n), y, rows)
        case .bf16: dst_matmul_bf16(bytes, rowBytes, begin, end, cols, x, columns, Int32(n), y, rows)
        default: preconditionFailure("\(type) has no kernel; init admits only directTypes")
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
