import Tensors

/// y = x·Wᵀ (+ b) for W stored [out × in] as PyTorch stores it, forward and backward side
/// by side. Every product goes to BLAS, split over the pool's threads.
enum LinearLayer {
    static func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out y: UnsafeMutablePointer<Float>, rows n: Int, inputs: Int, outputs: Int, gemm: ParallelGemm) {
        gemm.multiplyTransposedB(m: n, n: outputs, k: inputs, a: x, lda: inputs, b: weight, ldb: inputs, c: y, ldc: outputs)
        if let bias {
            for i in 0..<n { VectorKernels.add(bias, into: y + i * outputs, count: outputs) }
        }
    }

    /// dx (+)= dy·W;  dW += dyᵀ·x;  db += Σ dy. `accumulateInput` adds into dx instead of
    /// overwriting it, for inputs shared by several layers (q, k and v read the same x).
    static func backward(_ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>, accumulateInput: Bool,
                         dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?,
                         rows n: Int, inputs: Int, outputs: Int, gemm: ParallelGemm) {
        gemm.multiply(m: n, n: inputs, k: outputs, a: dy, lda: outputs, b: weight, ldb: inputs,
                      c: dx, ldc: inputs, beta: accumulateInput ? 1 : 0)
        gemm.multiplyTransposedA(m: outputs, n: inputs, k: n, a: dy, lda: outputs, b: x, ldb: inputs,
                                 c: dWeight, ldc: inputs, beta: 1)
        if let dBias {
            for i in 0..<n { VectorKernels.add(dy + i * outputs, into: dBias, count: outputs) }
        }
    }
}
