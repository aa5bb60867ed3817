/// The reference quantisers of the 256-element K-quant super-blocks (GGUF.md §6.9–§6.12,
/// `quantize_row_q{2,3,4,5,6}_K_ref` in ggml-quants.c), byte for byte. Each type is two
/// steps: choose the sub-block scales (here, or with an importance vector in
/// QuantizeWeightedBlocks.swift), then `finish…`: requantise every element with the scales
/// as stored (f16 and 4/6-bit rounded) and pack (§5.7–§5.11). The layouts are the ones
/// KQuantBlocks.swift decodes.

/// Working arrays of one thread, taken once per run of rows so no block allocates (ggml keeps
/// the same arrays on its stack).
struct KQuantScratch {
    let levels: UnsafeMutablePointer<UInt8>            // L[256]: unsigned levels
    let signedLevels: UnsafeMutablePointer<Int8>       // L[256]: int8_t levels (Q3_K, Q6_K, Q4_0, Q5_0)
    let trial: UnsafeMutablePointer<UInt8>             // Laux[32]
    let weights: UnsafeMutablePointer<Float>           // [32]
    let scales: UnsafeMutablePointer<Float>            // [16]: per sub-block
    let mins: UnsafeMutablePointer<Float>              // [16]
    let weightSums: UnsafeMutablePointer<Float>        // [16]
    let scaleLevels: UnsafeMutablePointer<UInt8>       // Ls[16]
    let minLevels: UnsafeMutablePointer<UInt8>         // Lm[16]
    let signedScaleLevels: UnsafeMutablePointer<Int8>  // Ls[16] of Q3_K (int8_t)

    /// Runs `body` with scratch on the stack (under 1 KB).
    static func with<R>(_ body: (KQuantScratch) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 + 3 * 16) { floats in
            try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256 + 32 + 2 * 16) { bytes in
                try withUnsafeTemporaryAllocation(of: Int8.self, capacity: 256 + 16) { signed in
                    let f = floats.baseAddress!, b = bytes.baseAddress!, s = signed.baseAddress!
                    return try body(KQuantScratch(
                        levels: b, signedLevels: s, trial: b + 256, weights: f,
                        scales: f + 32, mins: f + 48, weightSums: f + 64,
                        scaleLevels: b + 288, minLevels: b + 304, signedScaleLevels: s + 256))
                }
            }
        }
    }
}

// MARK: Q2_K (84 bytes: scales[16], qs[64], d, dmin)

/// §6.9: sub-blocks of 16 by `make_qkx2_quants` (|x| weights, mean absolute error), 4-bit
/// scales and mins against max/15.
func quantizeQ2_K(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutablePointer<UInt8>) {
    KQuantScratch.with { s in
        for b in 0 ..< blocks {
            let v = x + 256 * b, block = y + 84 * b
            var maxScale: Float = 0, maxMin: Float = 0
            for j in 0 ..< 16 {
                for l in 0 ..< 16 { s.weights[l] = abs(v[16 * j + l]) }
                (s.scales[j], s.mins[j]) = makeQkxQuants(16, 3, v + 16 * j, s.weights, s.levels + 16 * j, trial: s.trial,
                                                         rmin: -0.5, rdelta: 0.1, nstep: 15, useMAD: true)
                if s.scales[j] > maxScale { maxScale = s.scales[j] }
                if s.mins[j] > maxMin { maxMin = s.mins[j] }
            }
            if maxScale > 0 {
                let iscale = 15 / maxScale
                for j in 0 ..< 16 { block[j] = UInt8(truncatingIfNeeded: nearestInt(iscale * s.scales[j])) }
                storeF16(maxScale / 15, block + 80)
            } else {
                for j in 0 ..< 16 { block[j] = 0 }
                storeF16(0, block + 80)
            }
            if maxMin > 0 {
                let iscale = 15 / maxMin
                for j in 0 ..< 16 { block[j] |= UInt8(truncatingIfNeeded: nearestInt(iscale * s.mins[j]) << 4) }
                storeF16(maxMin / 15, block + 82)
            } else {
                storeF16(0, block + 82)
            }
            finishQ2_K(v, block, s.levels)
        }
    }
}

