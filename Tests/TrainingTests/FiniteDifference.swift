import Foundation
import Tensors
import Transformer
@testable import Training

/// Central finite differences against an analytic gradient, along random directions.
/// Objectives are scalars f(x) = Σ w ⊙ op(x) for a fixed random w, so dL/d(op output) = w.
struct FiniteDifference {
    var random = SeededRandom(seed: 42)

    /// Relative error |numeric − analytic| / max(|numeric|, |analytic|, floor) for `directions`
    /// random unit directions: the largest seen.
    mutating func worstError(point: [Float], gradient: [Float], step: Float = 1e-2, directions: Int = 4,
                             floor: Double = 1e-3, objective: ([Float]) -> Double) -> Double {
        var worst = 0.0
        for _ in 0..<directions {
            var u = (0..<point.count).map { _ in random.normal() }
            let norm = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
            u = u.map { $0 / norm }
            let plus = zip(point, u).map { $0 + step * $1 }, minus = zip(point, u).map { $0 - step * $1 }
            let numeric = (objective(plus) - objective(minus)) / Double(2 * step)
            let analytic = zip(gradient, u).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            worst = max(worst, abs(numeric - analytic) / max(abs(numeric), abs(analytic), floor))
        }
        return worst
    }
}

/// Test data that is the same on every run: the engine's SplitMix64 with Box–Muller.
typealias SeededRandom = SplitMix64

extension SplitMix64 {
    mutating func uniform() -> Float { nextUnitFloat() }
    mutating func normal() -> Float {
        let u1 = max(uniform(), 1e-7), u2 = uniform()
        return (-2 * logf(u1)).squareRoot() * cosf(2 * .pi * u2)
    }
    mutating func normals(_ count: Int, scale: Float = 1) -> [Float] { (0..<count).map { _ in normal() * scale } }
}

func weightedSum(_ values: [Float], _ weights: [Float]) -> Double {
    zip(values, weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}
