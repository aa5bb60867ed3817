/// The reference quantisers of the 32-element block types (GGUF.md §6.1–§6.5), transcribed
/// from `quantize_row_q{8_0,4_0,4_1,5_0,5_1}_ref` in ggml-quants.c. Every operation is a
/// separate Float32 operation in the C order; Swift does not fuse `a*b + c` (§4.4), so the
/// bytes equal those of an x86-64 llama.cpp build. The layouts are the ones
/// LegacyQuantBlocks.swift decodes.

/// C's `(int8_t)f` / `(uint8_t)f` on x86-64: truncate toward zero to 32 bits (cvttss2si gives
/// INT32_MIN for NaN and out-of-range values, which only a denormal scale can produce) and
/// keep the low byte.
@inline(__always)
private func cByte(_ v: Float) -> UInt8 {
    let wide: Int32 = (v.isNaN || v >= 2_147_483_648 || v < -2_147_483_648) ? Int32.min : Int32(v)
    return UInt8(truncatingIfNeeded: wide)
}

/// `MIN(limit, (int8_t)f)` stored into a uint8_t, as Q4_0, Q4_1 and Q5_0 do.
@inline(__always)
private func cClampedByte(_ v: Float, limit: Int32) -> UInt8 {
    UInt8(truncatingIfNeeded: min(limit, Int32(Int8(bitPattern: cByte(v)))))
}

@inline(__always)
private func storeU32(_ value: UInt32, _ p: UnsafeMutablePointer<UInt8>) {
    for i in 0 ..< 4 { p[i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
}

/// The signed value of largest magnitude, the first one on ties (`amax < fabsf(v)`).
@inline(__always)
private func signedAbsMax(_ x: UnsafePointer<Float>) -> Float {
    var amax: Float = 0, max: Float = 0
    for j in 0 ..< 32 where amax < abs(x[j]) {
        amax = abs(x[j])
        max = x[j]
    }
    return max
}

@inline(__always)
private func minMax(_ x: UnsafePointer<Float>) -> (min: Float, max: Float) {
    var lo = Float.greatestFiniteMagnitude, hi = -Float.greatestFiniteMagnitude
    for j in 0 ..< 32 {
        if x[j] < lo { lo = x[j] }
        if x[j] > hi { hi = x[j] }
    }
    return (lo, hi)
}

/// §6.1: d = amax/127 unrounded for the quants, `roundf` (half away from zero).
func quantizeQ8_0(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutablePointer<UInt8>) {
    for b in 0 ..< blocks {
        let v = x + 32 * b, block = y + 34 * b
        var amax: Float = 0
        for j in 0 ..< 32 { amax = max(amax, abs(v[j])) }
        let d = amax / 127
        let id: Float = d != 0 ? 1 / d : 0
        storeF16(d, block)
        for j in 0 ..< 32 {
            block[2 + j] = cByte((v[j] * id).rounded())
        }
    }
}

/// §6.2: d = max/−8 from the signed extreme; q = MIN(15, trunc(x·id + 8.5)).
func quantizeQ4_0(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutablePointer<UInt8>) {
    for b in 0 ..< blocks {
        let v = x + 32 * b, block = y + 18 * b
        let d = signedAbsMax(v) / -8
        let id: Float = d != 0 ? 1 / d : 0
        storeF16(d, block)
        for j in 0 ..< 16 {
            let lo = cClampedByte(v[j] * id + 8.5, limit: 15)
            let hi = cClampedByte(v[16 + j] * id + 8.5, limit: 15)
            block[2 + j] = lo | hi << 4
        }
    }
}

/// §6.3: d = (max − min)/15; q = MIN(15, trunc((x − min)·id + 0.5)); m = the unrounded min.
func quantizeQ4_1(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutablePointer<UInt8>) {
    for b in 0 ..< blocks {
        let v = x + 32 * b, block = y + 20 * b
        let (lo, hi) = minMax(v)
        let d = (hi - lo) / 15
        let id: Float = d != 0 ? 1 / d : 0
        storeF16(d, block)
        storeF16(lo, block + 2)
        for j in 0 ..< 16 {
            let q0 = cClampedByte((v[j] - lo) * id + 0.5, limit: 15)
            let q1 = cClampedByte((v[16 + j] - lo) * id + 0.5, limit: 15)
            block[4 + j] = q0 | q1 << 4
        }
    }
}

/// §6.4: as Q4_0 with 16 levels either side; the fifth bits go to `qh`, element e in bit e.
func quantizeQ5_0(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutablePointer<UInt8>) {
    for b in 0 ..< blocks {
        let v = x + 32 * b, block = y + 22 * b
        let d = signedAbsMax(v) / -16
        let id: Float = d != 0 ? 1 / d : 0
        storeF16(d, block)
        var qh: UInt32 = 0
        for j in 0 ..< 16 {
            let q0 = cClampedByte(v[j] * id + 16.5, limit: 31)
            let q1 = cClampedByte(v[16 + j] * id + 16.5, limit: 31)
            block[6 + j] = (q0 & 0x0F) | (q1 & 0x0F) << 4
            qh |= UInt32((q0 & 0x10) >> 4) << UInt32(j)
            qh |= UInt32((q1 & 0x10) >> 4) << UInt32(j + 16)
        }
        storeU32(qh, block + 2)
    }
}

/// §6.5: as Q4_1 with 32 levels and no clamp (`(uint8_t)(x0 + 0.5f)`).
func quantizeQ5_1(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutablePointer<UInt8>) {
    for b in 0 ..< blocks {
        let v = x + 32 * b, block = y + 24 * b
        let (lo, hi) = minMax(v)
        let d = (hi - lo) / 31
        let id: Float = d != 0 ? 1 / d : 0
        storeF16(d, block)
        storeF16(lo, block + 2)
        var qh: UInt32 = 0
        for j in 0 ..< 16 {
            let q0 = cByte((v[j] - lo) * id + 0.5)
            let q1 = cByte((v[16 + j] - lo) * id + 0.5)
            block[8 + j] = (q0 & 0x0F) | (q1 & 0x0F) << 4
            qh |= UInt32((q0 & 0x10) >> 4) << UInt32(j)
            qh |= UInt32((q1 & 0x10) >> 4) << UInt32(j + 16)
        }
        storeU32(qh, block + 4)
    }
}

func encodeF32(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<UInt8>) {
    for i in 0 ..< count { storeU32(x[i].bitPattern, y + 4 * i) }
}

func encodeF16(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<UInt8>) {
    for i in 0 ..< count { storeF16(x[i], y + 2 * i) }
}

func encodeBF16(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<UInt8>) {
    for i in 0 ..< count {
        let bits = bf16Bits(x[i])
        y[2 * i] = UInt8(truncatingIfNeeded: bits)
        y[2 * i + 1] = UInt8(truncatingIfNeeded: bits >> 8)
    }
}
