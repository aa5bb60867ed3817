/// Importance-weighted quantisers (GGUF.md §6.14; what `ggml_quantize_chunk` does when
/// llama-quantize passes an imatrix, `quantize_row_*_impl` in ggml-quants.c), byte for byte.
/// `importance` holds one non-negative weight per column of the row; each element's weight is
/// that times sqrt(σ² + x²), σ² the row's (legacy) or super-block's (K) mean square, so large
/// weights and often-used columns are fitted more closely. Functions take whole rows because
/// the legacy types' σ² spans the row. Packing and requantising are shared with the plain
/// quantisers (QuantizeKQuantBlocks.swift).

/// `Σ x²` in element order, as every `_impl` computes it.
@inline(__always)
private func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var sum: Float = 0
    for i in 0 ..< n { sum += x[i] * x[i] }
    return sum
}

/// w_i = importance_i · sqrt(σ² + x_i²) for n elements.
@inline(__always)
private func elementWeights(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>, sigma2: Float, _ n: Int,
                            into w: UnsafeMutablePointer<Float>) {
    for i in 0 ..< n { w[i] = importance[i] * (sigma2 + x[i] * x[i]).squareRoot() }
}

// MARK: Legacy 32-element types

/// Q4_0 (nmax 8) and Q5_0 (nmax 16): `make_qx_quants` with the weights; its levels are stored
/// as they come (0…2·nmax − 1).
func quantizeWeightedQ4_0OrQ5_0(_ x: UnsafePointer<Float>, rows: Int, rowLength: Int, importance: UnsafePointer<Float>,
                                into y: UnsafeMutablePointer<UInt8>, fiveBit: Bool) {
    let blockBytes = fiveBit ? 22 : 18
    KQuantScratch.with { s in
        for r in 0 ..< rows {
            let row = x + r * rowLength
            let sigma2 = sumOfSquares(row, rowLength) / Float(rowLength)
            for b in 0 ..< rowLength / 32 {
                let v = row + 32 * b, block = y + (r * rowLength / 32 + b) * blockBytes
                elementWeights(v, importance + 32 * b, sigma2: sigma2, 32, into: s.weights)
                let L = s.signedLevels
                let d = makeQxQuants(32, fiveBit ? 16 : 8, v, L, weights: s.weights)
                storeF16(d, block)
                if fiveBit {
                    var qh: UInt32 = 0
                    for j in 0 ..< 16 {
                        let q0 = UInt8(bitPattern: L[j]), q1 = UInt8(bitPattern: L[j + 16])
                        block[6 + j] = (q0 & 0x0F) | (q1 & 0x0F) << 4
                        qh |= UInt32((q0 & 0x10) >> 4) << UInt32(j)
                        qh |= UInt32((q1 & 0x10) >> 4) << UInt32(j + 16)
                    }
                    for i in 0 ..< 4 { block[2 + i] = UInt8(truncatingIfNeeded: qh >> (8 * UInt32(i))) }
                } else {
                    for j in 0 ..< 16 { block[2 + j] = UInt8(bitPattern: L[j]) | UInt8(bitPattern: L[j + 16]) << 4 }
                }
            }
        }
    }
}

