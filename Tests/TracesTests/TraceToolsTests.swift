import Foundation
import Testing
@testable import Traces

/// A trace as a run writes it; `i` varies the teacher, verification and reasoning.
func makeTrace(_ i: Int) -> TraceRecord {
    let verification: TraceVerification? = i % 3 == 2 ? nil : TraceVerification(method: "boxed", correct: i % 3 == 0, extracted: "\(i)")
    return TraceRecord(
        id: String(format: "%064x", i), promptID: "p\(i / 2)", sampleIndex: i % 2, attempt: 0,
        messages: [TraceMessage(role: "system", content: "Reason step by step."), TraceMessage(role: "user", content: "What is \(i) + \(i)? \"Box\" it / please.")],
        reasoning: i % 4 == 3 ? "" : "\n\(i) + \(i) is \(2 * i).\nDouble-check: \(2 * i) − \(i) = \(i) ✓\n",
        answer: "\n\nThe answer is $\\boxed{\(2 * i)}$.", completion: "…", referenceAnswer: "\(2 * i)",
        verification: verification, teacher: TraceTeacher(model: i % 2 == 0 ? "qwen3-8b" : "r1-distill", endpoint: "http://localhost:8080/v1"),
        sampling: TraceSampling(temperature: 0.6, topP: 0.95, maxTokens: 256, seed: UInt64(i), topLogprobs: 2),
        finishReason: i == 5 ? "length" : "stop", promptTokens: 20 + i, completionTokens: 100 + i,
        timings: TraceTimings(firstTokenSeconds: nil, totalSeconds: 1),
        tokenIDs: (0..<(i + 1)).map { Int32($0) }, tokenLogprobs: (0..<(i + 1)).map { -Float($0) },
        topK: 2, topIDs: (0..<(2 * i + 2)).map { Int32($0) }, topLogprobs: (0..<(2 * i + 2)).map { -Float($0) },
        metadata: #"{"source":"test"}"#)
}

func writeTraces(_ count: Int, to dir: URL, level: Int? = 3, sizeLimit: Int = 4000) throws {
    let writer = try MDSShardWriter(directory: dir, columns: TraceRecord.columns, sizeLimit: sizeLimit, compressionLevel: level)
    for i in 0..<count { try writer.write(try makeTrace(i).mdsSample) }
    try writer.finish()
}

func fileSizes(_ dir: URL, suffix: String) throws -> Int {
    try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(suffix) }.reduce(0) {
        $0 + ((try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent($1).path)[.size] as? Int) ?? 0)
    }
}

