import Foundation

/// Encodes Float32 weights as a ggml type, byte for byte as ggml's `ggml_quantize_chunk` does
/// on x86-64: the reference quantisers (`quantize_row_*_ref`, GGUF.md §6) without
/// `importance`, the weighted ones (`quantize_row_*_impl`, §6.14) with it, and ggml's f16/bf16
/// conversions (§4).
///
/// - `values` are whole rows of `rowLength` elements (`ne[0]`), in `ne` order; `tensor` names
///   the tensor in errors.
/// - `importance` is what llama.cpp calls the imatrix of this tensor: exactly `rowLength`
///   non-negative finite values, one per column, applied to every row. Q4_0, Q4_1, Q5_0, Q5_1
///   and Q2_K…Q6_K use it; Q8_0, F16, BF16 and F32 check it and ignore it (as ggml does).
/// - `threads` splits the rows into that many runs encoded in parallel; nil means one per
///   active core. Blocks are independent, so the bytes do not depend on it. Tensors under
///   64K elements are encoded on the calling thread.
///
/// Every input is checked before anything is encoded: a NaN or infinite weight, a row that is
/// not a whole number of blocks, or a bad importance vector throws a `QuantizeError`.
public func quantize(_ values: UnsafeBufferPointer<Float>, as type: GGMLType, rowLength: Int, tensor: String,
                     importance: UnsafeBufferPointer<Float>? = nil, threads: Int? = nil) throws -> [UInt8] {
    guard GGMLType.quantizable.contains(type) else { throw QuantizeError.unsupportedType(tensor: tensor, type: type) }
    guard rowLength > 0, values.count % rowLength == 0 else {
        throw QuantizeError.elementCountMismatch(tensor: tensor, count: values.count, rowLength: rowLength)
    }
    guard rowLength % type.blockSize == 0 else {
        throw QuantizeError.rowLengthNotMultipleOfBlock(tensor: tensor, rowLength: rowLength, type: type)
    }
    if let importance {
        guard importance.count == rowLength else {
            throw QuantizeError.importanceCountMismatch(tensor: tensor, count: importance.count, rowLength: rowLength)
        }
        if let index = importance.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw QuantizeError.invalidImportance(tensor: tensor, index: index, value: importance[index])
        }
    }
    if let index = values.firstIndex(where: { !$0.isFinite }) {
        throw QuantizeError.nonFiniteWeight(tensor: tensor, index: index, value: values[index])
    }
    guard let x = values.baseAddress, let size = type.byteCount(elements: values.count), size > 0 else { return [] }
    let rows = values.count / rowLength
    let rowBytes = size / rows
    let weights = importance?.baseAddress
    let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, rows, values.count >> 16))
    return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        // Every byte of every row is assigned by `encodeRows`, so the buffer is fully initialised.
        let y = buffer.baseAddress!
        if workers == 1 {
            encodeRows(x, rows: rows, rowLength: rowLength, as: type, importance: weights, into: y)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let first = rows * worker / workers, end = rows * (worker + 1) / workers
                encodeRows(x + first * rowLength, rows: end - first, rowLength: rowLength, as: type,
                           importance: weights, into: y + first * rowBytes)
            }
        }
        initialized = size
    }
}

/// Convenience over the buffer form.
public func quantize(_ values: [Float], as type: GGMLType, rowLength: Int, tensor: String,
                     importance: [Float]? = nil, threads: Int? = nil) throws -> [UInt8] {
    try values.withUnsafeBufferPointer { x in
        guard let importance else {
            return try quantize(x, as: type, rowLength: rowLength, tensor: tensor, threads: threads)
        }
        return try importance.withUnsafeBufferPointer {
            try quantize(x, as: type, rowLength: rowLength, tensor: tensor, importance: $0, threads: threads)
        }
    }
}

/// One run of whole rows; `importance` (one value per column) selects the weighted quantisers.
private func encodeRows(_ x: UnsafePointer<Float>, rows: Int, rowLength: Int, as type: GGMLType,
                        importance: UnsafePointer<Float>?, into y: UnsafeMutablePointer<UInt8>) {
    let count = rows * rowLength
    let blocks = count / type.blockSize
    if let w = importance {
        switch type {
        case .q4_0: return quantizeWeightedQ4_0OrQ5_0(x, rows: rows, rowLength: rowLength, importance: w, into: y, fiveBit: false)
        case .q5_0: return quantizeWeightedQ4_0OrQ5_0(x, rows: rows, rowLength: rowLength, importance: w, into: y, fiveBit: true)
        case .q4_1: return quantizeWeightedQ4_1OrQ5_1(x, rows: rows, rowLength: rowLength, importance: w, into: y, fiveBit: false)
        case .q5_1: return quantizeWeightedQ4_1OrQ5_1(x, rows: rows, rowLength: rowLength, importance: w, into: y, fiveBit: true)
        case .q2_K: return quantizeWeightedQ2_K(x, rows: rows, rowLength: rowLength, importance: w, into: y)
        case .q3_K: return quantizeWeightedQ3_K(x, rows: rows, rowLength: rowLength, importance: w, into: y)
        case .q4_K: return quantizeWeightedQ4_KOrQ5_K(x, rows: rows, rowLength: rowLength, importance: w, into: y, fiveBit: false)
        case .q5_K: return quantizeWeightedQ4_KOrQ5_K(x, rows: rows, rowLength: rowLength, importance: w, into: y, fiveBit: true)
        case .q6_K: return quantizeWeightedQ6_K(x, rows: rows, rowLength: rowLength, importance: w, into: y)
        case .f32, .f16, .bf16, .q8_0: break   // ggml ignores the importance for these
        }
    }
    switch type {
    case .f32: encodeF32(x, count: count, into: y)
    case .f16: encodeF16(x, count: count, into: y)
    case .bf16: encodeBF16(x, count: count, into: y)
    case .q8_0: quantizeQ8_0(x, blocks: blocks, into: y)
    case .q4_0: quantizeQ4_0(x, blocks: blocks, into: y)
    case .q4_1: quantizeQ4_1(x, blocks: blocks, into: y)
    case .q5_0: quantizeQ5_0(x, blocks: blocks, into: y)
    case .q5_1: quantizeQ5_1(x, blocks: blocks, into: y)
    case .q2_K: quantizeQ2_K(x, blocks: blocks, into: y)
    case .q3_K: quantizeQ3_K(x, blocks: blocks, into: y)
    case .q4_K: quantizeQ4_K(x, blocks: blocks, into: y)
    case .q5_K: quantizeQ5_K(x, blocks: blocks, into: y)
    case .q6_K: quantizeQ6_K(x, blocks: blocks, into: y)
    }
}

extension GGMLType {
    /// Types `quantize(_:as:rowLength:tensor:importance:threads:)` can produce.
    public static let quantizable: [GGMLType] = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1,
                                                 .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

    /// The types that use an importance vector (the others accept and ignore it).
    public static let importanceWeighted: [GGMLType] = [.q4_0, .q4_1, .q5_0, .q5_1, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

    /// The type named as llama.cpp names it (`Q8_0`, `f16`, ...), case-insensitively.
    public init?(name: String) {
        guard let type = GGMLType.allCases.first(where: { $0.description.lowercased() == name.lowercased() }) else { return nil }
        self = type
    }
}
