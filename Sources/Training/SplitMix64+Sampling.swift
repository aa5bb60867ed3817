import Transformer

/// What training draws from the engine's seeded generator: bounded integers and permutations
/// for the data order, uniform doubles for initialisation. Written out rather than taken from
/// the standard library so that a run's data order is the same across Swift versions and
/// platforms, or a resumed run would see other rows.
extension SplitMix64 {
    /// Uniform in `0..<bound` without modulo bias (Lemire 2019, "Fast random integer
    /// generation in an interval"): the high word of a 128-bit product, redrawn when the low
    /// word falls in the biased band. A bound of 0 gives 0.
    public mutating func next(below bound: UInt64) -> UInt64 {
        guard bound > 0 else { return 0 }
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

    /// Uniform in (0, 1]: 53 random bits, never 0, so its logarithm is finite.
    public mutating func nextUnitInterval() -> Double {
        Double((next() >> 11) + 1) * 0x1p-53
    }
}
