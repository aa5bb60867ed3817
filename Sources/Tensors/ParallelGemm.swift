/// Matrix products split over a `ComputePool`, each piece a single-threaded BLAS call.
///
/// Training runs OpenBLAS with one thread and parallelises itself: with OpenBLAS's own threads
/// a tenth of a training step went to their sleeping and waking (scheduler and IPI time in the
/// kernel, measured with perf), and its threads spun against the pool's between products.
/// Each product is cut along the larger output dimension into one piece per thread; every
/// element of C is still computed by one call over the whole k, so the result does not depend
/// on the thread count's split beyond BLAS's own blocking.
public struct ParallelGemm: @unchecked Sendable {
    public let pool: ComputePool

    public init(pool: ComputePool) { self.pool = pool }

    /// C[m×n] = alpha · A[m×k] · B[n×k]ᵀ + beta · C.
    public func multiplyTransposedB(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                                    ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0) {
        split(m: m, n: n) { rows, columns in
            Gemm.multiplyTransposedB(m: rows.count, n: columns.count, k: k, a: a + rows.lowerBound * lda, lda: lda,
                                     b: b + columns.lowerBound * ldb, ldb: ldb,
                                     c: c + rows.lowerBound * ldc + columns.lowerBound, ldc: ldc, alpha: alpha, beta: beta)
        }
    }

    /// C[m×n] = alpha · A[m×k] · B[k×n] + beta · C.
    public func multiply(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0) {
        split(m: m, n: n) { rows, columns in
            Gemm.multiply(m: rows.count, n: columns.count, k: k, a: a + rows.lowerBound * lda, lda: lda,
                          b: b + columns.lowerBound, ldb: ldb,
                          c: c + rows.lowerBound * ldc + columns.lowerBound, ldc: ldc, alpha: alpha, beta: beta)
        }
    }

    /// C[m×n] = alpha · A[k×m]ᵀ · B[k×n] + beta · C.
    public func multiplyTransposedA(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                                    ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0) {
        split(m: m, n: n) { rows, columns in
            Gemm.multiplyTransposedA(m: rows.count, n: columns.count, k: k, a: a + rows.lowerBound, lda: lda,
                                     b: b + columns.lowerBound, ldb: ldb,
                                     c: c + rows.lowerBound * ldc + columns.lowerBound, ldc: ldc, alpha: alpha, beta: beta)
        }
    }

    /// Calls `body` once per thread with a band of C's rows (or columns, whichever is longer).
    private func split(m: Int, n: Int, _ body: (Range<Int>, Range<Int>) -> Void) {
        guard m > 0, n > 0 else { return }
        let pieces = pool.threadCount
        let byRows = m >= n
        let length = byRows ? m : n
        guard pieces > 1, length >= 2 * pieces else {
            body(0..<m, 0..<n)
            return
        }
        pool.forEach(pieces) { piece in
            let band = length * piece / pieces ..< length * (piece + 1) / pieces
            if byRows { body(band, 0..<n) } else { body(0..<m, band) }
        }
    }
}