/// Requantise with the stored d·scale and dmin·min (sub-blocks whose scale is 0 keep their
/// search levels), then pack 2-bit levels.
func finishQ2_K(_ x: UnsafePointer<Float>, _ block: UnsafeMutablePointer<UInt8>, _ L: UnsafeMutablePointer<UInt8>) {
    let d = loadF16(block, 80), dmin = loadF16(block, 82)
    for j in 0 ..< 16 {
        let dd = d * Float(block[j] & 0x0F)
        if dd == 0 { continue }
        let dm = dmin * Float(block[j] >> 4)
        for i in 16 * j ..< 16 * j + 16 {
            L[i] = UInt8(truncatingIfNeeded: clamp(nearestInt((x[i] + dm) / dd), 0, 3))
        }
    }
    packTwoBitLevels(L, into: block + 16)
}

/// §5.7 packing shared by Q2_K and Q3_K: byte 32h + l holds elements 128h + l + 32g at bits 2g.
@inline(__always)
private func packTwoBitLevels(_ L: UnsafePointer<UInt8>, into qs: UnsafeMutablePointer<UInt8>) {
    for h in 0 ..< 2 {
        let l0 = L + 128 * h
        for l in 0 ..< 32 {
            qs[32 * h + l] = l0[l] | l0[l + 32] << 2 | l0[l + 64] << 4 | l0[l + 96] << 6
        }
    }
}

// MARK: Q3_K (110 bytes: hmask[32], qs[64], scales[12], d)

/// §6.10: sub-blocks of 16 by `make_q3_quants`; 6-bit signed scales against the largest.
func quantizeQ3_K(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutablePointer<UInt8>) {
    KQuantScratch.with { s in
        for b in 0 ..< blocks {
            let v = x + 256 * b, block = y + 110 * b
            var maxScale: Float = 0, amax: Float = 0
            for j in 0 ..< 16 {
                s.scales[j] = makeQ3Quants(v + 16 * j, s.signedLevels + 16 * j)
                if abs(s.scales[j]) > amax {
                    amax = abs(s.scales[j])
                    maxScale = s.scales[j]
                }
            }
            let packed = block + 96
            for i in 0 ..< 12 { packed[i] = 0 }
            if maxScale != 0 {
                let iscale = -32 / maxScale
                for j in 0 ..< 16 {
                    // C stores nearest_int in an int8_t before clamping.
                    let l = Int8(truncatingIfNeeded: nearestInt(iscale * s.scales[j]))
                    packQ3Scale(clamp(Int32(l), -32, 31) + 32, j, packed)
                }
                storeF16(1 / iscale, block + 108)
            } else {
                storeF16(0, block + 108)
            }
            finishQ3_K(v, block, s.signedLevels)
        }
    }
}

/// One 6-bit scale (0…63) into the 12-byte packing of §5.8.
@inline(__always)
func packQ3Scale(_ l: Int32, _ j: Int, _ packed: UnsafeMutablePointer<UInt8>) {
    if j < 8 {
        packed[j] = UInt8(truncatingIfNeeded: l & 0x0F)
    } else {
        packed[j - 8] |= UInt8(truncatingIfNeeded: (l & 0x0F) << 4)
    }
    packed[8 + j % 4] |= UInt8(truncatingIfNeeded: (l >> 4) << Int32(2 * (j / 4)))
}

/// Requantise with d·(scale − 32) as stored, split off the high bits into `hmask`, pack the rest.
func finishQ3_K(_ x: UnsafePointer<Float>, _ block: UnsafeMutablePointer<UInt8>, _ L: UnsafeMutablePointer<Int8>) {
    let d = loadF16(block, 108), packed = block + 96
    for j in 0 ..< 16 {
        let low = j < 8 ? packed[j] & 0x0F : packed[j - 8] >> 4
        let sc = Int32(low | ((packed[8 + j % 4] >> UInt8(2 * (j / 4))) & 3) << 4) - 32
        let dd = d * Float(sc)
        if dd == 0 { continue }
        for i in 16 * j ..< 16 * j + 16 {
            L[i] = Int8(truncatingIfNeeded: clamp(nearestInt(x[i] / dd), -4, 3) + 4)
        }
    }
    let hmask = block
    for i in 0 ..< 32 { hmask[i] = 0 }
    for e in 0 ..< 256 where L[e] > 3 {
        hmask[e % 32] |= 1 << UInt8(e / 32)
        L[e] -= 4
    }
    // Levels are now 0…3, so the int8 memory reads the same as uint8.
    L.withMemoryRebound(to: UInt8.self, capacity: 256) { packTwoBitLevels($0, into: block + 32) }
}

