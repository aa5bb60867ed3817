import Foundation
import Testing
import Traces

/// `distillery generate` with the real SmolLM2 as a local teacher, run as a user runs it:
/// a complete run, and a run killed with SIGKILL midway and rerun.
@Suite(.serialized)
struct GenerateCommandTests {
    static func promptFile(count: Int) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("prompts-\(UUID().uuidString).txt")
        let topics = ["the sea", "a cat", "rain", "bread", "a clock", "the moon", "snow", "a river", "music", "a garden",
                      "a bridge", "coffee", "a library", "wind", "a train", "salt"]
        let lines = (0..<count).map { "Write one sentence about \(topics[$0 % topics.count]) (\($0))." }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func arguments(prompts: URL, out: URL) -> [String] {
        ["generate", "--teacher", "smollm2-135m-instruct", "--prompts", prompts.path, "--out", out.path,
         "--samples-per-prompt", "2", "--max-tokens", "24", "--temperature", "0.8", "--seed", "7", "--batch", "4",
         "--logprobs", "3", "--shard-size", "12kb", "--threads", "2", "--json"]
    }

    static func traceIDs(_ dir: URL) throws -> [String] {
        var ids: [String] = []
        try MDSDataset(directory: dir).forEachSample { _, sample in
            if case let .string(id)? = sample["id"] { ids.append(id) }
        }
        return ids
    }

    static func temporaryFolder(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    }

    @Test func writesTracesWithTokensAndLogprobs() throws {
        let prompts = try Self.promptFile(count: 5)
        let out = Self.temporaryFolder("generate")
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: prompts) }
        let summary = try CommandRunner.json(Self.arguments(prompts: prompts, out: out))
        #expect(summary["traces_written"] as? Int == 10)
        #expect((summary["failures"] as? [Any])?.isEmpty == true)

        let dataset = try MDSDataset(directory: out)
        #expect(dataset.count == 10)
        var samples = Set<String>()
        try dataset.forEachSample { _, sample in
            let trace = try TraceRecord(mdsSample: sample)
            samples.insert("\(trace.messages.first?.content ?? "")#\(trace.sampleIndex)")
            #expect(trace.tokenIDs.count == trace.completionTokens && trace.completionTokens >= 1 && trace.completionTokens <= 24)
            #expect(trace.tokenLogprobs.count == trace.tokenIDs.count && trace.tokenLogprobs.allSatisfy { $0 <= 0 })
            #expect(trace.topK == 3 && trace.topIDs.count == 3 * trace.tokenIDs.count)
            #expect(["stop", "length"].contains(trace.finishReason))
            #expect(trace.teacher.model == "SmolLM2-135M-Instruct.Q4_1" && trace.teacher.sha256?.count == 64)
            #expect(!trace.completion.isEmpty && trace.answer == trace.completion.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(trace.promptTokens > 10)
        }
        #expect(samples.count == 10, "every prompt has samples 0 and 1")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("samples.journal").path))

        // Rerunning a finished run asks nothing again.
        let again = try CommandRunner.json(Self.arguments(prompts: prompts, out: out))
        #expect(again["traces_written"] as? Int == 0 && again["traces_found_done"] as? Int == 10)
        #expect(try MDSDataset(directory: out).count == 10)
    }

    /// The issue's must-show: a run killed with SIGKILL midway and rerun ends with the same
    /// trace ids as an uninterrupted run, none twice, and every shard verifies.
    @Test func killedRunResumesWithoutLosingOrDuplicatingTraces() throws {
        let prompts = try Self.promptFile(count: 16)
        let whole = Self.temporaryFolder("generate-whole"), killed = Self.temporaryFolder("generate-killed")
        defer {
            for url in [prompts, whole, killed] { try? FileManager.default.removeItem(at: url) }
        }
        _ = try CommandRunner.json(Self.arguments(prompts: prompts, out: whole))
        let expected = try Self.traceIDs(whole)
        #expect(expected.count == 32)

        // Kill once a shard is finished and more samples sit in the journal: both must survive.
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = Self.arguments(prompts: prompts, out: killed)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let journal = killed.appendingPathComponent("samples.journal")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning {
            let hasShard = FileManager.default.fileExists(atPath: killed.appendingPathComponent("index.json").path)
            let journalBytes = (try? FileManager.default.attributesOfItem(atPath: journal.path)[.size] as? Int) ?? 0
            if hasShard && journalBytes > 16 { break }
            usleep(20_000)
        }
        #expect(process.isRunning, "the run ended before it could be killed midway")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let durable = try Self.traceIDs(killed).count
        #expect(durable > 0 && durable < 32)
        // The kill may land just after a shard took the journal's samples; when it does not,
        // the journal's samples must count as done on resume.
        let journaled = ((try? FileManager.default.attributesOfItem(atPath: journal.path)[.size] as? Int) ?? 0) > 16

        let result = try CommandRunner.run(Self.arguments(prompts: prompts, out: killed))
        #expect(result.status == 0, "\(result.standardError)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let found = summary?["traces_found_done"] as? Int ?? 0
        #expect(journaled ? found > durable : found >= durable, "the journal's samples count as done too")
        #expect(found + (summary?["traces_written"] as? Int ?? 0) == 32)
        #expect(result.standardError.contains("resumed: \(found) traces were already done"))

        let resumed = try Self.traceIDs(killed)
        #expect(resumed.count == Set(resumed).count, "no trace twice")
        #expect(Set(resumed) == Set(expected))
        #expect(try MDSDataset(directory: killed).verify() == 32)
        let verify = try CommandRunner.run(["traces", "verify", killed.path])
        #expect(verify.status == 0, "\(verify.standardError)")
    }

    @Test func refusesToMixRunsWithOtherSettings() throws {
        let prompts = try Self.promptFile(count: 1)
        let out = Self.temporaryFolder("generate-mix")
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: prompts) }
        _ = try CommandRunner.json(Self.arguments(prompts: prompts, out: out))
        var changed = Self.arguments(prompts: prompts, out: out)
        changed[changed.firstIndex(of: "0.8")!] = "0.7"
        let result = try CommandRunner.run(changed)
        #expect(result.status != 0)
        #expect(result.standardError.contains("temperature 0.8 → 0.7"))
    }
}
