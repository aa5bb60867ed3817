import Foundation
import Testing
import Tokenizers
@testable import Teachers

/// HTTPTeacher against a real endpoint, when one is named:
/// `DISTILLERY_TEACHER_URL=http://127.0.0.1:8080/v1 DISTILLERY_TEACHER_MODEL=NAME
/// [DISTILLERY_TEACHER_KEY_ENV=VAR] swift test --filter LiveEndpointTests`. Skipped otherwise, so
/// the suite needs no network; run it against `distillery serve`, llama-server or vLLM.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["DISTILLERY_TEACHER_URL"] != nil))
struct LiveEndpointTests {
    static var configuration: HTTPTeacherConfiguration? {
        let env = ProcessInfo.processInfo.environment
        guard let text = env["DISTILLERY_TEACHER_URL"], let url = URL(string: text) else { return nil }
        return HTTPTeacherConfiguration(baseURL: url, model: env["DISTILLERY_TEACHER_MODEL"] ?? "teacher",
                                        apiKey: env["DISTILLERY_TEACHER_KEY_ENV"].flatMap { env[$0] },
                                        concurrency: 2, requestTimeout: 120)
    }

    @Test(arguments: [true, false])
    func answersEveryPromptWithTokensAndAlternatives(stream: Bool) throws {
        var configuration = try #require(Self.configuration)
        configuration.stream = stream
        let teacher = HTTPTeacher(configuration: configuration)
        let prompts = ["Say hello.", "What is 2+2?", "Name a colour.", "Count to three."]
        let reports = HTTPTeacherTests.Reports()
        let queue = JobQueue(onResult: reports.add)
        queue.push(prompts.enumerated().map { index, prompt in
            TeacherJob(promptIndex: index, sampleIndex: 0, attempt: 0, traceID: "live\(index)",
                       messages: [ChatMessage(role: "user", content: prompt)], maxTokens: 8, temperature: 0.7,
                       topP: 0.95, seed: UInt64(index), topLogprobs: 2)
        })
        try teacher.run(queue)

        #expect(reports.all.count == prompts.count)
        for prompt in prompts {
            let completion = try #require(reports.completion(prompt), "\(String(describing: reports.result(prompt)))")
            #expect(!completion.content.isEmpty || completion.reasoningContent?.isEmpty == false)
            #expect(!completion.tokens.isEmpty && completion.completionTokens == completion.tokens.count)
            #expect(completion.tokens.allSatisfy { $0.logprob != nil && $0.alternatives.count == 2 }, "\(completion.tokens)")
            #expect((completion.firstTokenSeconds != nil) == stream)
        }
        #expect(teacher.summary.failures == 0 && teacher.summary.requests == prompts.count)
        print(teacher.summary.lines(pricing: TokenPricing(inputPerMillion: 0.27, outputPerMillion: 1.10)).joined(separator: "\n"))
    }
}
