/// Decodes `count` elements of `type` from `source` into Float32 (GGUF.md §5).
///
/// `source.count` must be exactly the bytes `count` elements take, and `count` a whole
/// number of blocks; otherwise a `GGUFError.sizeMismatch` is thrown and nothing is written.
/// `destination` must have room for `count` floats. Every product in §5 is exact in Float32,
/// so the result is bit-identical to ggml's `dequantize_row_*` (§4.4).
public func dequantize(_ source: UnsafeRawBufferPointer, type: GGMLType, count: Int,
                       into destination: UnsafeMutablePointer<Float>) throws {
    guard let expected = type.byteCount(elements: count) else {
        throw GGUFError(.sizeMismatch, file: nil, offset: nil,
                        "\(count) elements is not a whole number of \(type) blocks of \(type.blockSize)")
    }
    guard source.count == expected else {
        throw GGUFError(.sizeMismatch, file: nil, offset: nil,
                        "\(count) \(type) elements take \(expected) bytes, but the buffer holds \(source.count)")
    }
    guard count > 0, let base = source.baseAddress else { return }
    // Bytes of a mapped file are untyped; viewing them as UInt8 is always valid.
    let bytes = base.assumingMemoryBound(to: UInt8.self)
    let blocks = count / type.blockSize
    switch type {
    case .f32: convertF32(bytes, count: count, into: destination)
    case .f16: convertF16(bytes, count: count, into: destination)
    case .bf16: convertBF16(bytes, count: count, into: destination)
    case .q8_0: dequantizeQ8_0(bytes, blocks: blocks, into: destination)
    case .q4_0: dequantizeQ4_0(bytes, blocks: blocks, into: destination)
    case .q4_1: dequantizeQ4_1(bytes, blocks: blocks, into: destination)
    case .q5_0: dequantizeQ5_0(bytes, blocks: blocks, into: destination)
    case .q5_1: dequantizeQ5_1(bytes, blocks: blocks, into: destination)
    case .q2_K: dequantizeQ2_K(bytes, blocks: blocks, into: destination)
    case .q3_K: dequantizeQ3_K(bytes, blocks: blocks, into: destination)
    case .q4_K: dequantizeQ4_K(bytes, blocks: blocks, into: destination)
    case .q5_K: dequantizeQ5_K(bytes, blocks: blocks, into: destination)
    case .q6_K: dequantizeQ6_K(bytes, blocks: blocks, into: destination)
    }
}

/// Convenience over `dequantize(_:type:count:into:)` returning a new array.
public func dequantize(_ source: UnsafeRawBufferPointer, type: GGMLType, count: Int) throws -> [Float] {
    try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        if let destination = buffer.baseAddress {
            try dequantize(source, type: type, count: count, into: destination)
        }
        initialized = count
    }
}