// MARK: Q4_K (144 bytes: d, dmin, scales[12], qs[128]) and Q5_K (+ qh[32] before qs)

/// §6.11 step 1–5: sub-blocks of 32 by `make_qkx2_quants` with weights av|x| + |x|, then 6-bit
/// scales and mins against max/63, stored with d and dmin.
private func chooseQ4Q5Scales(_ v: UnsafePointer<Float>, _ block: UnsafeMutablePointer<UInt8>, _ s: KQuantScratch,
                              nmax: Int32, rmin: Float, nstep: Int) {
    var maxScale: Float = 0, maxMin: Float = 0
    for j in 0 ..< 8 {
        let xj = v + 32 * j
        var sumX2: Float = 0
        for l in 0 ..< 32 { sumX2 += xj[l] * xj[l] }
        let avX = (sumX2 / 32).squareRoot()
        for l in 0 ..< 32 { s.weights[l] = avX + abs(xj[l]) }
        (s.scales[j], s.mins[j]) = makeQkxQuants(32, nmax, xj, s.weights, s.levels + 32 * j, trial: s.trial,
                                                 rmin: rmin, rdelta: 0.1, nstep: nstep, useMAD: false)
        if s.scales[j] > maxScale { maxScale = s.scales[j] }
        if s.mins[j] > maxMin { maxMin = s.mins[j] }
    }
    let invScale: Float = maxScale > 0 ? 63 / maxScale : 0
    let invMin: Float = maxMin > 0 ? 63 / maxMin : 0
    for j in 0 ..< 8 {
        // C assigns nearest_int to a uint8_t, then takes MIN(63, ·).
        let ls = min(63, UInt8(truncatingIfNeeded: nearestInt(invScale * s.scales[j])))
        let lm = min(63, UInt8(truncatingIfNeeded: nearestInt(invMin * s.mins[j])))
        packK4Scale(ls, lm, j, block + 4)
    }
    storeF16(maxScale / 63, block)
    storeF16(maxMin / 63, block + 2)
}

/// Scale and min of sub-block j into the 12-byte packing of §5.9 (the inverse of `scaleMinK4`).
@inline(__always)
func packK4Scale(_ ls: UInt8, _ lm: UInt8, _ j: Int, _ packed: UnsafeMutablePointer<UInt8>) {
    if j < 4 {
        packed[j] = ls
        packed[j + 4] = lm
    } else {
        packed[j + 4] = (ls & 0x0F) | (lm & 0x0F) << 4
        packed[j - 4] |= (ls >> 4) << 6
        packed[j] |= (lm >> 4) << 6
    }
}

/// §6.11 step 6: requantise each sub-block with the stored d·sc and dmin·m.
func requantizeQ4Q5(_ x: UnsafePointer<Float>, _ block: UnsafeMutablePointer<UInt8>, _ L: UnsafeMutablePointer<UInt8>,
                    nmax: Int32) {
    let d = loadF16(block, 0), dmin = loadF16(block, 2)
    for j in 0 ..< 8 {
        let (sc, m) = scaleMinK4(block + 4, j)
        let dd = d * Float(sc)
        if dd == 0 { continue }
        let dm = dmin * Float(m)
        for i in 32 * j ..< 32 * j + 32 {
            L[i] = UInt8(truncatingIfNeeded: clamp(nearestInt((x[i] + dm) / dd), 0, nmax))
        }
    }
}

/// Nibbles as §5.9: byte 32c + l holds element 64c + l low and 64c + 32 + l high.
func packQ4_K(_ L: UnsafePointer<UInt8>, _ block: UnsafeMutablePointer<UInt8>) {
    let q = block + 16
    for c in 0 ..< 4 {
        for l in 0 ..< 32 { q[32 * c + l] = L[64 * c + l] | L[64 * c + 32 + l] << 4 }
    }
}

