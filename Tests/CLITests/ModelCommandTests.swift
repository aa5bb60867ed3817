import Foundation
import Testing
import ModelLoading

/// The model commands end to end on the real SmolLM2, against the transformers reference
/// that TransformerTests also uses.
@Suite(.serialized)
struct ModelCommandTests {
    static let model = "smollm2-135m-instruct"

    struct ReferenceCase: Decodable {
        var prompt: String
        var ids: [Int32]
        var top_ids: [Int32]
        var greedy64: [Int32]
    }

    static func reference() throws -> [ReferenceCase] {
        struct Fixture: Decodable { var cases: [ReferenceCase] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../TransformerTests/Fixtures/smollm2_reference.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)).cases
    }

    @Test func inspectReportsTheRealModel() throws {
        let summary = try CommandRunner.json(["inspect", Self.model, "--json"])
        #expect(summary["architecture"] as? String == "llama")
        #expect(summary["layers"] as? Int == 30)
        #expect(summary["context_length"] as? Int == 8192)
        #expect(summary["license"] as? String == "apache-2.0")
        #expect(summary["chat_template"] as? String == "smolLM2")
        let parameters = try #require(summary["parameters"] as? Int)
        #expect((134_000_000...135_000_000).contains(parameters))
        let types = try #require(summary["tensor_types"] as? [String: Int])
        #expect(types == ["F32": 61, "Q4_1": 210, "Q8_0": 1])
    }

    @Test func tokenizeAndLogitsMatchTheReference() throws {
        for c in try Self.reference() {
            let tokens = try CommandRunner.json(["tokenize", Self.model, "--text", c.prompt, "--json"])
            #expect((tokens["ids"] as? [Int])?.map(Int32.init) == c.ids, "\(c.prompt)")
            let logits = try CommandRunner.json(["logits", Self.model, "--text", c.prompt, "--top", "5", "--json"])
            let top = try #require(logits["top"] as? [[Double]])
            #expect(top.count == 5)
            #expect(top.map { Int32($0[0]) }.first == c.top_ids.first, "\(c.prompt)")
            #expect(zip(top, top.dropFirst()).allSatisfy { $0[1] >= $1[1] }, "top logits are sorted, highest first")
        }
    }

    @Test func greedyRunStreamsTheReferenceContinuation() throws {
        let tokenizer = try LoadedModel.load(Self.model, threads: 1).tokenizer
        for c in try Self.reference().prefix(2) {
            let result = try CommandRunner.run(["run", Self.model, "--prompt", c.prompt, "--temperature", "0", "--max-tokens", "24"])
            #expect(result.status == 0, "\(result.standardError)")
            // The reference never stops (min_new_tokens); the command stops at end-of-generation.
            let expectedIDs = c.greedy64.prefix(24).prefix { !tokenizer.endOfGenerationIDs.contains($0) }
            #expect(result.standardOutput == tokenizer.decode(Array(expectedIDs)) + "\n", "\(c.prompt)")
            #expect(result.standardError.contains("generated: \(expectedIDs.count) tokens"))
        }
    }

    @Test func sampledRunsAreReproducibleBySeed() throws {
        let arguments = ["run", Self.model, "--prompt", "Write a haiku about rain.", "--chat", "--max-tokens", "24", "--temperature", "1.0"]
        let first = try CommandRunner.run(arguments + ["--seed", "7"])
        let again = try CommandRunner.run(arguments + ["--seed", "7"])
        let other = try CommandRunner.run(arguments + ["--seed", "8"])
        #expect(first.status == 0 && again.status == 0 && other.status == 0)
        #expect(first.standardOutput == again.standardOutput)
        #expect(first.standardOutput != other.standardOutput)
    }

    @Test func benchPrintsTheDocumentedJSON() throws {
        let bench = try CommandRunner.json(["bench", Self.model, "--prompt-tokens", "16", "--gen-tokens", "4",
                                            "--batch", "1,3", "--runs", "1", "--json"])
        #expect((bench["pp_tok_s"] as? Double ?? 0) > 0)
        let generation = try #require(bench["tg_tok_s"] as? [String: Double])
        #expect(Set(generation.keys) == ["1", "3"])
        #expect(generation.values.allSatisfy { $0 > 0 })
        #expect((bench["peak_rss_mb"] as? Double ?? 0) > 50)
    }
}
