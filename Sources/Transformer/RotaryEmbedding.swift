#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rotary position embedding (Su et al. 2021). Frequencies follow Hugging Face's
/// computation in Float32: inv_freq_i = 1 / theta^(2i/d), divided by the Llama 3.1 factor
/// when the model has one (GGUF.md §8.4).
public struct RotaryEmbedding: Sendable {
    public let headDimension: Int
    public let style: ModelConfig.RoPEStyle
    let inverseFrequencies: [Float]

    public init(config: ModelConfig) {
        headDimension = config.headDimension
        style = config.ropeStyle
        let half = config.headDimension / 2
        inverseFrequencies = (0..<half).map { i in
            let exponent = Float(2 * i) / Float(config.headDimension)
            let base = 1 / powf(config.ropeTheta, exponent)
            return base / (config.ropeFrequencyFactors?[i] ?? 1)
        }
    }

    /// The cos and sin of every frequency at `position`, written into `cos`/`sin` (d/2 each).
    public func angles(position: Int, cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        let p = Float(position)
        for i in 0..<inverseFrequencies.count {
            let angle = p * inverseFrequencies[i]
            cos[i] = cosf(angle)
            sin[i] = sinf(angle)
        }
    }

    /// Rotates `heads` consecutive head vectors in place.
    public func rotate(_ x: UnsafeMutablePointer<Float>, heads: Int, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        let half = headDimension / 2
        for h in 0..<heads {
            let v = x + h * headDimension
            switch style {
            case .adjacentPairs:
                for i in 0..<half {
                    let a = v[2 * i], b = v[2 * i + 1]
                    v[2 * i] = a * cos[i] - b * sin[i]
                    v[2 * i + 1] = a * sin[i] + b * cos[i]
                }
            case .halves:
                for i in 0..<half {
                    let a = v[i], b = v[i + half]
                    v[i] = a * cos[i] - b * sin[i]
                    v[i + half] = b * cos[i] + a * sin[i]
                }
            }
        }
    }
}
