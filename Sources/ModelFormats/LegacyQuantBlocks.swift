/// Dequantisers for the 32-element block types (GGUF.md §5.2–§5.6). In Q4/Q5 blocks the
/// first 16 elements sit in the low nibbles and the last 16 in the high nibbles of the
/// same 16 bytes; Q5's fifth bits are one little-endian u32.

func dequantizeQ8_0(_ p: UnsafePointer<UInt8>, blocks: Int, into y: UnsafeMutablePointer<Float>) {
    for b in 0 ..< blocks {
        let block = p + 34 * b
        let out = y + 32 * b
        let d = loadF16(block, 0)
        for e in 0 ..< 32 { out[e] = Float(Int8(bitPattern: block[2 + e])) * d }
    }
}

func dequantizeQ4_0(_ p: UnsafePointer<UInt8>, blocks: Int, into y: UnsafeMutablePointer<Float>) {
    for b in 0 ..< blocks {
        let block = p + 18 * b
        let out = y + 32 * b
        let d = loadF16(block, 0)
        let qs = block + 2
        for j in 0 ..< 16 {
            out[j] = Float(Int32(qs[j] & 0x0F) - 8) * d
            out[j + 16] = Float(Int32(qs[j] >> 4) - 8) * d
        }
    }
}

func dequantizeQ4_1(_ p: UnsafePointer<UInt8>, blocks: Int, into y: UnsafeMutablePointer<Float>) {
    for b in 0 ..< blocks {
        let block = p + 20 * b
        let out = y + 32 * b
        let d = loadF16(block, 0)
        let m = loadF16(block, 2)
        let qs = block + 4
        for j in 0 ..< 16 {
            out[j] = Float(qs[j] & 0x0F) * d + m
            out[j + 16] = Float(qs[j] >> 4) * d + m
        }
    }
}

@inline(__always)
private func loadU32(_ p: UnsafePointer<UInt8>) -> UInt32 {
    UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24
}

func dequantizeQ5_0(_ p: UnsafePointer<UInt8>, blocks: Int, into y: UnsafeMutablePointer<Float>) {
    for b in 0 ..< blocks {
        let block = p + 22 * b
        let out = y + 32 * b
        let d = loadF16(block, 0)
        let h = loadU32(block + 2)
        let qs = block + 6
        for j in 0 ..< 16 {
            let lo = Int32(qs[j] & 0x0F) | Int32((h >> UInt32(j)) & 1) << 4
            let hi = Int32(qs[j] >> 4) | Int32((h >> UInt32(j + 16)) & 1) << 4
            out[j] = Float(lo - 16) * d
            out[j + 16] = Float(hi - 16) * d
        }
    }
}

func dequantizeQ5_1(_ p: UnsafePointer<UInt8>, blocks: Int, into y: UnsafeMutablePointer<Float>) {
    for b in 0 ..< blocks {
        let block = p + 24 * b
        let out = y + 32 * b
        let d = loadF16(block, 0)
        let m = loadF16(block, 2)
        let h = loadU32(block + 4)
        let qs = block + 8
        for j in 0 ..< 16 {
            let lo = UInt32(qs[j] & 0x0F) | ((h >> UInt32(j)) & 1) << 4
            let hi = UInt32(qs[j] >> 4) | ((h >> UInt32(j + 16)) & 1) << 4
            out[j] = Float(lo) * d + m
            out[j + 16] = Float(hi) * d + m
        }
    }
}
