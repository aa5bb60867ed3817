#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Tensors
import Transformer

/// Causal grouped-query attention over packed documents, forward and backward side by side.
/// Each document attends only to itself; each query head h reads key/value head
/// h / (heads / kvHeads). The probabilities P are kept for the backward pass
/// ([heads × L × L] per document, at `probabilityOffsets`).
///
/// Work is split over (document, key/value head) pairs: the heads of one group accumulate
/// into the same dK and dV, so a group is never split across threads. BLAS runs single
/// threaded (the trainer sets it so), because the split already uses every core.
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

    /// Floats of probabilities a batch needs, and each document's offset into them.
    func probabilityLayout(documents: [Range<Int>]) -> (offsets: [Int], total: Int) {
        var offsets: [Int] = [], total = 0
        for document in documents {
            offsets.append(total)
            total += heads * document.count * document.count
        }
        return (offsets, total)
    }

    /// out[t, h·d ..< (h+1)·d] = Σ_s P[h][t, s] · v[s, g·d ..< (g+1)·d]
    func forward(query q: UnsafePointer<Float>, key k: UnsafePointer<Float>, value v: UnsafePointer<Float>,
                 probabilities: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>,
                 documents: [Range<Int>], probabilityOffsets: [Int], pool: ComputePool) {
        let d = headDimension, qWidth = heads * d, kvWidth = kvHeads * d, group = heads / kvHeads
        let units = documents.count * kvHeads
        pool.forEach(units) { unit in
            let document = documents[unit / kvHeads], g = unit % kvHeads
            let start = document.lowerBound, length = document.count
            for h in g * group ..< (g + 1) * group {
                let p = probabilities + probabilityOffsets[unit / kvHeads] + h * length * length
                // S = Q_h·K_gᵀ · scale; only the lower triangle is used.
                Gemm.multiplyTransposedB(m: length, n: length, k: d, a: q + start * qWidth + h * d, lda: qWidth,
                                         b: k + start * kvWidth + g * d, ldb: kvWidth, c: p, ldc: length, alpha: scale)
                for row in 0..<length {
                    let r = p + row * length
                    VectorKernels.softmaxVectorised(r, count: row + 1)
                    for column in (row + 1) ..< length { r[column] = 0 }
                }
                Gemm.multiply(m: length, n: d, k: length, a: p, lda: length, b: v + start * kvWidth + g * d, ldb: kvWidth,
                              c: out + start * qWidth + h * d, ldc: qWidth)
            }
        }
    }

    /// dV_g += Pᵀ·dO_h;  dP = dO_h·V_gᵀ;  dS = P ⊙ (dP − rowsum(dP ⊙ P));
    /// dQ_h = dS·K_g · scale;  dK_g += dSᵀ·Q_h · scale.
    /// dQ, dK and dV are overwritten (rows outside every document become 0). `scratch` holds
    /// one L×L matrix per (document, key/value head): `probabilityTotal / (heads / kvHeads)`.
    func backward(_ dOut: UnsafePointer<Float>, query q: UnsafePointer<Float>, key k: UnsafePointer<Float>,
                  value v: UnsafePointer<Float>, probabilities: UnsafePointer<Float>,
                  dQuery: UnsafeMutablePointer<Float>, dKey: UnsafeMutablePointer<Float>, dValue: UnsafeMutablePointer<Float>,
                  scratch: UnsafeMutablePointer<Float>, tokens: Int,
                  documents: [Range<Int>], probabilityOffsets: [Int], pool: ComputePool) {
        let d = headDimension, qWidth = heads * d, kvWidth = kvHeads * d, group = heads / kvHeads
        dQuery.update(repeating: 0, count: tokens * qWidth)
        dKey.update(repeating: 0, count: tokens * kvWidth)
        dValue.update(repeating: 0, count: tokens * kvWidth)
        pool.forEach(documents.count * kvHeads) { unit in
            let index = unit / kvHeads, g = unit % kvHeads
            let start = documents[index].lowerBound, length = documents[index].count
            let dS = scratch + probabilityOffsets[index] / group + g * length * length
            let kG = k + start * kvWidth + g * d, vG = v + start * kvWidth + g * d
            let dKG = dKey + start * kvWidth + g * d, dVG = dValue + start * kvWidth + g * d
            for h in g * group ..< (g + 1) * group {
                let p = probabilities + probabilityOffsets[index] + h * length * length
                let dO = dOut + start * qWidth + h * d
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
                Gemm.multiplyTransposedA(m: length, n: d, k: length, a: dS, lda: length, b: q + start * qWidth + h * d,
                                         ldb: qWidth, c: dKG, ldc: kvWidth, alpha: scale, beta: 1)
            }
        }
    }
}
