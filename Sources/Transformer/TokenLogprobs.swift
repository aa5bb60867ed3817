import Foundation

/// Log-probabilities read off one row of logits.
enum TokenLogprobs {
    /// log Σ exp(logits): the normaliser of log-softmax, computed around the maximum so
    /// large logits do not overflow.
    static func logSumExp(_ logits: UnsafeBufferPointer<Float>) -> Float {
        var maximum = -Float.infinity
        for value in logits where value > maximum { maximum = value }
        guard maximum.isFinite else { return maximum }
        var sum: Float = 0
        for value in logits { sum += expf(value - maximum) }
        return maximum + logf(sum)
    }

    /// The `k` largest logits as log-probabilities, best first; ties keep the lower id
    /// first, as a stable sort would.
    static func top(_ k: Int, of logits: UnsafeBufferPointer<Float>, logSumExp: Float) -> [TokenLogprob] {
        guard k > 0 else { return [] }
        var best: [(token: Int32, logit: Float)] = []
        best.reserveCapacity(k + 1)
        for (index, value) in logits.enumerated() {
            if best.count == k, let last = best.last, value <= last.logit { continue }
            var at = best.count
            while at > 0, best[at - 1].logit < value { at -= 1 }
            best.insert((Int32(index), value), at: at)
            if best.count > k { best.removeLast() }
        }
        return best.map { TokenLogprob(token: $0.token, logprob: $0.logit - logSumExp) }
    }
}