@Suite struct TraceToolsTests {
    @Test func summaryOfATraceDataset() throws {
        let dir = try temporaryDirectory("summary")
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeTraces(12, to: dir)
        let s = try DatasetSummary(dataset: try MDSDataset(directory: dir))
        #expect(s.samples == 12)
        #expect(s.shards > 1)
        #expect(s.shards == (try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".mds.zstd") }.count))
        #expect(s.compressedBytes == (try fileSizes(dir, suffix: ".mds.zstd")))
        // Raw sizes checked against the decompressed bytes, not the index that recorded them.
        var raw = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".zstd") {
            raw += try Zstd.decompress([UInt8](Data(contentsOf: dir.appendingPathComponent(name))), file: name).count
        }
        #expect(s.rawBytes == raw)
        #expect(s.compressions == ["zstd"])
        let t = try #require(s.trace)
        #expect(t.completionTokens == (0..<12).reduce(0) { $0 + 100 + $1 })
        #expect(t.promptTokens == (0..<12).reduce(0) { $0 + 20 + $1 })
        #expect(t.storedTokenIDs == (0..<12).reduce(0) { $0 + $1 + 1 })
        #expect(t.teachers == ["qwen3-8b": 6, "r1-distill": 6])
        #expect(t.correct == 4 && t.incorrect == 4 && t.unverified == 4)
        #expect(t.finishReasons == ["stop": 11, "length": 1])
        #expect(t.withReasoning == 9)
        #expect(s.firstSample["prompt_id"] == "\"p0\"")
        #expect(s.firstSample["token_ids"] == "4 bytes")
    }

    /// streaming.MDSWriter's fixture: any MDS dataset is summarised, whatever its columns.
    @Test func summaryOfThePythonFixture() throws {
        let dir = try fixtureURL("python_zstd")
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: try fixtureURL("python_zstd.expected.json"))) as? [Any]
        let s = try DatasetSummary(dataset: try MDSDataset(directory: dir))
        #expect(s.samples == expected?.count)
        #expect(s.shards == 2)
        #expect(s.compressedBytes == (try fileSizes(dir, suffix: ".mds.zstd")))
        #expect(s.trace == nil)
        #expect(s.columns.contains("grid:ndarray:int16:2,3"))
        #expect(s.firstSample["id"] == "\"trace-000\"")
        #expect(s.firstSample["grid"] == "int16[2,3]")
        #expect(s.firstSample["topk"] == "float16[1,3]")
        #expect(Set(s.firstSample.keys) == Set(fixtureColumns.map(\.name)))
        let check = try DatasetCheck(directory: dir)
        #expect(check.samples == expected?.count && check.traceRecords == nil && check.hashedFiles == 4)
    }

    /// streaming.MDSWriter wrote Fixtures/python_traces in the trace schema, and Python computed
    /// the summary and the export lines (scripts/fixtures/make_trace_fixture.py).
    @Test func pythonWrittenTracesMatchPythonsSummaryAndExport() throws {
        let dir = try fixtureURL("python_traces")
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: try fixtureURL("python_traces.expected.json"))) as? [String: Any])
        let ds = try MDSDataset(directory: dir)
        let s = try DatasetSummary(dataset: ds)
        let t = try #require(s.trace)
        #expect(s.samples == expected["samples"] as? Int)
        #expect(t.promptTokens == expected["prompt_tokens"] as? Int)
        #expect(t.completionTokens == expected["completion_tokens"] as? Int)
        #expect(t.storedTokenIDs == expected["stored_token_ids"] as? Int)
        #expect(t.teachers == expected["teachers"] as? [String: Int])
        #expect(t.finishReasons == expected["finish_reasons"] as? [String: Int])
        #expect(t.correct == expected["correct"] as? Int && t.incorrect == expected["incorrect"] as? Int)
        #expect(t.unverified == expected["unverified"] as? Int && t.withReasoning == expected["with_reasoning"] as? Int)
        for (format, key) in [(TraceExportFormat.messages, "messages"), (.promptCompletion, "prompt_completion")] {
            var lines: [String] = []
            try TraceExport.export(ds, format: format, onlyCorrect: false) { lines.append(String($0.dropLast())) }
            #expect(lines == expected[key] as? [String])
        }
        let check = try DatasetCheck(directory: dir)
        #expect(check.traceRecords == 7 && check.shards == 4)
        // The top-k padding Python wrote (-1 / -inf) reads back as such.
        var first: TraceRecord?
        try TraceDatasetReader.forEachRecord(in: ds) { i, r in if i == 0 { first = r } }
        #expect(first?.topIDs.prefix(4) == [0, -1, 2, -1])
        #expect(first?.topLogprobs[1] == -.infinity)
    }

    @Test(arguments: [3, nil] as [Int?]) func checkNamesTheCorruptShard(level: Int?) throws {
        let dir = try temporaryDirectory("check")
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeTraces(12, to: dir, level: level)
        let check = try DatasetCheck(directory: dir)
        #expect(check.samples == 12 && check.traceRecords == 12 && check.unhashedFiles.isEmpty)
        let name = "shard.00001.mds" + (level == nil ? "" : ".zstd")
        let shard = dir.appendingPathComponent(name)
        var bytes = [UInt8](try Data(contentsOf: shard))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: shard)
        let error = #expect(throws: TracesError.self) { try DatasetCheck(directory: dir) }
        guard case let .hashMismatch(file, _, _, _)? = error else {
            Issue.record("expected a hash mismatch, got \(String(describing: error))")
            return
        }
        #expect(file == name)
        #expect(error?.description.contains("corrupt") == true)
    }

    @Test func exportLinesInBothFormats() throws {
        let record = makeTrace(0)
        let think = "<think>\n0 + 0 is 0.\nDouble-check: 0 − 0 = 0 ✓\n</think>\n\nThe answer is $\\boxed{0}$."
        #expect(TraceExport.assistantContent(record) == think)
        let messages = try TraceExport.line(record, format: .messages)
        let prompt = #"[{"content":"Reason step by step.","role":"system"},{"content":"What is 0 + 0? \"Box\" it / please.","role":"user"}"#
        let assistant = #"{"content":"<think>\n0 + 0 is 0.\nDouble-check: 0 − 0 = 0 ✓\n</think>\n\nThe answer is $\\boxed{0}$.","role":"assistant"}"#
        #expect(messages == #"{"messages":"# + prompt + "," + assistant + "]}")
        let pc = try TraceExport.line(record, format: .promptCompletion)
        #expect(pc == #"{"completion":["# + assistant + #"],"prompt":"# + prompt + "]}")
        // Empty reasoning: no think block at all.
        #expect(TraceExport.assistantContent(makeTrace(3)) == "The answer is $\\boxed{6}$.")
    }

    @Test func exportStreamsEveryTraceOrOnlyCorrectOnes() throws {
        let dir = try temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeTraces(12, to: dir)
        let ds = try MDSDataset(directory: dir)
        var lines: [String] = []
        let all = try TraceExport.export(ds, format: .messages, onlyCorrect: false) { lines.append($0) }
        #expect(all == TraceExport.Counts(written: 12, skipped: 0))
        #expect(lines.allSatisfy { $0.hasSuffix("}\n") && !$0.dropLast().contains("\n") })
        lines = []
        let correct = try TraceExport.export(ds, format: .promptCompletion, onlyCorrect: true) { lines.append($0) }
        #expect(correct == TraceExport.Counts(written: 4, skipped: 8))
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect((first?["prompt"] as? [[String: String]])?.last?["content"] == "What is 0 + 0? \"Box\" it / please.")
        #expect((first?["completion"] as? [[String: String]])?.first?["role"] == "assistant")
    }

    @Test func exportRefusesANonTraceDataset() throws {
        let error = #expect(throws: TracesError.self) {
            try TraceExport.export(try MDSDataset(directory: try fixtureURL("python_zstd")), format: .messages, onlyCorrect: false) { _ in }
        }
        #expect(error?.description.contains("not a trace dataset") == true)
    }
}
