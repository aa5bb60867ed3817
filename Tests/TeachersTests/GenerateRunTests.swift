import Foundation
import Testing
import ModelLoading
import Teachers
import Tokenizers
import Traces

/// GenerateRun with the real SmolLM2 as a local teacher, in process: rejection sampling,
/// a prompt the teacher cannot take, and what a rerun asks again.
@Suite(.serialized)
struct GenerateRunTests {
    static func teacher(capacity: Int) throws -> LocalTeacher {
        let model = try LoadedModel.load("smollm2-135m-instruct", threads: 2)
        return LocalTeacher(model: model, template: try model.chatTemplate(), identity: TeacherIdentity(model: "smollm2"),
                            slots: 4, capacity: capacity)
    }

    static func prompt(_ index: Int, _ text: String, answer: String?) -> PromptRecord {
        PromptRecord(index: index, lineNumber: index + 1, id: "q\(index)", messages: [ChatMessage(role: "user", content: text)],
                     referenceAnswer: answer)
    }

    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("generate-run-\(UUID().uuidString)")
    }

    static func traces(_ dir: URL) throws -> [TraceRecord] {
        var records: [TraceRecord] = []
        try MDSDataset(directory: dir).forEachSample { _, s in records.append(try TraceRecord(mdsSample: s)) }
        return records
    }

    @Test func rejectionSamplingKeepsOnlyVerifiedTracesAndCountsEveryAttempt() throws {
        let out = Self.folder()
        defer { try? FileManager.default.removeItem(at: out) }
        let prompts = [
            Self.prompt(0, "What is 2 + 2? Reply with just the number.", answer: "4"),
            Self.prompt(1, "What is 10 + 5? Reply with just the number.", answer: "15"),
            Self.prompt(2, "How many legs does a cat have? Reply with just the number.", answer: "4"),
        ]
        var settings = GenerateSettings()
        settings.samplesPerPrompt = 2
        settings.maxTokens = 12
        settings.temperature = 1.2
        settings.topP = 1
        settings.seed = 3
        settings.verify = "numeric"
        settings.keepOnlyCorrect = true
        settings.maxAttempts = 3
        let summary = try GenerateRun(prompts: prompts, teacher: try Self.teacher(capacity: 96), settings: settings, output: out).run()

        let kept = try Self.traces(out)
        #expect(kept.count == summary.tracesWritten)
        #expect(summary.tracesWritten + summary.samplesWithoutCorrectAnswer == 6)
        #expect(kept.allSatisfy { $0.verification?.correct == true && $0.verification?.method == "numeric" && $0.attempt < 3 })
        // Each kept trace took attempt+1 tries; each sample given up took all three.
        #expect(summary.attempts == kept.reduce(0) { $0 + $1.attempt + 1 } + 3 * summary.samplesWithoutCorrectAnswer)
        #expect(summary.verifiedCorrect == kept.count)
        #expect(summary.verifiedIncorrect == summary.attempts - kept.count)
        // Different attempts sample with different seeds.
        #expect(Set(kept.map(\.sampling.seed)).count == kept.count)

        // A rerun asks nothing again: kept traces and given-up samples are both settled.
        let again = try GenerateRun(prompts: prompts, teacher: try Self.teacher(capacity: 96), settings: settings, output: out).run()
        #expect(again.attempts == 0 && again.tracesFoundDone == summary.tracesWritten)
    }

    @Test func aPromptTheTeacherCannotTakeFailsAloneAndIsAskedAgainByARerun() throws {
        let out = Self.folder()
        defer { try? FileManager.default.removeItem(at: out) }
        let long = String(repeating: "Tell me about the history of bread. ", count: 40)
        let prompts = [Self.prompt(0, "Name a color.", answer: nil), Self.prompt(1, long, answer: nil),
                       Self.prompt(2, "Name a fruit.", answer: nil)]
        var settings = GenerateSettings()
        settings.maxTokens = 8
        let summary = try GenerateRun(prompts: prompts, teacher: try Self.teacher(capacity: 64), settings: settings, output: out).run()
        #expect(summary.tracesWritten == 2)
        #expect(summary.failures.count == 1)
        #expect(summary.failures.first?.line == 2 && summary.failures.first?.promptID == "q1")
        #expect(summary.failures.first?.message.contains("context") == true, "\(summary.failures)")
        #expect(try Self.traces(out).map(\.promptID).sorted() == ["q0", "q2"])

        let again = try GenerateRun(prompts: prompts, teacher: try Self.teacher(capacity: 64), settings: settings, output: out).run()
        #expect(again.attempts == 1 && again.failures.count == 1 && again.tracesFoundDone == 2)
    }

    @Test func refusesKeepCorrectWithoutAVerifier() throws {
        var settings = GenerateSettings()
        settings.keepOnlyCorrect = true
        #expect(throws: GenerateError.self) {
            _ = try GenerateRun(prompts: [], teacher: try Self.teacher(capacity: 16), settings: settings, output: Self.folder())
        }
    }
}
