/// Element-wise and reduction kernels over contiguous Float32 vectors. They work on
/// SIMD8 lanes (one AVX register when built with `-target-cpu haswell`) with a scalar tail.
public enum VectorKernels {
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= count {
            acc0 += loadSIMD8(a + i) * loadSIMD8(b + i)
            acc1 += loadSIMD8(a + i + 8) * loadSIMD8(b + i + 8)
            i += 16
        }
        var sum = (acc0 + acc1).sum()
        while i < count { sum += a[i] * b[i]; i += 1 }
        return sum
    }

    /// y += alpha · x
    @inlinable
    public static func addScaled(_ x: UnsafePointer<Float>, alpha: Float, into y: UnsafeMutablePointer<Float>, count: Int) {
        let a = SIMD8<Float>(repeating: alpha)
        var i = 0
        while i + 8 <= count {
            storeSIMD8(loadSIMD8(y + i) + a * loadSIMD8(x + i), y + i)
            i += 8
        }
        while i < count { y[i] += alpha * x[i]; i += 1 }
    }

    /// y += x
    @inlinable
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            storeSIMD8(loadSIMD8(y + i) + loadSIMD8(x + i), y + i)
            i += 8
        }
        while i < count { y[i] += x[i]; i += 1 }
    }

    /// out = x / sqrt(mean(x²) + eps) · weight  (RMSNorm, Zhang & Sennrich 2019).
    /// Returns the reciprocal RMS, which a backward pass needs.
    @inlinable
    @discardableResult
    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, epsilon: Float,
                               out: UnsafeMutablePointer<Float>, count: Int) -> Float {
        let meanSquare = dot(x, x, count: count) / Float(count)
        let scale = 1 / (meanSquare + epsilon).squareRoot()
        let s = SIMD8<Float>(repeating: scale)
        var i = 0
        while i + 8 <= count {
            storeSIMD8(loadSIMD8(x + i) * s * loadSIMD8(weight + i), out + i)
            i += 8
        }
        while i < count { out[i] = x[i] * scale * weight[i]; i += 1 }
        return scale
    }

    /// In-place softmax; returns the maximum it subtracted. Elements equal to -infinity
    /// (masked positions) become exactly 0.
    @inlinable
    @discardableResult
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) -> Float {
        var maximum = -Float.infinity
        for i in 0..<count where x[i] > maximum { maximum = x[i] }
        var sum: Float = 0
        for i in 0..<count {
            let e = expf(x[i] - maximum)
            x[i] = e
            sum += e
        }
        let inverse = 1 / sum
        for i in 0..<count { x[i] *= inverse }
        return maximum
    }

    /// gate ← silu(gate) · up  (SwiGLU, Shazeer 2020)
    @inlinable
    public static func swiGLU(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    @inlinable
    public static func loadSIMD8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inlinable
    public static func loadSIMD8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inlinable
    public static func storeSIMD8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
