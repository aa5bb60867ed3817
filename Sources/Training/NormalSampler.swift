import Foundation
import Transformer

/// Standard normal samples from a seeded `SplitMix64` by Box–Muller, so fresh weights are the
/// same bytes for the same seed on every run (DESIGN.md, "Deterministic").
public struct NormalSampler: Sendable {
    public var random: SplitMix64
    /// Box–Muller makes normals in pairs; the second waits here.
    private var spare: Double?

    public init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// Uniform in (0, 1]: 53 random bits, never 0, so its logarithm is finite.
    public mutating func nextUnitInterval() -> Double {
        Double((random.next() >> 11) + 1) * 0x1p-53
    }

    public mutating func next() -> Double {
        if let z = spare { spare = nil; return z }
        let radius = (-2 * log(nextUnitInterval())).squareRoot(), angle = 2 * Double.pi * nextUnitInterval()
        spare = radius * sin(angle)
        return radius * cos(angle)
    }
}
