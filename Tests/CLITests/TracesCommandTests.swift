import Foundation
import Testing
import Traces

/// `distillery traces …` run as a user runs it, on datasets written with MDSShardWriter and on
/// the one streaming.MDSWriter wrote (Tests/TracesTests/Fixtures/python_zstd).
@Suite(.serialized)
struct TracesCommandTests {
    static let pythonFixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TracesTests/Fixtures/python_zstd")

    static func trace(_ i: Int) -> TraceRecord {
        TraceRecord(
            id: "t\(i)", promptID: "p\(i)", sampleIndex: 0, attempt: 0,
            messages: [TraceMessage(role: "user", content: "What is \(i) × 2?")],
            reasoning: i == 1 ? "" : "\(i) × 2 = \(2 * i).", answer: "\\boxed{\(2 * i)}", completion: "…", referenceAnswer: "\(2 * i)",
            verification: TraceVerification(method: "boxed", correct: i != 2, extracted: "\(2 * i)"),
            teacher: TraceTeacher(model: "teacher-a"), sampling: TraceSampling(temperature: 0.6, topP: 0.95, maxTokens: 64, seed: 1, topLogprobs: 0),
            finishReason: "stop", promptTokens: 10, completionTokens: 7 * (i + 1), timings: TraceTimings(firstTokenSeconds: 0.1, totalSeconds: 1))
    }

    static func dataset(_ count: Int) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-traces-\(UUID().uuidString)")
        let writer = try MDSShardWriter(directory: dir, columns: TraceRecord.columns, sizeLimit: 1500, compressionLevel: 3)
        for i in 0..<count { try writer.write(try trace(i).mdsSample) }
        try writer.finish()
        return dir
    }

    @Test func inspectJSONOfATraceDataset() throws {
        let dir = try Self.dataset(4)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try CommandRunner.json(["traces", "inspect", dir.path, "--json"])
        let index = try MDSDataset(directory: dir).index
        #expect(out["samples"] as? Int == 4)
        #expect(out["shards"] as? Int == index.shards.count)
        #expect(out["raw_bytes"] as? Int == index.shards.reduce(0) { $0 + $1.rawData.bytes })
        #expect(out["compressed_bytes"] as? Int == index.shards.reduce(0) { $0 + ($1.zipData?.bytes ?? 0) })
        let trace = out["trace"] as? [String: Any]
        #expect(trace?["completion_tokens"] as? Int == 7 + 14 + 21 + 28)
        #expect(trace?["teachers"] as? [String: Int] == ["teacher-a": 4])
        #expect(trace?["correct"] as? Int == 3 && trace?["incorrect"] as? Int == 1)
        let text = try CommandRunner.run(["traces", "inspect", dir.path])
        #expect(text.status == 0)
        #expect(text.standardOutput.contains("4 samples in"))
        #expect(text.standardOutput.contains("teachers: teacher-a (4)"))
        #expect(text.standardOutput.contains("verification: 3 correct, 1 incorrect, 0 unverified"))
    }

    @Test func inspectAndVerifyThePythonWrittenDataset() throws {
        let out = try CommandRunner.json(["traces", "inspect", Self.pythonFixture.path, "--json"])
        #expect(out["samples"] as? Int == 9)
        #expect(out["shards"] as? Int == 2)
        #expect(out["trace"] == nil)
        #expect((out["columns"] as? [String])?.contains("topk:ndarray:float16") == true)
        let text = try CommandRunner.run(["traces", "inspect", Self.pythonFixture.path])
        #expect(text.standardOutput.contains("columns: blob:bytes"))
        #expect(text.standardOutput.contains("  id: \"trace-000\""))
        let verify = try CommandRunner.run(["traces", "verify", Self.pythonFixture.path])
        #expect(verify.status == 0, "\(verify.standardError)")
        #expect(verify.standardOutput.hasPrefix("ok: "))
    }

    @Test func verifyFailsNamingTheCorruptShard() throws {
        let dir = try Self.dataset(4)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ok = try CommandRunner.run(["traces", "verify", dir.path])
        #expect(ok.status == 0)
        #expect(ok.standardOutput.contains("4 trace records read"))
        let shard = dir.appendingPathComponent("shard.00001.mds.zstd")
        var bytes = [UInt8](try Data(contentsOf: shard))
        bytes[10] ^= 0xFF
        try Data(bytes).write(to: shard)
        let bad = try CommandRunner.run(["traces", "verify", dir.path])
        #expect(bad.status == 1)
        #expect(bad.standardError.contains("shard.00001.mds.zstd"), "\(bad.standardError)")
        #expect(bad.standardError.contains("sha256"))
    }

    @Test func exportWritesJSONLToAFileOrStdout() throws {
        let dir = try Self.dataset(4)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("sft.jsonl")
        let result = try CommandRunner.run(["traces", "export", dir.path, "--format", "messages", "--out", file.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("4 traces written"))
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)
        let row = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: [[String: String]]]
        #expect(row?["messages"]?.map { $0["role"] } == ["user", "assistant"])
        #expect(row?["messages"]?.last?["content"] == "<think>\n0 × 2 = 0.\n</think>\n\n\\boxed{0}")
        let noThink = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: [[String: String]]]
        #expect(noThink?["messages"]?.last?["content"] == "\\boxed{2}")

        let stdout = try CommandRunner.run(["traces", "export", dir.path, "--format", "prompt-completion", "--only-correct"])
        #expect(stdout.status == 0)
        let rows = stdout.standardOutput.split(separator: "\n")
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0.hasPrefix(#"{"completion":[{"content":"#) && $0.contains(#""prompt":[{"content":"What is"#) })
        #expect(stdout.standardError.contains("1 not verified correct left out"))

        let badFormat = try CommandRunner.run(["traces", "export", dir.path, "--format", "sharegpt"])
        #expect(badFormat.status == 64 && badFormat.standardError.contains("--format"))
        let notTraces = try CommandRunner.run(["traces", "export", Self.pythonFixture.path])
        #expect(notTraces.status == 1 && notTraces.standardError.contains("not a trace dataset"))
    }
}
