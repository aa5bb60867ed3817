/// Steele, Lea and Flood's SplitMix64 (2014), the generator Java's `SplittableRandom` and
/// the xoshiro seeders use: one 64-bit add and a mixing function per draw. Written out here
/// rather than taken from the standard library because the data order of a run must stay
/// the same across Swift versions and platforms, or a resumed run would see other rows.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` without modulo bias (Lemire 2019, "Fast random integer
    /// generation in an interval"): the high word of a 128-bit product, redrawn when the low
    /// word falls in the biased band.
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    /// A Fisher–Yates permutation of `0..<count` (Durstenfeld's in-place form), the same for
    /// the same seed on every platform.
    public static func permutation(of count: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<count)
        var generator = SplitMix64(seed: seed)
        var i = count - 1
        while i > 0 {
            let j = Int(generator.next(below: UInt64(i + 1)))
            order.swapAt(i, j)
            i -= 1
        }
        return order
    }
}
