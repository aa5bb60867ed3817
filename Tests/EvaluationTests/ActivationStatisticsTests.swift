import Foundation
import ModelLoading
import Testing
import Transformer
@testable import Evaluation

/// Calibration statistics on the real SmolLM2: the observer sees what the weights multiply.
@Suite(.serialized)
struct ActivationStatisticsTests {
    // Its own instance: suites run in parallel, and a DecoderModel runs one forward at a time.
    static let loaded = Result { try LoadedModel.load(QualityEvaluationTests.modelName, threads: 2) }
    static var model: LoadedModel { get throws { try loaded.get() } }

    /// Layer 0's attention input is RMSNorm(embedding) · attn_norm whatever the position, so
    /// its mean square per column follows from the embedding rows alone.
    @Test func layerZeroQueryInputIsTheNormedEmbedding() throws {
        let model = try Self.model
        let tokens = model.tokenizer.encode("The capital of France is Paris.", addSpecialTokens: false, parseSpecialTokens: true)
        let squares = ActivationSquares()
        try ActivationStatistics.accumulate(model: model.decoder, sequences: [tokens], into: squares, chunkSize: 3)

        let h = model.config.hiddenSize
        let norm = model.decoder.weights.layers[0].attentionNorm
        var expected = [Double](repeating: 0, count: h)
        var row = [Float](repeating: 0, count: h)
        for token in tokens {
            try row.withUnsafeMutableBufferPointer { try model.decoder.weights.tokenEmbedding.row(Int(token), into: $0.baseAddress!) }
            let meanSquare = row.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(h)
            let scale = 1 / (meanSquare + Double(model.config.rmsNormEpsilon)).squareRoot()
            for c in 0..<h {
                let x = Double(row[c]) * scale * Double(norm[c])
                expected[c] += x * x / Double(tokens.count)
            }
        }
        let found = try #require(squares.meanSquares["blk.0.attn_q.weight"])
        #expect(found.count == h)
        let worst = zip(found, expected).map { abs(Double($0) - $1) / max($1, 1e-6) }.max() ?? 1
        #expect(worst < 1e-4, "largest relative difference \(worst)")
    }

    @Test func everyLinearWeightIsSeenOncePerToken() throws {
        let model = try Self.model
        let config = model.config
        let sequences: [[Int32]] = [[1, 2, 3, 4, 5], [6, 7, 8]]
        let squares = ActivationSquares()
        try ActivationStatistics.accumulate(model: model.decoder, sequences: sequences, into: squares, chunkSize: 2)
        // 7 weights per block and the tied head, reported as the embedding it is.
        #expect(squares.counts.count == 7 * config.layerCount + 1)
        #expect(squares.counts.values.allSatisfy { $0 == 8 })
        #expect(squares.counts["token_embd.weight"] == 8 && squares.counts["output.weight"] == nil)
        let means = squares.meanSquares
        for l in [0, config.layerCount - 1] {
            let b = "blk.\(l)."
            #expect(means[b + "attn_q.weight"] == means[b + "attn_k.weight"] && means[b + "attn_q.weight"] == means[b + "attn_v.weight"])
            #expect(means[b + "ffn_gate.weight"] == means[b + "ffn_up.weight"])
            #expect(means[b + "attn_output.weight"]?.count == config.queryDimension)
            #expect(means[b + "ffn_down.weight"]?.count == config.intermediateSize)
            #expect(means[b + "ffn_gate.weight"]?.count == config.hiddenSize)
        }
        #expect(means.values.allSatisfy { $0.allSatisfy { $0.isFinite && $0 >= 0 } })
        #expect((means["blk.0.ffn_down.weight"] ?? []).contains { $0 > 0 })
    }

    @Test func observingDoesNotChangeTheLogits() throws {
        let model = try Self.model
        let tokens: [Int32] = [1, 2, 3, 4, 5, 6]
        let plain = try model.decoder.lastLogits(of: tokens)
        let cache = try KVCache(config: model.config, slots: 1, capacity: tokens.count)
        let entries = tokens.enumerated().map {
            BatchEntry(token: $0.element, slot: 0, position: $0.offset, wantsLogits: $0.offset == tokens.count - 1)
        }
        let observed = Array(try model.decoder.forward(entries, cache: cache, observer: ActivationSquares()))
        #expect(observed == plain)
    }

    /// `collect` reads the chat-templated traces in order and stops at the token budget.
    @Test func collectStopsAtTheTokenBudget() throws {
        let model = try Self.model
        let traces = try TraceFolder.make(count: 2)
        defer { try? FileManager.default.removeItem(at: traces) }
        let sequences = try TraceSequence.load(from: traces, template: try model.chatTemplate(), tokenizer: model.tokenizer)
        let budget = sequences[0].tokens.count + 5
        let collected = try ActivationStatistics.collect(model: model, traces: traces, maxTokens: budget)
        let squares = ActivationSquares()
        try ActivationStatistics.accumulate(model: model.decoder,
                                            sequences: [sequences[0].tokens, Array(sequences[1].tokens.prefix(5))], into: squares)
        #expect(collected.count == 7 * model.config.layerCount + 1)
        #expect(collected == squares.meanSquares)
        #expect(throws: EvaluationError.self) { _ = try ActivationStatistics.collect(model: model, traces: traces, maxTokens: 0) }
    }
}
