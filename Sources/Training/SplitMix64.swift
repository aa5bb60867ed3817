import Foundation

/// A seeded random stream: SplitMix64 (Steele, Lea & Flood 2014, the generator that seeds
/// xoshiro), with Box–Muller normals. Same seed, same numbers on every run (DESIGN.md,
/// "Deterministic"); Swift's `SystemRandomNumberGenerator` cannot be seeded.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    /// Box–Muller makes normals in pairs; the second waits here.
    private var spare: Double?

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1]: 53 random bits, never 0, so its logarithm is finite.
    public mutating func nextUnitInterval() -> Double {
        Double((next() >> 11) + 1) * 0x1p-53
    }

    /// A standard normal sample (Box–Muller).
    public mutating func nextNormal() -> Double {
        if let z = spare { spare = nil; return z }
        let radius = (-2 * log(nextUnitInterval())).squareRoot(), angle = 2 * Double.pi * nextUnitInterval()
        spare = radius * sin(angle)
        return radius * cos(angle)
    }
}
