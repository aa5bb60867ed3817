import Foundation
import Testing
import Transformer

/// The sampler chain on hand-made logits, where the right answer is known exactly.
struct SamplerTests {
    static func sample(_ logits: [Float], _ configure: (inout SamplingSettings) -> Void, draws: Int = 4000,
                       history: [Int32] = []) -> [Int] {
        var settings = SamplingSettings()
        configure(&settings)
        var sampler = Sampler(settings: settings)
        var counts = Array(repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { buffer in
            for _ in 0..<draws { counts[Int(sampler.sample(buffer, history: history[...]))] += 1 }
        }
        return counts
    }

    static let logits: [Float] = [2.0, 1.0, 0.5, 0.0, -1.0, -3.0]

    @Test func greedyTakesTheArgmax() {
        let counts = Self.sample(Self.logits, { $0.temperature = 0 }, draws: 10)
        #expect(counts == [10, 0, 0, 0, 0, 0])
    }

    @Test func temperatureOneFollowsTheSoftmax() {
        let counts = Self.sample(Self.logits, { s in s.temperature = 1; s.topK = 0; s.topP = 1; s.minP = 0 }, draws: 20_000)
        let exps = Self.logits.map { Foundation.exp(Double($0)) }
        let total = exps.reduce(0, +)
        for (i, e) in exps.enumerated() {
            let expected = e / total * 20_000
            // Within 5 standard deviations of a binomial count.
            #expect(abs(Double(counts[i]) - expected) <= 5 * (expected * (1 - e / total)).squareRoot() + 1, "token \(i)")
        }
    }

    @Test func topKKeepsOnlyTheBest() {
        let counts = Self.sample(Self.logits, { s in s.temperature = 5; s.topK = 2; s.topP = 1; s.minP = 0 })
        #expect(counts[2...].allSatisfy { $0 == 0 })
        #expect(counts[0] > 0 && counts[1] > 0)
    }

    @Test func topPKeepsTheSmallestSetReachingP() {
        // softmax ≈ [0.55, 0.20, 0.12, 0.07, 0.03, 0.004]: p = 0.7 needs the first two.
        let counts = Self.sample(Self.logits, { s in s.temperature = 1; s.topK = 0; s.topP = 0.7; s.minP = 0 })
        #expect(counts[2...].allSatisfy { $0 == 0 })
        #expect(counts[1] > 0)
    }

    @Test func minPDropsTokensFarBelowTheBest() {
        // p_i / p_max = e^(l_i − 2): 0.37, 0.22, 0.14, 0.05, 0.007; min-p 0.2 keeps three.
        let counts = Self.sample(Self.logits, { s in s.temperature = 1; s.topK = 0; s.topP = 1; s.minP = 0.2 })
        #expect(counts[3...].allSatisfy { $0 == 0 })
        #expect(counts[2] > 0)
    }

    @Test func repetitionPenaltyDemotesSeenTokens() {
        // Penalty 4 turns logit 2 into 0.5, below token 1's 1.0: greedy moves to token 1.
        let counts = Self.sample(Self.logits, { s in s.temperature = 0; s.repetitionPenalty = 4 }, draws: 1, history: [0])
        #expect(counts[1] == 1)
        let negative = Self.sample([-1, -0.5], { s in s.temperature = 0; s.repetitionPenalty = 4 }, draws: 1, history: [0])
        #expect(negative[1] == 1, "a negative logit is multiplied, not divided")
    }

    @Test func theSeedFixesTheStream() {
        let configure: (inout SamplingSettings) -> Void = { s in s.temperature = 1; s.topK = 0; s.topP = 1; s.minP = 0; s.seed = 11 }
        let first = Self.sample(Self.logits, configure, draws: 500)
        let again = Self.sample(Self.logits, configure, draws: 500)
        let other = Self.sample(Self.logits, { s in configure(&s); s.seed = 12 }, draws: 500)
        #expect(first == again)
        #expect(first != other)
    }
}
