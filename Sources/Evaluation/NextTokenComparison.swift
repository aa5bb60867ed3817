import Foundation

/// What one position's two next-token distributions say about the token that follows, from raw
/// logits. Log-softmax is taken in Double around the row's maximum, so neither a large logit
/// nor a 49k-token sum loses precision.
struct NextTokenComparison: Equatable {
    /// −log p(target) under each model.
    var modelNLL: Double
    var referenceNLL: Double
    /// KL(reference ‖ model) = Σ p_ref · (log p_ref − log p_model), in nats.
    var klDivergence: Double
    /// Whether both models' most likely tokens are the same.
    var sameTop: Bool

    /// `model` and `reference` hold `count` logits each; `target` is in 0..<count.
    init(model: UnsafePointer<Float>, reference: UnsafePointer<Float>, count: Int, target: Int) {
        let m = Self.logSoftmaxShape(model, count: count)
        let r = Self.logSoftmaxShape(reference, count: count)
        var kl = 0.0
        for i in 0..<count {
            let logR = Double(reference[i]) - r.logSum
            kl += exp(logR) * (logR - (Double(model[i]) - m.logSum))
        }
        modelNLL = m.logSum - Double(model[target])
        referenceNLL = r.logSum - Double(reference[target])
        klDivergence = kl
        sameTop = m.argmax == r.argmax
    }

    /// log Σ exp(x) and the index of the largest x (the first, on ties).
    static func logSoftmaxShape(_ x: UnsafePointer<Float>, count: Int) -> (logSum: Double, argmax: Int) {
        var argmax = 0
        for i in 1..<max(count, 1) where x[i] > x[argmax] { argmax = i }
        let top = Double(x[argmax])
        var sum = 0.0
        for i in 0..<count { sum += exp(Double(x[i]) - top) }
        return (top + log(sum), argmax)
    }
}
