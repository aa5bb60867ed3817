import Foundation
import Testing
import Tokenizers
@testable import Teachers

/// HTTPTeacher against `FaultInjectingServer`: every job must end in a completion or a
/// failure that says why, with the retries the policy promises.
@Suite(.serialized) struct HTTPTeacherTests {
    static let key = "sk-test-0123456789abcdef"

    /// What the queue reported, in order.
    final class Reports: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [(TeacherJob, Result<TeacherCompletion, TeacherFailure>)] = []
        func add(_ job: TeacherJob, _ result: Result<TeacherCompletion, TeacherFailure>) {
            lock.lock()
            items.append((job, result))
            lock.unlock()
        }
        var all: [(TeacherJob, Result<TeacherCompletion, TeacherFailure>)] {
            lock.lock()
            defer { lock.unlock() }
            return items
        }
        func result(_ prompt: String) -> Result<TeacherCompletion, TeacherFailure>? {
            all.first { $0.0.messages.last?.content == prompt }?.1
        }
        func completion(_ prompt: String) -> TeacherCompletion? { try? result(prompt)?.get() }
        func failure(_ prompt: String) -> TeacherFailure? {
            if case .failure(let failure)? = result(prompt) { return failure }
            return nil
        }
    }

    static func job(_ prompt: String, index: Int = 0, topLogprobs: Int = 0) -> TeacherJob {
        TeacherJob(promptIndex: index, sampleIndex: 0, attempt: 0, traceID: "t\(index)",
                   messages: [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: prompt)],
                   maxTokens: 64, temperature: 0.6, topP: 0.95, seed: 0xFFFF_FFFF_0000_0007, topLogprobs: topLogprobs)
    }

    static func configuration(_ server: FaultInjectingServer, stream: Bool = true, concurrency: Int = 1,
                              timeout: Double = 5, maxRetries: Int = 3) -> HTTPTeacherConfiguration {
        HTTPTeacherConfiguration(baseURL: server.baseURL, model: "teacher", apiKey: key, concurrency: concurrency,
                                 stream: stream, requestTimeout: timeout,
                                 retryPolicy: RetryPolicy(maxRetries: maxRetries, baseDelay: 0.02, maxDelay: 3),
                                 pricing: TokenPricing(inputPerMillion: 0.27, outputPerMillion: 1.10))
    }

    static func run(_ teacher: HTTPTeacher, _ jobs: [TeacherJob]) throws -> (Reports, JobQueue) {
        let reports = Reports()
        let queue = JobQueue(onResult: reports.add)
        queue.push(jobs)
        try teacher.run(queue)
        return (reports, queue)
    }

    @Test func streamsReasoningContentLogprobsAndUsage() throws {
        let events = [
            chunkJSON(delta: ["role": "assistant", "content": "", "reasoning_content": "6×7"]),
            chunkJSON(delta: ["reasoning_content": " is 42."]),
            chunkJSON(delta: ["content": "42"], logprobs: [
                ["token": "42", "logprob": -0.1, "id": 2983,
                 // Unordered and one too many, as llama-cpp-python sends them: kept best first, K of them.
                 "top_logprobs": [["token": "4", "logprob": -2.5, "id": 19], ["token": "42", "logprob": -0.1, "id": 2983],
                                  ["token": "7", "logprob": -3.0, "id": 22]]],
            ]),
            chunkJSON(delta: ["content": "."], finishReason: "stop", logprobs: [
                ["token": "token_id:13", "logprob": -0.5, "top_logprobs": [["token": "token_id:13", "logprob": -0.5]]],
            ]),
            #"{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}"#,
            "[DONE]",
        ]
        let server = try FaultInjectingServer(script: ["6×7?": [.stream(events)]])
        defer { server.stop() }
        let teacher = HTTPTeacher(configuration: Self.configuration(server))
        let (reports, _) = try Self.run(teacher, [Self.job("6×7?", topLogprobs: 2)])

        let completion = try #require(reports.completion("6×7?"))
        #expect(completion.content == "42.")
        #expect(completion.reasoningContent == "6×7 is 42.")
        #expect(completion.finishReason == "stop")
        #expect(completion.promptTokens == 12 && completion.completionTokens == 2)
        #expect(completion.tokens == [
            TeacherToken(id: 2983, text: "42", logprob: -0.1, alternatives: [
                TokenAlternative(id: 2983, text: "42", logprob: -0.1), TokenAlternative(id: 19, text: "4", logprob: -2.5)]),
            TeacherToken(id: 13, text: "token_id:13", logprob: -0.5, alternatives: [
                TokenAlternative(id: 13, text: "token_id:13", logprob: -0.5)]),
        ])
        let first = try #require(completion.firstTokenSeconds)
        #expect(first >= 0 && first <= completion.totalSeconds)

        let request = try #require(server.requests.first)
        #expect(request.headers["authorization"] == "Bearer \(Self.key)")
        #expect(request.body["model"] as? String == "teacher")
        #expect(request.body["stream"] as? Bool == true)
        #expect((request.body["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
        #expect(request.body["logprobs"] as? Bool == true && request.body["top_logprobs"] as? Int == 2)
        #expect(request.body["max_tokens"] as? Int == 64)
        #expect(request.body["temperature"] as? Double == 0.6 && request.body["top_p"] as? Double == 0.95)
        #expect(request.body["seed"] as? Int == 7)
        #expect((request.body["messages"] as? [[String: Any]])?.count == 2)

        let summary = teacher.summary
        #expect(summary.requests == 1 && summary.completions == 1 && summary.retries == 0)
        #expect(summary.promptTokens == 12 && summary.completionTokens == 2)
        #expect(abs(summary.estimatedCost(TokenPricing(inputPerMillion: 1e6, outputPerMillion: 2e6)) - 16) < 1e-9)
    }

    @Test func readsAWholeReplyWithoutUsageCountingTokensFromLogprobs() throws {
        // DeepSeek keeps a slow non-streamed request alive by sending blank lines before the JSON.
        let body = "\n\n" + #"{"choices":[{"index":0,"finish_reason":"length","message":{"role":"assistant","content":"Hi","reasoning":"greet"},"#
            + #""logprobs":{"content":[{"token":"H","logprob":-1.0},{"token":"i","logprob":-0.5}]}}]}"#
        let server = try FaultInjectingServer(script: ["hello": [.json(status: 200, body: body)]])
        defer { server.stop() }
        let teacher = HTTPTeacher(configuration: Self.configuration(server, stream: false))
        let (reports, _) = try Self.run(teacher, [Self.job("hello")])

        let completion = try #require(reports.completion("hello"))
        #expect(completion.content == "Hi" && completion.reasoningContent == "greet" && completion.finishReason == "length")
        #expect(completion.tokens.map(\.text) == ["H", "i"] && completion.tokens.allSatisfy { $0.id == nil })
        #expect(completion.completionTokens == 2 && completion.promptTokens == 0)
        #expect(server.requests.first?.body["stream"] as? Bool == false)
        #expect(server.requests.first?.body["stream_options"] == nil)
        #expect(teacher.summary.completionsCountedFromLogprobs == 1)
        #expect(teacher.summary.lines(pricing: nil).contains { $0.contains("no usage") })
    }

    /// The issue's fault list, four requests in flight: every prompt ends with a completion or
    /// a failure saying why, and only the retryable faults are retried.
    @Test func everyPromptEndsInACompletionOrAClearFailureUnderFaults() throws {
        let ok = { (text: String) in FaultInjectingServer.Reply.stream([
            chunkJSON(delta: ["content": text], finishReason: "stop"), "[DONE]"]) }
        let error500 = FaultInjectingServer.Reply.json(status: 500, body: #"{"error":{"message":"engine crashed"}}"#)
        let server = try FaultInjectingServer(script: [
            "rate limited": [.json(status: 429, headers: ["Retry-After": "1"],
                                   body: #"{"error":{"message":"Rate limit reached","type":"rate_limit_error"}}"#), ok("a")],
            "server error": [error500, ok("b")],
            "hang": [.hang, ok("c")],
            "dropped": [.stream([chunkJSON(delta: ["content": "half"])], end: .drop), ok("d")],
            "stalled": [.stream([chunkJSON(delta: ["content": "half"])], end: .hang), ok("g")],
            "ended early": [.stream([chunkJSON(delta: ["content": "half"])]), ok("h")],
            "stream error": [.stream([chunkJSON(delta: ["content": "half"]), #"{"error":{"message":"CUDA out of memory"}}"#]), ok("i")],
            "malformed": [.json(status: 200, body: #"{"choices":[{"message":{"content":"trunc"#), ok("e")],
            "bad request": [.json(status: 400, body: #"{"error":{"message":"max_tokens is too large"}}"#)],
            "always 500": Array(repeating: error500, count: 4),
            "plain": [ok("f")],
        ])
        defer { server.stop() }
        let prompts = ["rate limited", "server error", "hang", "dropped", "stalled", "ended early", "stream error",
                       "malformed", "bad request", "always 500", "plain"]
        let teacher = HTTPTeacher(configuration: Self.configuration(server, concurrency: 4, timeout: 1, maxRetries: 3))
        let started = Date()
        let (reports, _) = try Self.run(teacher, prompts.enumerated().map { Self.job($1, index: $0) })

        #expect(reports.all.count == prompts.count)
        #expect(Set(reports.all.map(\.0.promptIndex)) == Set(0..<prompts.count))
        let recovered = ["rate limited": "a", "server error": "b", "hang": "c", "dropped": "d", "malformed": "e",
                         "stalled": "g", "ended early": "h", "stream error": "i", "plain": "f"]
        for (prompt, text) in recovered {
            #expect(reports.completion(prompt)?.content == text, "\(prompt): \(String(describing: reports.result(prompt)))")
            #expect(server.requests(for: prompt).count == (prompt == "plain" ? 1 : 2), "\(prompt)")
        }
        let badRequest = try #require(reports.failure("bad request"))
        #expect(badRequest.message.contains("HTTP 400") && badRequest.message.contains("max_tokens is too large"))
        #expect(badRequest.requests == 1 && server.requests(for: "bad request").count == 1)
        let always500 = try #require(reports.failure("always 500"))
        #expect(always500.message.contains("HTTP 500") && always500.message.contains("engine crashed")
                && always500.message.contains("after 4 requests"))
        #expect(always500.requests == 4)

        // Retry-After: 1 is honoured exactly, not replaced by the 20 ms backoff.
        let limited = server.requests(for: "rate limited")
        #expect(limited[1].received.timeIntervalSince(limited[0].received) >= 0.95)
        #expect(Date().timeIntervalSince(started) < 10)

        let summary = teacher.summary
        #expect(summary.requests == server.requests.count && summary.requests == 22)
        #expect(summary.completions == 9 && summary.failures == 2)
        #expect(summary.retriesByReason == ["HTTP 429": 1, "HTTP 500": 4, "timeout": 2, "dropped stream": 2,
                                           "error in stream": 1, "malformed JSON": 1])
        #expect(summary.failuresByReason == ["HTTP 400": 1, "HTTP 500": 1])
        for (_, result) in reports.all {
            if case .failure(let failure) = result { #expect(!failure.message.contains(Self.key)) }
        }
        #expect(server.requests.allSatisfy { $0.headers["authorization"] == "Bearer \(Self.key)" })
    }

    /// The timeout is for silence, not length: a stream that keeps talking for longer than
    /// it is not cut, and one that stops talking is.
    @Test func theRequestTimeoutCutsSilenceNotLongStreams() throws {
        let pieces = (0..<6).map { chunkJSON(delta: ["content": "\($0)"], finishReason: $0 == 5 ? "stop" : nil) }
        // Gaps of 0.5 s under a 2 s timeout: a margin a loaded CI machine keeps (0.2 s under
        // 0.5 s timed out while the model tests ran beside it).
        let server = try FaultInjectingServer(script: ["slow": [.stream(pieces + ["[DONE]"], interval: 0.5)]])
        defer { server.stop() }
        let teacher = HTTPTeacher(configuration: Self.configuration(server, timeout: 2))
        let (reports, _) = try Self.run(teacher, [Self.job("slow")])
        let completion = try #require(reports.completion("slow"))
        #expect(completion.content == "012345" && completion.totalSeconds > 2, "\(completion) \(teacher.summary)")
        #expect(teacher.summary.requests == 1 && teacher.summary.retries == 0)
    }

    /// `concurrency` requests really are in flight together, and never more.
    @Test func keepsConcurrencyRequestsInFlight() throws {
        let server = try FaultInjectingServer(script: [:], fallback: {
            .after(seconds: 0.3, .json(status: 200, body: completionJSON(content: "echo: \($0.prompt)")))
        })
        defer { server.stop() }
        let teacher = HTTPTeacher(configuration: Self.configuration(server, stream: false, concurrency: 4))
        let started = Date()
        let (reports, _) = try Self.run(teacher, (0..<8).map { Self.job("q\($0)", index: $0) })
        let elapsed = Date().timeIntervalSince(started)
        #expect(reports.all.count == 8)
        #expect((0..<8).allSatisfy { reports.completion("q\($0)")?.content == "echo: q\($0)" })
        #expect(server.peakConcurrency == 4)
        #expect(elapsed >= 0.6 && elapsed < 2.0, "8 replies of 0.3 s, 4 at a time (one at a time takes 2.4 s): \(elapsed) s")
        #expect(teacher.summary.promptTokens == 80 && teacher.summary.completionTokens == 40)
    }

    /// A refused key stops the run: the job that met it fails, nothing more is taken, and
    /// the untaken jobs stay in the queue for a resumed run.
    @Test func aRefusedKeyStopsTheRunWithoutLosingJobs() throws {
        let server = try FaultInjectingServer(script: [:], fallback: { _ in
            .json(status: 401, body: #"{"error":{"message":"Authentication Fails, Your api key: \#(HTTPTeacherTests.key) is invalid"}}"#)
        })
        defer { server.stop() }
        let teacher = HTTPTeacher(configuration: Self.configuration(server))
        let reports = Reports()
        let queue = JobQueue(onResult: reports.add)
        queue.push((0..<3).map { Self.job("p\($0)", index: $0) })
        let error = #expect(throws: HTTPTeacherError.self) { try teacher.run(queue) }
        let text = "\(String(describing: error))"
        #expect(text.contains("401") && text.contains("--api-key-env") && !text.contains(Self.key))
        #expect(server.requests.count == 1 && reports.all.count == 1 && queue.pendingCount == 2)
        let failure = try #require(reports.failure("p0"))
        #expect(failure.message.contains("[api key] is invalid") && !failure.message.contains(Self.key))
    }

    /// Some servers quote the request back in their error; the key must not reach the summary.
    @Test func scrubsTheKeyFromServerErrors() throws {
        let server = try FaultInjectingServer(script: [:], fallback: { _ in
            .json(status: 422, body: #"{"error":{"message":"bad header: Bearer \#(HTTPTeacherTests.key)"}}"#)
        })
        defer { server.stop() }
        let teacher = HTTPTeacher(configuration: Self.configuration(server))
        let (reports, _) = try Self.run(teacher, [Self.job("echo")])
        let failure = try #require(reports.failure("echo"))
        #expect(failure.message.contains("HTTP 422") && failure.message.contains("Bearer [api key]"))
        #expect(!failure.message.contains(Self.key) && failure.requests == 1)
    }

    /// Closing the queue (an interrupt) cuts a long backoff short: the job is reported with
    /// its last error instead of waiting out the server's Retry-After.
    @Test func closingTheQueueStopsRetrying() throws {
        let server = try FaultInjectingServer(script: [:], fallback: { _ in
            .json(status: 503, headers: ["Retry-After": "30"], body: #"{"error":{"message":"overloaded"}}"#)
        })
        defer { server.stop() }
        let config = HTTPTeacherConfiguration(baseURL: server.baseURL, model: "teacher", requestTimeout: 5,
                                              retryPolicy: RetryPolicy(maxRetries: 6, baseDelay: 1, maxDelay: 60))
        let teacher = HTTPTeacher(configuration: config)
        let reports = Reports()
        let queue = JobQueue(onResult: reports.add)
        queue.push([Self.job("busy")])
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { queue.close() }
        let started = Date()
        try teacher.run(queue)
        #expect(Date().timeIntervalSince(started) < 3)
        let failure = try #require(reports.failure("busy"))
        #expect(failure.message.contains("HTTP 503") && failure.message.contains("the run is stopping"))
        #expect(server.requests.count == 1 && teacher.summary.retries == 0 && teacher.summary.failures == 1)
    }

    @Test func refusesMoreThanTwentyAlternativesWithoutSending() throws {
        let server = try FaultInjectingServer(script: [:])
        defer { server.stop() }
        let teacher = HTTPTeacher(configuration: Self.configuration(server))
        let (reports, _) = try Self.run(teacher, [Self.job("wide", topLogprobs: 32)])
        let failure = try #require(reports.failure("wide"))
        #expect(failure.message.contains("top_logprobs 32") && failure.requests == 0)
        #expect(server.requests.isEmpty)
    }

    @Test func configurationDescriptionHidesTheKey() throws {
        let configuration = HTTPTeacherConfiguration(baseURL: URL(string: "https://api.deepseek.com/v1")!,
                                                     model: "deepseek-reasoner", apiKey: Self.key)
        #expect(!configuration.description.contains(Self.key) && configuration.description.contains("key set"))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains(Self.key) && !String(reflecting: configuration).contains(Self.key))
        #expect(configuration.chatCompletionsURL.absoluteString == "https://api.deepseek.com/v1/chat/completions")
        let gateway = HTTPTeacherConfiguration(baseURL: URL(string: "https://me:\(Self.key)@gateway.example/v1")!, model: "m")
        #expect(gateway.displayedBaseURL == "https://gateway.example/v1")
        #expect(!HTTPTeacher(configuration: gateway).identity.endpoint!.contains(Self.key) && !gateway.description.contains(Self.key))
    }
}