/// Q4_1 (nmax 15) and Q5_1 (nmax 31): `make_qkx3_quants` (rmin −0.9, rdelta 0.05, 36 steps);
/// `m` is the negated min.
func quantizeWeightedQ4_1OrQ5_1(_ x: UnsafePointer<Float>, rows: Int, rowLength: Int, importance: UnsafePointer<Float>,
                                into y: UnsafeMutablePointer<UInt8>, fiveBit: Bool) {
    let blockBytes = fiveBit ? 24 : 20
    KQuantScratch.with { s in
        for r in 0 ..< rows {
            let row = x + r * rowLength
            let sigma2 = sumOfSquares(row, rowLength) / Float(rowLength)
            for b in 0 ..< rowLength / 32 {
                let v = row + 32 * b, block = y + (r * rowLength / 32 + b) * blockBytes
                elementWeights(v, importance + 32 * b, sigma2: sigma2, 32, into: s.weights)
                let L = s.levels
                let (d, theMin) = makeQkxQuants(32, fiveBit ? 31 : 15, v, s.weights, L, trial: s.trial,
                                                rmin: -0.9, rdelta: 0.05, nstep: 36, useMAD: false)
                storeF16(d, block)
                storeF16(-theMin, block + 2)
                if fiveBit {
                    var qh: UInt32 = 0
                    for j in 0 ..< 16 {
                        block[8 + j] = (L[j] & 0x0F) | (L[j + 16] & 0x0F) << 4
                        qh |= UInt32((L[j] & 0x10) >> 4) << UInt32(j)
                        qh |= UInt32((L[j + 16] & 0x10) >> 4) << UInt32(j + 16)
                    }
                    for i in 0 ..< 4 { block[4 + i] = UInt8(truncatingIfNeeded: qh >> (8 * UInt32(i))) }
                } else {
                    for j in 0 ..< 16 { block[4 + j] = L[j] | L[j + 16] << 4 }
                }
            }
        }
    }
}

// MARK: K types: σ² per super-block, importance indexed by column

/// Runs `body(superBlock, importance of its 256 columns, output block)` over every super-block.
@inline(__always)
private func forEachSuperBlock(_ x: UnsafePointer<Float>, rows: Int, rowLength: Int, importance: UnsafePointer<Float>,
                               into y: UnsafeMutablePointer<UInt8>, blockBytes: Int,
                               _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<UInt8>) -> Void) {
    let perRow = rowLength / 256
    for r in 0 ..< rows {
        for i in 0 ..< perRow {
            body(x + r * rowLength + 256 * i, importance + 256 * i, y + (r * perRow + i) * blockBytes)
        }
    }
}

/// Q2_K: sub-blocks of 16 by `make_qkx3_quants`, then the 4-bit scales and mins by
/// `make_qp_quants` weighted by each sub-block's weight sum (σ² = Σx²/256).
func quantizeWeightedQ2_K(_ x: UnsafePointer<Float>, rows: Int, rowLength: Int, importance: UnsafePointer<Float>,
                          into y: UnsafeMutablePointer<UInt8>) {
    KQuantScratch.with { s in
        forEachSuperBlock(x, rows: rows, rowLength: rowLength, importance: importance, into: y, blockBytes: 84) { v, qw, block in
            let sigma2 = sumOfSquares(v, 256) / 256
            for j in 0 ..< 16 {
                elementWeights(v + 16 * j, qw + 16 * j, sigma2: sigma2, 16, into: s.weights)
                var sum: Float = 0
                for l in 0 ..< 16 { sum += s.weights[l] }
                s.weightSums[j] = sum
                (s.scales[j], s.mins[j]) = makeQkxQuants(16, 3, v + 16 * j, s.weights, s.levels + 16 * j, trial: s.trial,
                                                         rmin: -0.9, rdelta: 0.05, nstep: 36, useMAD: false)
            }
            let dm = makeQpQuants(16, 15, s.scales, s.scaleLevels, s.weightSums)
            let mm = makeQpQuants(16, 15, s.mins, s.minLevels, s.weightSums)
            storeF16(dm, block + 80)
            storeF16(mm, block + 82)
            for j in 0 ..< 16 { block[j] = s.scaleLevels[j] | s.minLevels[j] << 4 }
            finishQ2_K(v, block, s.levels)
        }
    }
}

