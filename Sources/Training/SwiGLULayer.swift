#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Tensors

/// a = silu(g) ⊙ u (Shazeer 2020), forward and backward side by side.
enum SwiGLULayer {
    static func forward(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                        count: Int, pool: ComputePool) {
        pool.forEachRange(count, minimumChunk: 8192) { range in
            for i in range {
                let g = gate[i]
                out[i] = g / (1 + expf(-g)) * up[i]
            }
        }
    }

    /// du = da ⊙ silu(g);  dg = da ⊙ u ⊙ σ(g)(1 + g(1 − σ(g))).
    static func backward(_ da: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
                         dGate: UnsafeMutablePointer<Float>, dUp: UnsafeMutablePointer<Float>,
                         count: Int, pool: ComputePool) {
        pool.forEachRange(count, minimumChunk: 8192) { range in
            for i in range {
                let g = gate[i], s = 1 / (1 + expf(-g))
                dUp[i] = da[i] * g * s
                dGate[i] = da[i] * up[i] * s * (1 + g * (1 - s))
            }
        }
    }
}
