/// Scalar float formats (GGUF.md §4, §5.1): little-endian loads that tolerate any alignment.

@inline(__always)
func loadF16(_ p: UnsafePointer<UInt8>, _ offset: Int) -> Float {
    let bits = UInt16(p[offset]) | UInt16(p[offset + 1]) << 8
    return Float(Float16(bitPattern: bits))
}

/// f32 → bf16 as ggml and gguf-py do it (§4.2): NaN forced quiet, otherwise round to nearest even.
@inline(__always)
func bf16Bits(_ value: Float) -> UInt16 {
    let bits = value.bitPattern
    if bits & 0x7FFF_FFFF > 0x7F80_0000 { return UInt16(truncatingIfNeeded: (bits >> 16) | 0x0040) }
    return UInt16(truncatingIfNeeded: (UInt64(bits) + 0x7FFF + UInt64((bits >> 16) & 1)) >> 16)
}

/// f32 → f16, IEEE round to nearest even (§4.1); NaN becomes 0x7E00 with its sign, as ggml does.
@inline(__always)
func f16Bits(_ value: Float) -> UInt16 {
    if value.isNaN { return value.sign == .minus ? 0xFE00 : 0x7E00 }
    return Float16(value).bitPattern
}

func convertF32(_ p: UnsafePointer<UInt8>, count: Int, into y: UnsafeMutablePointer<Float>) {
    let raw = UnsafeRawPointer(p)
    for i in 0 ..< count {
        y[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
    }
}

func convertF16(_ p: UnsafePointer<UInt8>, count: Int, into y: UnsafeMutablePointer<Float>) {
    for i in 0 ..< count { y[i] = loadF16(p, 2 * i) }
}

func convertBF16(_ p: UnsafePointer<UInt8>, count: Int, into y: UnsafeMutablePointer<Float>) {
    for i in 0 ..< count {
        let bits = UInt32(p[2 * i]) | UInt32(p[2 * i + 1]) << 8
        y[i] = Float(bitPattern: bits << 16)
    }
}

/// `fp16(value)` stored little-endian at `p`, as every quantiser writes its scales.
@inline(__always)
func storeF16(_ value: Float, _ p: UnsafeMutablePointer<UInt8>) {
    let bits = f16Bits(value)
    p[0] = UInt8(truncatingIfNeeded: bits)
    p[1] = UInt8(truncatingIfNeeded: bits >> 8)
}
