#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Tensors
import Transformer

/// AdamW (Loshchilov & Hutter 2019) as `torch.optim.AdamW` computes it: decoupled weight
/// decay applied before the Adam update, bias-corrected moments. The moments share the
/// parameters' flat layout, so the update is one pass over three buffers.
public final class AdamW: @unchecked Sendable {
    public struct Settings: Sendable, Equatable {
        public var beta1: Float = 0.9
        public var beta2: Float = 0.999
        public var epsilon: Float = 1e-8
        public var weightDecay: Float = 0.01
        public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.weightDecay = weightDecay
        }
    }

    public let settings: Settings
    public let layout: ParameterLayout
    /// First and second moments (`exp_avg`, `exp_avg_sq` in PyTorch's state).
    public let firstMoment: FloatBuffer
    public let secondMoment: FloatBuffer
    /// Updates made so far: the t of the bias correction.
    public private(set) var updates: Int

    public init(layout: ParameterLayout, settings: Settings, firstMoment: FloatBuffer? = nil,
                secondMoment: FloatBuffer? = nil, updates: Int = 0) throws {
        self.layout = layout
        self.settings = settings
        self.firstMoment = try firstMoment ?? FloatBuffer(count: layout.totalCount)
        self.secondMoment = try secondMoment ?? FloatBuffer(count: layout.totalCount)
        guard self.firstMoment.count == layout.totalCount, self.secondMoment.count == layout.totalCount else {
            throw TrainingError.checkpoint(path: "optimizer state", why: "its moments hold \(self.firstMoment.count) values, the model \(layout.totalCount)")
        }
        self.updates = updates
    }

    /// One update of every parameter with learning rate `lr`.
    public func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, lr: Float, pool: ComputePool) {
        updates += 1
        let s = settings
        let correction1 = 1 - powf(s.beta1, Float(updates)), correction2 = 1 - powf(s.beta2, Float(updates))
        let stepSize = lr / correction1, rootCorrection2 = correction2.squareRoot()
        let m = firstMoment.pointer, v = secondMoment.pointer
        for tensor in layout.tensors {
            let decay: Float = tensor.decays ? 1 - lr * s.weightDecay : 1
            let base = tensor.offset
            pool.forEachRange(tensor.count, minimumChunk: 16384) { range in
                for i in range {
                    let j = base + i, g = gradients[j]
                    m[j] = s.beta1 * m[j] + (1 - s.beta1) * g
                    v[j] = s.beta2 * v[j] + (1 - s.beta2) * g * g
                    let denominator = v[j].squareRoot() / rootCorrection2 + s.epsilon
                    parameters[j] = parameters[j] * decay - stepSize * m[j] / denominator
                }
            }
        }
    }
}

/// Gradient-norm clipping as `torch.nn.utils.clip_grad_norm_` does it.
public enum GradientClipping {
    /// The global L2 norm of `gradients`, summed in fixed chunks in a fixed order so that every
    /// run gets the same bits.
    public static func norm(_ gradients: UnsafePointer<Float>, count: Int, pool: ComputePool) -> Float {
        let chunk = 1 << 16, chunks = (count + chunk - 1) / chunk
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { sums in
            pool.forEach(chunks) { c in
                let start = c * chunk, length = min(chunk, count - start)
                sums[c] = Double(VectorKernels.dot(gradients + start, gradients + start, count: length))
            }
        }
        return Float(partial.reduce(0, +).squareRoot())
    }

    /// Scales the gradients so their norm is at most `maximum`; returns the norm before.
    @discardableResult
    public static func clip(_ gradients: UnsafeMutablePointer<Float>, count: Int, maximum: Float, pool: ComputePool) -> Float {
        let total = norm(gradients, count: count, pool: pool)
        guard maximum > 0, total.isFinite, total > maximum else { return total }
        let scale = maximum / (total + 1e-6)
        pool.forEachRange(count, minimumChunk: 65536) { range in
            for i in range { gradients[i] *= scale }
        }
        return total
    }
}
