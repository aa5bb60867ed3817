import Tensors
import Transformer

/// Causal grouped-query attention over packed documents, forward and backward side by side.
/// Each document attends only to itself; each query head h reads key/value head
/// h / (heads / kvHeads).
///
/// The probabilities P are not kept between the passes: the backward pass recomputes them
/// from Q and K (as FlashAttention does). Keeping them cost 1.1 GiB for SmolLM2 at 4 × 512
/// tokens, a fifth of the run's memory, while recomputing adds one L×L×d product per head.
///
/// Work is split over (document, key/value head) units: the heads of one group accumulate
/// into the same dK and dV, so a group is never split across threads. BLAS runs single
/// threaded (the trainer sets it so), because the split already uses every core. Each unit
/// owns two L×L matrices of `scratch` (P, and dP/dS in the backward pass).
struct CausalAttentionLayer {
    let heads: Int
    let kvHeads: Int
    let headDimension: Int
    let scale: Float

    init(config: ModelConfig) {
        heads = config.headCount
        kvHeads = config.keyValueHeadCount
        headDimension = config.headDimension
        scale = 1 / Float(config.headDimension).squareRoot()
    }

    /// Floats of scratch a batch needs, and each document's offset into them.
    func scratchLayout(documents: [Range<Int>]) -> (offsets: [Int], total: Int) {
        var offsets: [Int] = [], total = 0
        for document in documents {
            offsets.append(total)
            total += 2 * kvHeads * document.count * document.count
        }
        return (offsets, total)
    }

    /// out[t, h·d ..< (h+1)·d] = Σ_s P[h][t, s] · v[s, g·d ..< (g+1)·d]
    func forward(query q: UnsafePointer<Float>, key k: UnsafePointer<Float>, value v: UnsafePointer<Float>,
                 out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                 documents: [Range<Int>], scratchOffsets: [Int], pool: ComputePool) {
        let d = headDimension, qWidth = heads * d, kvWidth = kvHeads * d, group = heads / kvHeads
        pool.forEach(documents.count * kvHeads) { unit in
            let index = unit / kvHeads, g = unit % kvHeads
            let start = documents[index].lowerBound, length = documents[index].count
            let p = scratch + scratchOffsets[index] + 2 * g * length * length
            for h in g * group ..< (g + 1) * group {
                probabilities(into: p, q: q + start * qWidth + h * d, k: k + start * kvWidth + g * d, length: length)
                Gemm.multiply(m: length, n: d, k: length, a: p, lda: length, b: v + start * kvWidth + g * d, ldb: kvWidth,
                              c: out + start * qWidth + h * d, ldc: qWidth)
            }
        }
    }

    /// dV_g += Pᵀ·dO_h;  dP = dO_h·V_gᵀ;  dS = P ⊙ (dP − rowsum(dP ⊙ P));
    /// dQ_h = dS·K_g · scale;  dK_g += dSᵀ·Q_h · scale.
    /// dQ, dK and dV are overwritten (rows outside every document become 0).
    func backward(_ dOut: UnsafePointer<Float>, query q: UnsafePointer<Float>, key k: UnsafePointer<Float>,
                  value v: UnsafePointer<Float>, dQuery: UnsafeMutablePointer<Float>, dKey: UnsafeMutablePointer<Float>,
                  dValue: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, tokens: Int,
                  documents: [Range<Int>], scratchOffsets: [Int], pool: ComputePool) {
        let d = headDimension, qWidth = heads * d, kvWidth = kvHeads * d, group = heads / kvHeads
        dQuery.update(repeating: 0, count: tokens * qWidth)
        dKey.update(repeating: 0, count: tokens * kvWidth)
        dValue.update(repeating: 0, count: tokens * kvWidth)
        pool.forEach(documents.count * kvHeads) { unit in
            let index = unit / kvHeads, g = unit % kvHeads
            let start = documents[index].lowerBound, length = documents[index].count
            let p = scratch + scratchOffsets[index] + 2 * g * length * length, dS = p + length * length
            let kG = k + start * kvWidth + g * d, vG = v + start * kvWidth + g * d
            let dKG = dKey + start * kvWidth + g * d, dVG = dValue + start * kvWidth + g * d
            for h in g * group ..< (g + 1) * group {
                let qH = q + start * qWidth + h * d, dO = dOut + start * qWidth + h * d
                probabilities(into: p, q: qH, k: kG, length: length)
                Gemm.multiplyTransposedA(m: length, n: d, k: length, a: p, lda: length, b: dO, ldb: qWidth,
                                         c: dVG, ldc: kvWidth, beta: 1)
                Gemm.multiplyTransposedB(m: length, n: length, k: d, a: dO, lda: qWidth, b: vG, ldb: kvWidth,
                                         c: dS, ldc: length)
                for row in 0..<length {
                    let pRow = p + row * length, dRow = dS + row * length
                    let dot = VectorKernels.dot(pRow, UnsafePointer(dRow), count: row + 1)
                    for column in 0...row { dRow[column] = pRow[column] * (dRow[column] - dot) }
                    for column in (row + 1) ..< length { dRow[column] = 0 }
                }
                Gemm.multiply(m: length, n: d, k: length, a: dS, lda: length, b: kG, ldb: kvWidth,
                              c: dQuery + start * qWidth + h * d, ldc: qWidth, alpha: scale)
                Gemm.multiplyTransposedA(m: length, n: d, k: length, a: dS, lda: length, b: qH, ldb: qWidth,
                                         c: dKG, ldc: kvWidth, alpha: scale, beta: 1)
            }
        }
    }

    /// P = causal softmax(Q_h·K_gᵀ · scale) for one head of one document, zero above the diagonal.
    private func probabilities(into p: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                               length: Int) {
        let d = headDimension
        Gemm.multiplyTransposedB(m: length, n: length, k: d, a: q, lda: heads * d, b: k, ldb: kvHeads * d,
                                 c: p, ldc: length, alpha: scale)
        for row in 0..<length {
            let r = p + row * length
            VectorKernels.softmaxVectorised(r, count: row + 1)
            (r + row + 1).update(repeating: 0, count: length - row - 1)
        }
    }
}
