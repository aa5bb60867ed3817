/// Encodes Float32 weights as a ggml type, byte for byte as ggml's reference quantisers
/// (`quantize_row_*_ref` in ggml-quants.c, GGUF.md §6) and its f16/bf16 conversions (§4) do.
///
/// `values` are whole rows of `rowLength` elements (`ne[0]`), in `ne` order; `tensor` names
/// the tensor in errors. Every weight is checked before any is encoded: a NaN or infinity, or
/// a row that is not a whole number of blocks, throws a `QuantizeError` and produces nothing.
public func quantize(_ values: UnsafeBufferPointer<Float>, as type: GGMLType, rowLength: Int,
                     tensor: String) throws -> [UInt8] {
    guard GGMLType.quantizable.contains(type) else { throw QuantizeError.unsupportedType(tensor: tensor, type: type) }
    guard rowLength > 0, values.count % rowLength == 0 else {
        throw QuantizeError.elementCountMismatch(tensor: tensor, count: values.count, rowLength: rowLength)
    }
    guard rowLength % type.blockSize == 0 else {
        throw QuantizeError.rowLengthNotMultipleOfBlock(tensor: tensor, rowLength: rowLength, type: type)
    }
    if let index = values.firstIndex(where: { !$0.isFinite }) {
        throw QuantizeError.nonFiniteWeight(tensor: tensor, index: index, value: values[index])
    }
    guard let x = values.baseAddress, let size = type.byteCount(elements: values.count), size > 0 else { return [] }
    let blocks = values.count / type.blockSize
    return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        // Every byte of every block is assigned below, so the buffer is fully initialised.
        let y = buffer.baseAddress!
        switch type {
        case .f32: encodeF32(x, count: values.count, into: y)
        case .f16: encodeF16(x, count: values.count, into: y)
        case .bf16: encodeBF16(x, count: values.count, into: y)
        case .q8_0: quantizeQ8_0(x, blocks: blocks, into: y)
        case .q4_0: quantizeQ4_0(x, blocks: blocks, into: y)
        case .q4_1: quantizeQ4_1(x, blocks: blocks, into: y)
        case .q5_0: quantizeQ5_0(x, blocks: blocks, into: y)
        case .q5_1: quantizeQ5_1(x, blocks: blocks, into: y)
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K: break
        }
        initialized = size
    }
}

/// Convenience over the buffer form.
public func quantize(_ values: [Float], as type: GGMLType, rowLength: Int, tensor: String) throws -> [UInt8] {
    try values.withUnsafeBufferPointer { try quantize($0, as: type, rowLength: rowLength, tensor: tensor) }
}

extension GGMLType {
    /// Types `quantize(_:as:rowLength:tensor:)` can produce.
    public static let quantizable: [GGMLType] = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1]

    /// The type named as llama.cpp names it (`Q8_0`, `f16`, ...), case-insensitively.
    public init?(name: String) {
        guard let type = GGMLType.allCases.first(where: { $0.description.lowercased() == name.lowercased() }) else { return nil }
        self = type
    }
}
