import Foundation
import Testing
import Traces

/// The HTTP teacher against a real OpenAI-compatible server: `distillery serve` on loopback,
/// both run as a user runs them.
@Suite(.serialized)
struct HTTPTeacherServeTests {
    /// Starts `distillery serve` on a free port and returns it with its base URL.
    static func startServer() throws -> (Process, String) {
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = ["serve", "smollm2-135m-instruct", "--port", "0", "--slots", "4", "--threads", "2"]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let chunk = stderr.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: "listening on ") {
                let url = seen[range.upperBound...].prefix { !$0.isWhitespace }
                return (process, url + "/v1")
            }
        }
        process.terminate()
        throw CommandFailure(message: "serve did not say where it listens: \(seen)")
    }

    static func arguments(teacher: [String], prompts: URL, out: URL, extra: [String] = []) -> [String] {
        ["generate"] + teacher + ["--prompts", prompts.path, "--out", out.path, "--samples-per-prompt", "1",
                                  "--max-tokens", "20", "--temperature", "0", "--logprobs", "3", "--json"] + extra
    }

    static func traces(_ dir: URL) throws -> [String: TraceRecord] {
        var byPrompt: [String: TraceRecord] = [:]
        try MDSDataset(directory: dir).forEachSample { _, s in
            let trace = try TraceRecord(mdsSample: s)
            byPrompt[trace.messages.last?.content ?? ""] = trace
        }
        return byPrompt
    }

    @Test func endpointTracesEqualTheLocalTeachersOnTheSameModel() throws {
        let prompts = try GenerateCommandTests.promptFile(count: 6)
        let local = GenerateCommandTests.temporaryFolder("local"), remote = GenerateCommandTests.temporaryFolder("remote"),
            wide = GenerateCommandTests.temporaryFolder("remote-wide")
        defer { for url in [prompts, local, remote, wide] { try? FileManager.default.removeItem(at: url) } }
        let (server, base) = try Self.startServer()
        defer { server.terminate(); server.waitUntilExit() }

        // One sequence at a time on both sides: the same arithmetic, so greedy tokens agree exactly.
        _ = try CommandRunner.json(Self.arguments(teacher: ["--teacher", "smollm2-135m-instruct", "--batch", "1", "--threads", "2"],
                                                  prompts: prompts, out: local))
        let summary = try CommandRunner.json(Self.arguments(
            teacher: ["--teacher", base, "--teacher-model", "smollm2-135m-instruct", "--concurrency", "1"], prompts: prompts, out: remote))
        #expect(summary["traces_written"] as? Int == 6)
        let ours = try Self.traces(local), theirs = try Self.traces(remote)
        #expect(Set(ours.keys) == Set(theirs.keys) && ours.count == 6)
        for (prompt, expected) in ours {
            let got = try #require(theirs[prompt])
            #expect(got.tokenIDs == expected.tokenIDs, "\(prompt)")
            #expect(got.completion == expected.completion)
            #expect(got.finishReason == expected.finishReason)
            #expect(got.topK == 3 && got.topIDs == expected.topIDs)
            #expect(zip(got.tokenLogprobs, expected.tokenLogprobs).allSatisfy { abs($0 - $1) < 1e-3 })
            #expect(got.teacher.endpoint == base && got.teacher.model == "smollm2-135m-instruct")
        }

        // Four requests in flight: every prompt still ends with a trace.
        let concurrent = try CommandRunner.json(Self.arguments(
            teacher: ["--teacher", base, "--teacher-model", "smollm2-135m-instruct", "--concurrency", "4"], prompts: prompts, out: wide))
        #expect(concurrent["traces_written"] as? Int == 6 && (concurrent["failures"] as? [Any])?.isEmpty == true)
        #expect(try Self.traces(wide).values.allSatisfy { $0.tokenIDs.count == $0.completionTokens && !$0.tokenIDs.isEmpty })
    }
}
