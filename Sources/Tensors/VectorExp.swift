/// Vectorised exp and the softmax reductions built on it. The loss head takes exp of every
/// logit of every scored position (100 M per 2048 × 49152 step); libm's scalar expf made that
/// as slow as the head's matrix products (measured).
extension VectorKernels {
    /// e^x for 8 lanes: x = n·ln2 + r with |r| ≤ ln2/2, e^r by Cephes' degree-6 polynomial
    /// (relative error about 2 ulp), 2^n built in the exponent bits. Lanes below −87.3
    /// (e^x under Float's normal range) give 0, so a −infinity lane gives exactly 0.
    @inlinable
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // (`clamped` and `pointwiseMax` are not inlined: 5% of a training step, measured.)
        let low = SIMD8<Float>(repeating: -87.3), high = SIMD8<Float>(repeating: 88.7)
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        let n = (clamped * 1.442_695_04).rounded(.toNearestOrEven)
        let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 0.166_666_655
        p = p * r + 0.500_000_01
        p = p * r * r + r + 1
        // n as an integer without Swift's per-lane conversion (which does not vectorise):
        // adding 1.5·2²³ puts n in the low mantissa bits.
        let integer = unsafeBitCast(n + 12_582_912, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let bits = (integer &+ 127) &<< 23
        let scaled = p * unsafeBitCast(bits, to: SIMD8<Float>.self)
        return scaled.replacing(with: 0, where: x .< -87.3)
    }

    /// The largest of `count` values and the index of its first occurrence.
    @inlinable
    public static func argmax(_ x: UnsafePointer<Float>, count: Int) -> (value: Float, index: Int) {
        var best = SIMD8<Float>(repeating: -.infinity)
        var i = 0
        while i + 8 <= count {
            let v = loadSIMD8(x + i)
            best = best.replacing(with: v, where: v .> best)
            i += 8
        }
        var maximum = best.max()
        while i < count { maximum = Swift.max(maximum, x[i]); i += 1 }
        var index = 0
        while index < count, x[index] != maximum { index += 1 }
        return (maximum, index)
    }

    /// Σ exp(scale·x − shift).
    @inlinable
    public static func sumOfExponentials(_ x: UnsafePointer<Float>, count: Int, scale: Float = 1, shift: Float) -> Float {
        let s = SIMD8<Float>(repeating: scale), m = SIMD8<Float>(repeating: shift)
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= count { acc += exp(loadSIMD8(x + i) * s - m); i += 8 }
        var sum = acc.sum()
        while i < count { sum += exp(SIMD8(repeating: x[i] * scale - shift))[0]; i += 1 }
        return sum
    }

    /// x ← a·exp(x − shiftA) + b·exp(scale·x − shiftB): the gradient of a weighted mix of two
    /// softmaxes (cross-entropy at temperature 1 and distillation at temperature 1/scale),
    /// before the one-hot and teacher terms are subtracted. b = 0 skips the second exp.
    @inlinable
    public static func softmaxMixture(_ x: UnsafeMutablePointer<Float>, count: Int, a: Float, shiftA: Float,
                                      b: Float, scale: Float, shiftB: Float) {
        let va = SIMD8<Float>(repeating: a), vsa = SIMD8<Float>(repeating: shiftA)
        let vb = SIMD8<Float>(repeating: b), vs = SIMD8<Float>(repeating: scale), vsb = SIMD8<Float>(repeating: shiftB)
        var i = 0
        if b == 0 {
            while i + 8 <= count { storeSIMD8(va * exp(loadSIMD8(x + i) - vsa), x + i); i += 8 }
        } else {
            while i + 8 <= count {
                let v = loadSIMD8(x + i)
                storeSIMD8(va * exp(v - vsa) + vb * exp(v * vs - vsb), x + i)
                i += 8
            }
        }
        while i < count {
            let v = SIMD8<Float>(repeating: x[i])
            x[i] = (va * exp(v - vsa) + vb * exp(v * vs - vsb))[0]
            i += 1
        }
    }
}

extension VectorKernels {
    /// In-place softmax with the vectorised exp (attention rows in training: 141 M exps a
    /// step at 4 × 512 tokens on SmolLM2, measured at 8% of the step with libm's expf).
    @inlinable
    public static func softmaxVectorised(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let (maximum, _) = argmax(x, count: count)
        let shift = SIMD8<Float>(repeating: maximum)
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let e = exp(loadSIMD8(x + i) - shift)
            storeSIMD8(e, x + i)
            acc += e
            i += 8
        }
        var sum = acc.sum()
        while i < count {
            x[i] = exp(SIMD8(repeating: x[i] - maximum))[0]
            sum += x[i]
            i += 1
        }
        let inverse = 1 / sum
        for j in 0..<count { x[j] *= inverse }
    }
}
