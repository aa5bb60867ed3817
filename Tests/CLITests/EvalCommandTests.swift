import Foundation
import Testing
import Traces

/// `distillery eval` as a user runs it: JSON keys, the token dump, and a clear error.
@Suite(.serialized)
struct EvalCommandTests {
    static func traces() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-eval-cli-\(UUID().uuidString)")
        let writer = try MDSShardWriter(directory: url, columns: TraceRecord.columns, sizeLimit: 1 << 20, compressionLevel: 3)
        for (i, (prompt, answer)) in [("What is 2 + 2?", "2 + 2 = 4."), ("Name a colour.", "Blue."), ("Say hi.", "Hi!")].enumerated() {
            try writer.write(try TraceRecord(
                id: "t\(i)", promptID: "p\(i)", sampleIndex: 0, attempt: 0, messages: [TraceMessage(role: "user", content: prompt)],
                reasoning: "", answer: answer, completion: answer, referenceAnswer: "", verification: nil,
                teacher: TraceTeacher(model: "test"), sampling: TraceSampling(temperature: 0, topP: 1, maxTokens: 8, seed: 0, topLogprobs: 0),
                finishReason: "stop", promptTokens: 0, completionTokens: 0, timings: TraceTimings(firstTokenSeconds: nil, totalSeconds: 0)
            ).mdsSample)
        }
        try writer.finish()
        return url
    }

    @Test func jsonReportAndTokenDump() throws {
        let traces = try Self.traces()
        let dump = traces.appendingPathComponent("tokens.jsonl")
        defer { try? FileManager.default.removeItem(at: traces) }
        let report = try CommandRunner.json(["eval", ModelCommandTests.model, "--reference", ModelCommandTests.model,
                                             "--traces", traces.path, "--max-sequences", "2", "--dump-tokens", dump.path,
                                             "--threads", "2", "--json"])
        #expect(Set(report.keys) == ["model", "reference", "sequences", "tokens", "kl_divergence", "top1_agreement",
                                     "perplexity_ratio", "seconds"])
        let model = try #require(report["model"] as? [String: Any])
        #expect(Set(model.keys) == ["path", "file_bytes", "parameters", "bits_per_weight", "perplexity", "mean_nll"])
        let kl = try #require(report["kl_divergence"] as? [String: Double])
        #expect(Set(kl.keys) == ["mean", "median", "p99", "max"])
        #expect(kl["max"] == 0 && report["top1_agreement"] as? Double == 1 && report["sequences"] as? Int == 2)

        let lines = try String(contentsOf: dump, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        var scored = 0
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let tokens = try #require(object["tokens"] as? [Int]), mask = try #require(object["mask"] as? [Int])
            #expect(tokens.count == mask.count && mask.first == 0 && mask.last == 1)
            scored += mask.reduce(0, +)
        }
        #expect(report["tokens"] as? Int == scored)
    }

    @Test func humanTableAndMissingTraces() throws {
        let traces = try Self.traces()
        defer { try? FileManager.default.removeItem(at: traces) }
        let result = try CommandRunner.run(["eval", ModelCommandTests.model, "--reference", ModelCommandTests.model,
                                            "--traces", traces.path, "--max-sequences", "1"])
        #expect(result.status == 0, "\(result.standardError)")
        for word in ["perplexity", "bits per weight", "KL(reference ‖ model)", "top-1 agreement", "100.000 %"] {
            #expect(result.standardOutput.contains(word), "\(result.standardOutput)")
        }
        try CommandErrorTests.expectCleanFailure(
            ["eval", ModelCommandTests.model, "--reference", ModelCommandTests.model, "--traces", "/nonexistent-traces"],
            mentions: ["/nonexistent-traces", "index.json"])
    }
}