/// §6.11 step 7: fifth bits into qh (bit 2c and 2c + 1 of qh[l]), low nibbles as Q4_K.
func packQ5_K(_ L: UnsafePointer<UInt8>, _ block: UnsafeMutablePointer<UInt8>) {
    let qh = block + 16, ql = block + 48
    for l in 0 ..< 32 { qh[l] = 0 }
    for c in 0 ..< 4 {
        for l in 0 ..< 32 {
            var l1 = L[64 * c + l], l2 = L[64 * c + 32 + l]
            if l1 > 15 {
                l1 -= 16
                qh[l] |= 1 << UInt8(2 * c)
            }
            if l2 > 15 {
                l2 -= 16
                qh[l] |= 2 << UInt8(2 * c)
            }
            ql[32 * c + l] = l1 | l2 << 4
        }
    }
}

func quantizeQ4_K(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutablePointer<UInt8>) {
    KQuantScratch.with { s in
        for b in 0 ..< blocks {
            let v = x + 256 * b, block = y + 144 * b
            chooseQ4Q5Scales(v, block, s, nmax: 15, rmin: -1, nstep: 20)
            requantizeQ4Q5(v, block, s.levels, nmax: 15)
            packQ4_K(s.levels, block)
        }
    }
}

func quantizeQ5_K(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutablePointer<UInt8>) {
    KQuantScratch.with { s in
        for b in 0 ..< blocks {
            let v = x + 256 * b, block = y + 176 * b
            chooseQ4Q5Scales(v, block, s, nmax: 31, rmin: -0.5, nstep: 15)
            requantizeQ4Q5(v, block, s.levels, nmax: 31)
            packQ5_K(s.levels, block)
        }
    }
}

// MARK: Q6_K (210 bytes: ql[128], qh[64], scales[16] int8, d)

/// §6.12, and its importance form (§6.14: the importance values are the weights as they are).
func quantizeQ6_KBlock(_ v: UnsafePointer<Float>, _ block: UnsafeMutablePointer<UInt8>, _ s: KQuantScratch,
                       importance: UnsafePointer<Float>?) {
    let L = s.signedLevels
    var maxScale: Float = 0, maxAbsScale: Float = 0
    for j in 0 ..< 16 {
        let weights: UnsafePointer<Float>
        if let importance {
            weights = importance + 16 * j
        } else {
            for l in 0 ..< 16 { s.weights[l] = v[16 * j + l] * v[16 * j + l] }   // ggml's default w = x²
            weights = UnsafePointer(s.weights)
        }
        let scale = makeQxQuants(16, 32, v + 16 * j, L + 16 * j, weights: weights)
        s.scales[j] = scale
        if abs(scale) > maxAbsScale {
            maxAbsScale = abs(scale)
            maxScale = scale
        }
    }
    if maxAbsScale < groupMaxEpsilon {
        for i in 0 ..< 210 { block[i] = 0 }
        return
    }
    let iscale = -128 / maxScale
    storeF16(1 / iscale, block + 208)
    for j in 0 ..< 16 {
        block[192 + j] = UInt8(truncatingIfNeeded: min(127, nearestInt(iscale * s.scales[j])))
    }
    let d = loadF16(block, 208)
    for j in 0 ..< 16 {
        let dd = d * Float(Int8(bitPattern: block[192 + j]))
        if dd == 0 { continue }
        for i in 16 * j ..< 16 * j + 16 {
            L[i] = Int8(truncatingIfNeeded: clamp(nearestInt(v[i] / dd), -32, 31) + 32)
        }
    }
    for h in 0 ..< 2 {
        let ql = block + 64 * h, qh = block + 128 + 32 * h
        let Lh = L + 128 * h
        for l in 0 ..< 32 {
            let q1 = UInt8(bitPattern: Lh[l]), q2 = UInt8(bitPattern: Lh[l + 32])
            let q3 = UInt8(bitPattern: Lh[l + 64]), q4 = UInt8(bitPattern: Lh[l + 96])
            ql[l] = (q1 & 0x0F) | (q3 & 0x0F) << 4
            ql[l + 32] = (q2 & 0x0F) | (q4 & 0x0F) << 4
            qh[l] = q1 >> 4 | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6
        }
    }
}

func quantizeQ6_K(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutablePointer<UInt8>) {
    KQuantScratch.with { s in
        for b in 0 ..< blocks { quantizeQ6_KBlock(x + 256 * b, y + 210 * b, s, importance: nil) }
    }
}
