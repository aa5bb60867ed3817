/// Dequantisers for the 256-element K-quant super-blocks (GGUF.md §5.7–§5.11), written in
/// the loop order of ggml's `dequantize_row_*` so each line can be checked against it.
/// Products are grouped as ggml groups them, `(d · scale) · q − dmin · min`; each product
/// is exact in Float32, so the result matches ggml and gguf-py bit for bit (§4.4).

func dequantizeQ2_K(_ p: UnsafePointer<UInt8>, blocks: Int, into y: UnsafeMutablePointer<Float>) {
    for b in 0 ..< blocks {
        let block = p + 84 * b
        var out = y + 256 * b
        let scales = block
        var q = block + 16
        let d = loadF16(block, 80)
        let dmin = loadF16(block, 82)
        var sub = 0
        for _ in 0 ..< 2 {                     // two halves of 128
            for shift in stride(from: 0, to: 8, by: 2) {  // four groups of 32 share the bytes q[0..<32]
                for half in 0 ..< 2 {           // two sub-blocks of 16 per group
                    let sc = scales[sub]
                    sub += 1
                    let dl = d * Float(sc & 0x0F)
                    let ml = dmin * Float(sc >> 4)
                    for l in 0 ..< 16 {
                        out[l] = dl * Float((q[16 * half + l] >> UInt8(shift)) & 3) - ml
                    }
                    out += 16
                }
            }
            q += 32
        }
    }
}

/// Sixteen 6-bit Q3_K scales from their 12-byte packing (§5.8), minus the offset 32.
@inline(__always)
private func q3KScale(_ s: UnsafePointer<UInt8>, _ k: Int) -> Int32 {
    let low = k < 8 ? s[k] & 0x0F : s[k - 8] >> 4
    let high = (s[8 + k % 4] >> UInt8(2 * (k / 4))) & 3
    return Int32(low | high << 4) - 32
}

func dequantizeQ3_K(_ p: UnsafePointer<UInt8>, blocks: Int, into y: UnsafeMutablePointer<Float>) {
    for b in 0 ..< blocks {
        let block = p + 110 * b
        var out = y + 256 * b
        let hmask = block
        let scales = block + 96
        let d = loadF16(block, 108)
        var sub = 0
        var highBit: UInt8 = 1                 // bit e/32 of hmask[e % 32]
        for half in 0 ..< 2 {
            let q = block + 32 + 32 * half
            for shift in stride(from: 0, to: 8, by: 2) {
                for part in 0 ..< 2 {
                    let dl = d * Float(q3KScale(scales, sub))
                    sub += 1
                    for l in 16 * part ..< 16 * part + 16 {
                        let low = Int32((q[l] >> UInt8(shift)) & 3)
                        out[l - 16 * part] = dl * Float(low - (hmask[l] & highBit != 0 ? 0 : 4))
                    }
                    out += 16
                }
                highBit <<= 1
            }
        }
    }
}

/// `get_scale_min_k4` (§5.9): the 6-bit scale and min of sub-block j of a Q4_K/Q5_K block.
@inline(__always)
func scaleMinK4(_ s: UnsafePointer<UInt8>, _ j: Int) -> (scale: UInt8, min: UInt8) {
    if j < 4 { return (s[j] & 63, s[j + 4] & 63) }
    return ((s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4), (s[j + 4] >> 4) | ((s[j] >> 6) << 4))
}

func dequantizeQ4_K(_ p: UnsafePointer<UInt8>, blocks: Int, into y: UnsafeMutablePointer<Float>) {
    for b in 0 ..< blocks {
        let block = p + 144 * b
        let d = loadF16(block, 0)
        let dmin = loadF16(block, 2)
        let scales = block + 4
        for chunk in 0 ..< 4 {                 // 64 elements: low nibbles, then high nibbles
            let q = block + 16 + 32 * chunk
            let out = y + 256 * b + 64 * chunk
            let (sc1, m1) = scaleMinK4(scales, 2 * chunk)
            let (sc2, m2) = scaleMinK4(scales, 2 * chunk + 1)
            let d1 = d * Float(sc1), min1 = dmin * Float(m1)
            let d2 = d * Float(sc2), min2 = dmin * Float(m2)
            for l in 0 ..< 32 { out[l] = d1 * Float(q[l] & 0x0F) - min1 }
            for l in 0 ..< 32 { out[32 + l] = d2 * Float(q[l] >> 4) - min2 }
        }
    }
}

func dequantizeQ5_K(_ p: UnsafePointer<UInt8>, blocks: Int, into y: UnsafeMutablePointer<Float>) {
    for b in 0 ..< blocks {
        let block = p + 176 * b
        let d = loadF16(block, 0)
        let dmin = loadF16(block, 2)
        let scales = block + 4
        let qh = block + 16
        for chunk in 0 ..< 4 {
            let q = block + 48 + 32 * chunk
            let out = y + 256 * b + 64 * chunk
            let (sc1, m1) = scaleMinK4(scales, 2 * chunk)
            let (sc2, m2) = scaleMinK4(scales, 2 * chunk + 1)
            let d1 = d * Float(sc1), min1 = dmin * Float(m1)
            let d2 = d * Float(sc2), min2 = dmin * Float(m2)
            let bit1 = UInt8(2 * chunk), bit2 = UInt8(2 * chunk + 1)
            for l in 0 ..< 32 {
                out[l] = d1 * Float((q[l] & 0x0F) | ((qh[l] >> bit1) & 1) << 4) - min1
            }
            for l in 0 ..< 32 {
                out[32 + l] = d2 * Float((q[l] >> 4) | ((qh[l] >> bit2) & 1) << 4) - min2
            }
        }
    }
}

func dequantizeQ6_K(_ p: UnsafePointer<UInt8>, blocks: Int, into y: UnsafeMutablePointer<Float>) {
    for b in 0 ..< blocks {
        let block = p + 210 * b
        let d = loadF16(block, 208)
        for half in 0 ..< 2 {
            let ql = block + 64 * half
            let qh = block + 128 + 32 * half
            let sc = block + 192 + 8 * half   // int8 scales
            let out = y + 256 * b + 128 * half
            for l in 0 ..< 32 {
                let s = l / 16
                let q1 = Int32((ql[l] & 0x0F) | ((qh[l] >> 0) & 3) << 4) - 32
                let q2 = Int32((ql[l + 32] & 0x0F) | ((qh[l] >> 2) & 3) << 4) - 32
                let q3 = Int32((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32
                let q4 = Int32((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32
                out[l] = (d * Float(Int8(bitPattern: sc[s]))) * Float(q1)
                out[l + 32] = (d * Float(Int8(bitPattern: sc[s + 2]))) * Float(q2)
                out[l + 64] = (d * Float(Int8(bitPattern: sc[s + 4]))) * Float(q3)
                out[l + 96] = (d * Float(Int8(bitPattern: sc[s + 6]))) * Float(q4)
            }
        }
    }
}