/// Q3_K: `make_qx_quants` per sub-block of 16 (σ² = 2Σx²/256), then the 6-bit scales by
/// `make_qx_quants` over the 16 scales weighted by the sub-block weight sums.
func quantizeWeightedQ3_K(_ x: UnsafePointer<Float>, rows: Int, rowLength: Int, importance: UnsafePointer<Float>,
                          into y: UnsafeMutablePointer<UInt8>) {
    KQuantScratch.with { s in
        forEachSuperBlock(x, rows: rows, rowLength: rowLength, importance: importance, into: y, blockBytes: 110) { v, qw, block in
            let sigma2 = 2 * sumOfSquares(v, 256) / 256
            for j in 0 ..< 16 {
                elementWeights(v + 16 * j, qw + 16 * j, sigma2: sigma2, 16, into: s.weights)
                var sum: Float = 0
                for l in 0 ..< 16 { sum += s.weights[l] }
                s.weightSums[j] = sum
                s.scales[j] = makeQxQuants(16, 4, v + 16 * j, s.signedLevels + 16 * j, weights: s.weights)
            }
            let packed = block + 96
            for i in 0 ..< 12 { packed[i] = 0 }
            let d = makeQxQuants(16, 32, s.scales, s.signedScaleLevels, weights: s.weightSums)
            for j in 0 ..< 16 { packQ3Scale(Int32(s.signedScaleLevels[j]), j, packed) }
            storeF16(d, block + 108)
            finishQ3_K(v, block, s.signedLevels)
        }
    }
}

/// Q4_K (nmax 15) and Q5_K (nmax 31): `make_qkx3_quants` per sub-block of 32 (σ² = 2Σx²/256),
/// 6-bit scales and mins by `make_qp_quants` (63 levels) weighted by the sub-block sums.
/// Q5_K clamps the levels to 63; Q4_K stores them as they come (ggml does the same).
func quantizeWeightedQ4_KOrQ5_K(_ x: UnsafePointer<Float>, rows: Int, rowLength: Int, importance: UnsafePointer<Float>,
                                into y: UnsafeMutablePointer<UInt8>, fiveBit: Bool) {
    let nmax: Int32 = fiveBit ? 31 : 15
    KQuantScratch.with { s in
        forEachSuperBlock(x, rows: rows, rowLength: rowLength, importance: importance, into: y,
                          blockBytes: fiveBit ? 176 : 144) { v, qw, block in
            let sigma2 = 2 * sumOfSquares(v, 256) / 256
            for j in 0 ..< 8 {
                elementWeights(v + 32 * j, qw + 32 * j, sigma2: sigma2, 32, into: s.weights)
                var sum: Float = 0
                for l in 0 ..< 32 { sum += s.weights[l] }
                s.weightSums[j] = sum
                (s.scales[j], s.mins[j]) = makeQkxQuants(32, nmax, v + 32 * j, s.weights, s.levels + 32 * j, trial: s.trial,
                                                         rmin: -0.9, rdelta: 0.05, nstep: 36, useMAD: false)
            }
            let dBlock = makeQpQuants(8, 63, s.scales, s.scaleLevels, s.weightSums)
            let mBlock = makeQpQuants(8, 63, s.mins, s.minLevels, s.weightSums)
            for j in 0 ..< 8 {
                let ls = fiveBit ? min(63, s.scaleLevels[j]) : s.scaleLevels[j]
                let lm = fiveBit ? min(63, s.minLevels[j]) : s.minLevels[j]
                packK4Scale(ls, lm, j, block + 4)
            }
            storeF16(dBlock, block)
            storeF16(mBlock, block + 2)
            requantizeQ4Q5(v, block, s.levels, nmax: nmax)
            if fiveBit { packQ5_K(s.levels, block) } else { packQ4_K(s.levels, block) }
        }
    }
}

/// Q6_K: `make_qx_quants` with the importance values themselves as weights.
func quantizeWeightedQ6_K(_ x: UnsafePointer<Float>, rows: Int, rowLength: Int, importance: UnsafePointer<Float>,
                          into y: UnsafeMutablePointer<UInt8>) {
    KQuantScratch.with { s in
        forEachSuperBlock(x, rows: rows, rowLength: rowLength, importance: importance, into: y, blockBytes: 210) { v, qw, block in
            quantizeQ6_KBlock(v, block, s, importance: qw)
        }
    }
}
