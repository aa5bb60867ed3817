import Foundation
import Testing
import ModelLoading
import Transformer

/// Parity with an independent float32 implementation: transformers loading the same GGUF
/// (scripts/fixtures/make_smollm2_logits.py wrote the fixture).
@Suite(.serialized)
struct SmolLM2ReferenceTests {
    struct Case: Decodable {
        var prompt: String
        var ids: [Int32]
        var top_ids: [Int32]
        var top_logits: [Float]
        var greedy64: [Int32]
    }
    struct Fixture: Decodable { var cases: [Case] }

    static let fixture: Fixture? = {
        guard let url = Bundle.module.url(forResource: "Fixtures/smollm2_reference", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(Fixture.self, from: data)
    }()

    @Test func lastPositionLogitsMatchTransformers() throws {
        let model = try TestModels.smolLM2()
        let fixture = try #require(Self.fixture)
        for c in fixture.cases {
            let logits = try model.decoder.lastLogits(of: c.ids)
            for (id, expected) in zip(c.top_ids, c.top_logits) {
                let ours = logits[Int(id)]
                #expect(abs(ours - expected) <= 1e-3 * max(1, abs(expected)), "\(c.prompt.prefix(20)): token \(id) ours \(ours) reference \(expected)")
            }
            let ourTop = logits.indices.max { logits[$0] < logits[$1] }
            #expect(ourTop.map(Int32.init) == c.top_ids.first)
        }
    }

    @Test func greedyContinuationMatchesTransformers() throws {
        let model = try TestModels.smolLM2()
        let fixture = try #require(Self.fixture)
        for c in fixture.cases {
            var sampler = Sampler(settings: .greedy)
            let result = try model.decoder.generate(prompt: c.ids, maxTokens: c.greedy64.count, sampler: &sampler, stopTokens: [])
            #expect(result.tokens == c.greedy64, "\(c.prompt.prefix(20))")
        }
    }
}
