#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Picks next tokens from logits. The chain follows llama.cpp's order: repetition penalty,
/// top-k, top-p, min-p (these three on the untempered distribution), temperature, draw.
/// Buffers are kept between calls so sampling allocates nothing per token.
public struct Sampler: Sendable {
    public let settings: SamplingSettings
    private var random: SplitMix64
    private var adjusted: [Float] = []
    private var candidates: [Int32] = []

    public init(settings: SamplingSettings) {
        self.settings = settings
        self.random = SplitMix64(seed: settings.seed)
    }

    /// `history` is the sequence so far (prompt and generated), for the repetition penalty.
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>, history: ArraySlice<Int32>) -> Int32 {
        adjusted.removeAll(keepingCapacity: true)
        adjusted.append(contentsOf: logits)
        applyRepetitionPenalty(history: history)
        if settings.isGreedy { return argmax() }

        candidates.removeAll(keepingCapacity: true)
        let n = adjusted.count
        let k = settings.topK > 0 ? min(settings.topK, n) : n
        var total: Float = 0
        let maximum: Float
        if k < n {
            selectTop(k)
            guard let best = candidates.first else { return argmax() }
            maximum = adjusted[Int(best)]
            // Probabilities at temperature 1 for top-p and min-p, over the top-k survivors.
            for c in candidates { total += expf(adjusted[Int(c)] - maximum) }
        } else {
            maximum = adjusted.max() ?? 0
            for value in adjusted { total += expf(value - maximum) }
            if settings.topP < 1 {
                selectNucleus(mass: settings.topP, maximum: maximum, total: total)
            } else {
                candidates.append(contentsOf: (0..<Int32(n)))
            }
        }
        guard !candidates.isEmpty else { return argmax() }

        if settings.topP < 1 {
            var mass: Float = 0
            var keep = 0
            for c in candidates {  // sorted by selectTop
                mass += expf(adjusted[Int(c)] - maximum) / total
                keep += 1
                if mass >= settings.topP { break }
            }
            candidates.removeSubrange(keep...)
        }
        if settings.minP > 0 {
            // Relative to the top token: p_i / p_max = exp(l_i − l_max).
            let threshold = logf(settings.minP)
            candidates.removeAll { adjusted[Int($0)] - maximum < threshold }
        }
        guard !candidates.isEmpty else { return argmax() }

        var weights: Float = 0
        let inverseTemperature = 1 / settings.temperature
        for c in candidates {
            let weight = expf((adjusted[Int(c)] - maximum) * inverseTemperature)
            adjusted[Int(c)] = weight
            weights += weight
        }
        var target = random.nextUnitFloat() * weights
        for c in candidates {
            target -= adjusted[Int(c)]
            if target < 0 { return c }
        }
        return candidates[candidates.count - 1]
    }

    private mutating func applyRepetitionPenalty(history: ArraySlice<Int32>) {
        let penalty = settings.repetitionPenalty
        guard penalty != 1, penalty > 0 else { return }
        var seen = Set<Int32>()
        for token in history.suffix(settings.repetitionWindow) where seen.insert(token).inserted {
            let i = Int(token)
            guard adjusted.indices.contains(i) else { continue }
            adjusted[i] = adjusted[i] > 0 ? adjusted[i] / penalty : adjusted[i] * penalty
        }
    }

    private func argmax() -> Int32 {
        var best = 0
        for i in adjusted.indices where adjusted[i] > adjusted[best] { best = i }
        return Int32(best)
    }

    /// Enough of the highest logits, highest first, to hold `mass` of the probability: a
    /// window of 64, widened eightfold until it does. Top-p keeps a prefix of the sorted
    /// vocabulary, so this gives what sorting all of it would, without sorting 50k-150k
    /// logits per token when top-k is off (as an OpenAI-style request has it).
    private mutating func selectNucleus(mass: Float, maximum: Float, total: Float) {
        var window = 64
        while true {
            candidates.removeAll(keepingCapacity: true)
            selectTop(min(window, adjusted.count))
            var covered: Float = 0
            for c in candidates { covered += expf(adjusted[Int(c)] - maximum) }
            if covered / total >= mass || window >= adjusted.count { return }
            window *= 8
        }
    }

    /// The k highest logits, highest first (ties: lower id first, for determinism).
    private mutating func selectTop(_ k: Int) {
        let values = adjusted
        let order: (Int32, Int32) -> Bool = { a, b in
            let x = values[Int(a)], y = values[Int(b)]
            return x > y || (x == y && a < b)
        }
        if k >= values.count {
            candidates.append(contentsOf: (0..<Int32(values.count)))
            candidates.sort(by: order)
            return
        }
        // Keep a sorted window of the best k; most logits fail the first comparison.
        for i in 0..<Int32(values.count) {
            if candidates.count == k {
                guard let last = candidates.last, order(i, last) else { continue }
                candidates.removeLast()
            }
            let position = candidates.partitioningIndex { order(i, $0) }
            candidates.insert(i, at: position)
        }
    }
}

extension Array {
    /// The first index whose element satisfies `belongsAfter`, for a sorted insert.
    fileprivate func partitioningIndex(where belongsAfter: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if belongsAfter(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
