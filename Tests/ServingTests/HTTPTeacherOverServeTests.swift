import Foundation
import Testing
import Teachers
import Tokenizers

extension ChatCompletionTests {
    /// The point: `generate`'s HTTP teacher against a real server, ours. Greedy, so
    /// the tokens (read from the `id` we add to each logprob entry) must be the engine's own.
    @Test(arguments: [true, false])
    func theHTTPTeacherGetsTheEnginesGreedyTokens(stream: Bool) throws {
        let fixture = try ServingFixture.shared()
        let prompts = ["Name a colour.", "What is 2 + 2?", "Say hello in French."]
        let configuration = HTTPTeacherConfiguration(baseURL: try #require(URL(string: fixture.base + "/v1")),
                                                     model: ServingFixture.modelName, concurrency: 2, stream: stream,
                                                     requestTimeout: 300)
        let teacher = HTTPTeacher(configuration: configuration)
        let results = ConcurrentResults<Result<TeacherCompletion, TeacherFailure>>(count: prompts.count)
        let queue = JobQueue { job, result in results.set(job.promptIndex, result) }
        queue.push(prompts.enumerated().map { index, prompt in
            TeacherJob(promptIndex: index, sampleIndex: 0, attempt: 0, traceID: "serve\(index)",
                       messages: [ChatMessage(role: "user", content: prompt)], maxTokens: 16, temperature: 0,
                       topP: 1, seed: 0, topLogprobs: 2)
        })
        try teacher.run(queue)

        let completions = try results.values.map { try $0.get() }
        try #require(completions.count == prompts.count)
        for (prompt, completion) in zip(prompts, completions) {
            let expected = try fixture.greedy([ChatMessage(role: "user", content: prompt)], maxTokens: 16)
            #expect(completion.tokens.map(\.id) == expected.tokens.map { Optional($0) }, "\(prompt)")
            #expect(completion.content == fixture.reference.tokenizer.decode(expected.tokens))
            #expect(completion.finishReason == expected.finishReason.rawValue)
            #expect(completion.promptTokens == expected.promptTokenCount)
            #expect(completion.completionTokens == expected.tokens.count)
            #expect(completion.tokens.allSatisfy { $0.alternatives.count == 2 && $0.alternatives.first?.id == $0.id })
            #expect((completion.firstTokenSeconds != nil) == stream)
        }
    }
}
