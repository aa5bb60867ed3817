import Foundation
import Testing
import ModelLoading
import Transformer

/// The batcher against transformers' own greedy continuations (the fixture of
/// SmolLM2ReferenceTests): five prompts through two slots, so slots are refilled while
/// others decode, and prompts are prefilled in chunks mixed into decoding steps.
@Suite(.serialized)
struct ContinuousBatcherTests {
    @Test func batchedGreedyContinuationsMatchTransformers() throws {
        let model = try TestModels.smolLM2()
        let fixture = try #require(SmolLM2ReferenceTests.fixture)
        let batcher = try ContinuousBatcher(model: model.decoder, slots: 2, capacity: 128, prefillChunk: 8)
        var outcomes: [Int: GenerationOutcome] = [:]
        var streamed: [Int: [Int32]] = [:]
        for (index, c) in fixture.cases.enumerated() {
            let request = GenerationRequest(prompt: c.ids, maxTokens: c.greedy64.count, sampling: .greedy, stopTokens: [], topLogprobs: 5)
            batcher.submit(request, onToken: { streamed[index, default: []].append($0.token); return true }) { result in
                outcomes[index] = try? result.get()
            }
        }
        try batcher.runUntilIdle()
        for (index, c) in fixture.cases.enumerated() {
            let outcome = try #require(outcomes[index], "case \(index) did not finish")
            #expect(outcome.tokens.map(\.token) == c.greedy64, "\(c.prompt.prefix(20))")
            #expect(streamed[index] == c.greedy64)
            #expect(outcome.finishReason == .length)
            #expect(outcome.promptTokenCount == c.ids.count)
            // First token's alternatives: transformers' top ids, and logprob gaps equal to its logit gaps.
            let first = try #require(outcome.tokens.first)
            #expect(first.top.map(\.token) == Array(c.top_ids.prefix(5)))
            #expect(first.top.first?.logprob == first.logprob, "greedy picks the top-1")
            for (alternative, logit) in zip(first.top, c.top_logits) {
                let gap = alternative.logprob - first.top[0].logprob, expected = logit - c.top_logits[0]
                #expect(abs(gap - expected) < 2e-3, "gap \(gap) vs transformers \(expected)")
            }
            #expect(outcome.tokens.allSatisfy { $0.logprob <= 0 && $0.top.count == 5 })
            #expect(outcome.tokens.allSatisfy { t in zip(t.top, t.top.dropFirst()).allSatisfy { $0.logprob >= $1.logprob } })
        }
        #expect(batcher.load == 0)
    }

    @Test func logprobsAreTheLogSoftmaxOfTheLogits() throws {
        let model = try TestModels.smolLM2()
        let prompt = try #require(SmolLM2ReferenceTests.fixture?.cases.first?.ids)
        let logits = try model.decoder.lastLogits(of: prompt)
        let maximum = logits.max() ?? 0
        let normaliser = maximum + log(logits.reduce(Float(0)) { $0 + exp($1 - maximum) })
        let batcher = try ContinuousBatcher(model: model.decoder, slots: 1, capacity: 64)
        var first: GeneratedToken?
        batcher.submit(GenerationRequest(prompt: prompt, maxTokens: 1, sampling: .greedy, stopTokens: [], topLogprobs: 20)) {
            first = try? $0.get().tokens.first
        }
        try batcher.runUntilIdle()
        let token = try #require(first)
        #expect(token.top.count == 20)
        for alternative in token.top {
            #expect(abs(alternative.logprob - (logits[Int(alternative.token)] - normaliser)) < 1e-4)
        }
        let total = token.top.reduce(Float(0)) { $0 + exp($1.logprob) }
        #expect(total > 0 && total <= 1.0001)
    }

    @Test func stopsCancelsAndRefusesWhatDoesNotFit() throws {
        let model = try TestModels.smolLM2()
        let c = try #require(SmolLM2ReferenceTests.fixture?.cases.first)
        let batcher = try ContinuousBatcher(model: model.decoder, slots: 2, capacity: 32)
        var results: [String: Result<GenerationOutcome, Error>] = [:]
        // Stop token: the third greedy token ends the sequence before it is emitted.
        batcher.submit(GenerationRequest(prompt: c.ids, maxTokens: 20, sampling: .greedy, stopTokens: [c.greedy64[2]])) { results["stop"] = $0 }
        // The client goes away after two tokens.
        var seen = 0
        batcher.submit(GenerationRequest(prompt: c.ids, maxTokens: 20, sampling: .greedy, stopTokens: []),
                       onToken: { _ in seen += 1; return seen < 2 }) { results["cancel"] = $0 }
        // Longer than a slot holds.
        batcher.submit(GenerationRequest(prompt: Array(repeating: c.ids[0], count: 40), maxTokens: 4, sampling: .greedy, stopTokens: [])) { results["long"] = $0 }
        // A completion cut by the slot's room: 32 positions minus the prompt.
        batcher.submit(GenerationRequest(prompt: c.ids, maxTokens: 1000, sampling: .greedy, stopTokens: [])) { results["room"] = $0 }
        // Submitted from inside a callback, as a rejection-sampling loop does.
        batcher.submit(GenerationRequest(prompt: c.ids, maxTokens: 0, sampling: .greedy, stopTokens: [])) { _ in
            batcher.submit(GenerationRequest(prompt: c.ids, maxTokens: 3, sampling: .greedy, stopTokens: [])) { results["chained"] = $0 }
        }
        try batcher.runUntilIdle()

        let stopped = try #require(try results["stop"]?.get())
        #expect(stopped.tokens.map(\.token) == Array(c.greedy64.prefix(2)) && stopped.finishReason == .stop)
        let cancelled = try #require(try results["cancel"]?.get())
        #expect(cancelled.tokens.count == 2 && cancelled.finishReason == .stop)
        #expect(throws: TransformerError.self) { try results["long"]?.get() }
        let room = try #require(try results["room"]?.get())
        #expect(room.tokens.count == 32 - c.ids.count && room.finishReason == .length)
        #expect(room.tokens.map(\.token) == Array(c.greedy64.prefix(room.tokens.count)))
        let chained = try #require(try results["chained"]?.get())
        #expect(chained.tokens.map(\.token) == Array(c.greedy64.prefix(3)))
    }

    @Test func seededSamplingDoesNotDependOnTheBatch() throws {
        let model = try TestModels.smolLM2()
        let fixture = try #require(SmolLM2ReferenceTests.fixture)
        var settings = SamplingSettings()
        settings.temperature = 0.9
        func run(slots: Int) throws -> [[Int32]] {
            let batcher = try ContinuousBatcher(model: model.decoder, slots: slots, capacity: 64)
            var tokens = Array(repeating: [Int32](), count: fixture.cases.count)
            for (index, c) in fixture.cases.enumerated() {
                settings.seed = UInt64(100 + index)
                batcher.submit(GenerationRequest(prompt: c.ids, maxTokens: 12, sampling: settings, stopTokens: [])) {
                    tokens[index] = (try? $0.get().tokens.map(\.token)) ?? []
                }
            }
            try batcher.runUntilIdle()
            return tokens
        }
        let alone = try run(slots: 1), together = try run(slots: 4)
        #expect(alone.allSatisfy { $0.count == 12 })
        #expect(alone == together)
    }
}
