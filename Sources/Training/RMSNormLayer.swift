import Tensors

/// RMSNorm (Zhang & Sennrich 2019), y = x · r · g with r = 1/√(mean(x²) + ε), forward and
/// backward side by side. Rows are independent; `g` is shared, so its gradient is summed.
enum RMSNormLayer {
    /// y[i] = x[i] · r[i] · g; keeps r per row for the backward pass.
    static func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, epsilon: Float,
                        out: UnsafeMutablePointer<Float>, reciprocalRMS: UnsafeMutablePointer<Float>,
                        rows: Int, width: Int, pool: ComputePool) {
        pool.forEachRange(rows, minimumChunk: 16) { range in
            for i in range {
                reciprocalRMS[i] = VectorKernels.rmsNorm(x + i * width, weight: weight, epsilon: epsilon,
                                                         out: out + i * width, count: width)
            }
        }
    }

    /// dx[i] += r·(dy⊙g) − x·(r³/h)·Σ(dy⊙g⊙x);  dg += Σᵢ dy[i] ⊙ x[i]·r[i].
    /// `dx` is accumulated into because it is the residual stream's gradient.
    static func backward(_ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         reciprocalRMS: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                         dWeight: UnsafeMutablePointer<Float>, rows: Int, width: Int, pool: ComputePool) {
        pool.forEachRange(rows, minimumChunk: 16) { range in
            for i in range {
                let dyRow = dy + i * width, xRow = x + i * width, dxRow = dx + i * width
                let r = reciprocalRMS[i]
                var dot: Float = 0
                for j in 0..<width { dot += dyRow[j] * weight[j] * xRow[j] }
                let correction = dot * r * r * r / Float(width)
                for j in 0..<width { dxRow[j] += r * dyRow[j] * weight[j] - xRow[j] * correction }
            }
        }
        // The weight gradient sums over rows; done on one thread in row order so the sum is
        // the same on every run (resume must reproduce a run bit for bit).
        for i in 0..<rows {
            let dyRow = dy + i * width, xRow = x + i * width, r = reciprocalRMS[i]
            for j in 0..<width { dWeight[j] += dyRow[j] * xRow[j] * r }
        }
    }
}
