import Foundation
import Testing
import ModelLoading
import Serving
import Tokenizers
import Transformer
#if canImport(Glibc)
import Glibc
#endif

/// `/v1/chat/completions` end to end on the real SmolLM2, over loopback, against the
/// engine's single-sequence `generate` (itself held to transformers by TransformerTests).
@Suite(.serialized)
struct ChatCompletionTests {
    static let question = [ChatMessage(role: "user", content: "What is the capital of France?")]

    static func body(_ messages: [ChatMessage], _ extra: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = ["model": ServingFixture.modelName, "temperature": 0, "max_tokens": 24,
                                   "messages": messages.map { ["role": $0.role, "content": $0.content] }]
        for (key, value) in extra { body[key] = value }
        return body
    }

    static func content(_ completion: [String: Any]) -> String? {
        let choice = (completion["choices"] as? [[String: Any]])?.first
        return (choice?["message"] as? [String: Any])?["content"] as? String
    }

    static func logprobEntries(_ choice: [String: Any]?) -> [[String: Any]] {
        ((choice?["logprobs"] as? [String: Any])?["content"] as? [[String: Any]]) ?? []
    }

    @Test func greedyCompletionEqualsTheEnginesGenerate() throws {
        let fixture = try ServingFixture.shared()
        let expected = try fixture.greedy(Self.question, maxTokens: 24)
        let response = try fixture.complete(Self.body(Self.question, ["logprobs": true]))
        #expect(response.status == 200, "\(response.text)")
        let json = try response.json()
        #expect((json["id"] as? String)?.hasPrefix("chatcmpl-") == true)
        #expect(json["object"] as? String == "chat.completion")
        #expect(json["model"] as? String == ServingFixture.modelName)
        let choice = (json["choices"] as? [[String: Any]])?.first
        #expect(Self.logprobEntries(choice).compactMap { ($0["id"] as? Int).map(Int32.init) } == expected.tokens)
        #expect(Self.content(json) == fixture.reference.tokenizer.decode(expected.tokens))
        #expect(choice?["finish_reason"] as? String == expected.finishReason.rawValue)
        let usage = json["usage"] as? [String: Int]
        #expect(usage?["prompt_tokens"] == expected.promptTokenCount)
        #expect(usage?["completion_tokens"] == expected.tokens.count)
        #expect(usage?["total_tokens"] == expected.promptTokenCount + expected.tokens.count)
    }

    @Test func streamedDeltasConcatenateToTheSameTextAndEndWithDone() throws {
        let fixture = try ServingFixture.shared()
        let whole = try fixture.complete(Self.body(Self.question)).json()
        let response = try fixture.complete(Self.body(Self.question, ["stream": true, "stream_options": ["include_usage": true]]))
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/event-stream")
        let events = LoopbackClient.events(response.text)
        #expect(events.last == "[DONE]")
        let chunks = try events.dropLast().map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
        let choices = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first }
        #expect((choices.first?["delta"] as? [String: Any])?["role"] as? String == "assistant")
        let text = choices.compactMap { ($0["delta"] as? [String: Any])?["content"] as? String }.joined()
        #expect(text == Self.content(whole))
        #expect(choices.last?["finish_reason"] as? String == "stop" || choices.last?["finish_reason"] as? String == "length")
        // The usage chunk comes last, with no choices.
        #expect((chunks.last?["choices"] as? [Any])?.isEmpty == true)
        #expect((chunks.last?["usage"] as? [String: Int]) == (whole["usage"] as? [String: Int]))
    }

    @Test func topLogprobsAreSortedAndMatchTheLogSoftmaxOfTheLogits() throws {
        let fixture = try ServingFixture.shared()
        let response = try fixture.complete(Self.body(Self.question, ["logprobs": true, "top_logprobs": 5, "max_tokens": 8]))
        #expect(response.status == 200, "\(response.text)")
        let entries = Self.logprobEntries((try response.json()["choices"] as? [[String: Any]])?.first)
        #expect(entries.count == (try fixture.greedy(Self.question, maxTokens: 8)).tokens.count)
        for entry in entries {
            let logprob = try #require(entry["logprob"] as? Double)
            let top = try #require(entry["top_logprobs"] as? [[String: Any]])
            let topLogprobs = top.compactMap { $0["logprob"] as? Double }
            #expect(top.count == 5)
            #expect(zip(topLogprobs, topLogprobs.dropFirst()).allSatisfy { $0 >= $1 }, "sorted, best first")
            #expect(logprob <= 0)
            // Greedy: the chosen token is the most likely one.
            #expect(top.first?["id"] as? Int == entry["id"] as? Int)
            #expect(topLogprobs.first == logprob)
            let id = try #require(entry["id"] as? Int)
            #expect(entry["bytes"] as? [Int] == fixture.reference.tokenizer.tokenBytes(Int32(id)).map(Int.init))
        }

        // The first position, from the logits of the rendered prompt.
        let logits = try fixture.reference.decoder.lastLogits(of: try fixture.prompt(Self.question))
        let maximum = logits.max() ?? 0
        let logZ = Double(maximum) + log(logits.reduce(0.0) { $0 + exp(Double($1 - maximum)) })
        let best = logits.indices.sorted { logits[$0] > logits[$1] }.prefix(5)
        let first = try #require(entries.first?["top_logprobs"] as? [[String: Any]])
        #expect(first.compactMap { $0["id"] as? Int } == Array(best))
        for (alternative, id) in zip(first, best) {
            let ours = try #require(alternative["logprob"] as? Double)
            #expect(abs(ours - (Double(logits[id]) - logZ)) < 1e-3, "token \(id)")
        }
    }

    @Test func concurrentRequestsEachEqualTheirSingleResult() throws {
        let fixture = try ServingFixture.shared()
        let questions = ["Name a colour.", "What is 2 + 2?", "Say hello in French.", "Write one word about the sea."]
            .map { [ChatMessage(role: "user", content: $0)] }
        let alone = try questions.map { Self.content(try fixture.complete(Self.body($0, ["max_tokens": 16])).json()) }
        let together = ConcurrentResults<String?>(count: questions.count)
        DispatchQueue.concurrentPerform(iterations: questions.count) { i in
            together.set(i, try? Self.content(fixture.complete(Self.body(questions[i], ["max_tokens": 16])).json()))
        }
        #expect(together.values == alone)
        #expect(alone.allSatisfy { $0?.isEmpty == false })
    }

    @Test func stopStringsCutTheTextAndFinishWithStop() throws {
        let fixture = try ServingFixture.shared()
        let expected = try fixture.greedy(Self.question, maxTokens: 24)
        let text = fixture.reference.tokenizer.decode(expected.tokens)
        let words = text.split(separator: " ")
        try #require(words.count >= 3, "the greedy answer is long enough to stop inside: \(text)")
        let stop = String(words[2])
        let cut = String(text[..<text.range(of: stop)!.lowerBound])
        let json = try fixture.complete(Self.body(Self.question, ["stop": ["never-appears", stop]])).json()
        #expect(Self.content(json) == cut)
        #expect((json["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "stop")
    }

    @Test func errorsHaveTheRightStatusAndOpenAIShape() throws {
        let fixture = try ServingFixture.shared()
        func error(_ response: LoopbackClient.Response) throws -> [String: Any] {
            try #require(try response.json()["error"] as? [String: Any])
        }
        let badJSON = try LoopbackClient.request(fixture.base + "/v1/chat/completions", method: "POST", body: Data("{not json".utf8))
        #expect(badJSON.status == 400)
        #expect(try error(badJSON)["type"] as? String == "invalid_request_error")
        #expect(try error(badJSON)["code"] as? String == "invalid_json")

        let unknown = try LoopbackClient.request(fixture.base + "/v1/completions", method: "POST", body: Data("{}".utf8))
        #expect(unknown.status == 404)
        #expect((try error(unknown)["message"] as? String)?.contains("/v1/completions") == true)

        let wrongMethod = try LoopbackClient.request(fixture.base + "/v1/chat/completions")
        #expect(wrongMethod.status == 405)

        let twoChoices = try fixture.complete(Self.body(Self.question, ["n": 2]))
        #expect(twoChoices.status == 400)
        #expect((try error(twoChoices)["message"] as? String)?.contains("n=2") == true)

        let noMessages = try LoopbackClient.post(fixture.base + "/v1/chat/completions", json: ["model": "x"])
        #expect(noMessages.status == 400)
        #expect((try error(noMessages)["message"] as? String)?.contains("'messages'") == true)

        let tooManyTop = try fixture.complete(Self.body(Self.question, ["logprobs": true, "top_logprobs": 21]))
        #expect(tooManyTop.status == 400)

        let tooLong = try fixture.complete(Self.body([ChatMessage(role: "user", content: String(repeating: "word ", count: 600))]))
        #expect(tooLong.status == 400)
        #expect(try error(tooLong)["code"] as? String == "context_length_exceeded")
    }

    @Test func aClientThatHangsUpMidStreamDoesNotHurtTheNextRequest() throws {
        let fixture = try ServingFixture.shared()
        let body = try JSONSerialization.data(withJSONObject: Self.body(Self.question, ["stream": true, "max_tokens": 400]))
        for _ in 0..<2 {
            let fd = try LoopbackClient.connect(port: fixture.server.port)
            LoopbackClient.send(fd, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                + "Content-Length: \(body.count)\r\n\r\n" + String(decoding: body, as: UTF8.self))
            let start = LoopbackClient.read(fd) { $0.components(separatedBy: "data: ").count > 3 }
            #expect(start.hasPrefix("HTTP/1.1 200 OK"))
            close(fd)
        }
        let expected = try fixture.greedy(Self.question, maxTokens: 24)
        let json = try fixture.complete(Self.body(Self.question)).json()
        #expect(Self.content(json) == fixture.reference.tokenizer.decode(expected.tokens))
    }

    @Test func stopEndsAGenerationInFlightAndClosesThePort() throws {
        var options = ModelServer.Options(modelName: "stopping")
        options.port = 0
        options.slots = 1
        options.context = 256
        let server = try ModelServer(model: try LoadedModel.load("smollm2-135m-instruct", threads: 1), options: options)
        let body = try JSONSerialization.data(withJSONObject: Self.body(Self.question, ["stream": true, "max_tokens": 200]))
        let fd = try LoopbackClient.connect(port: server.port)
        defer { close(fd) }
        LoopbackClient.send(fd, "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: \(body.count)\r\n\r\n"
                            + String(decoding: body, as: UTF8.self))
        _ = LoopbackClient.read(fd) { $0.components(separatedBy: "data: ").count > 2 }
        let start = Date()
        server.stop()  // returns once every connection thread and the batcher's thread have ended
        #expect(Date().timeIntervalSince(start) < 30)
        _ = LoopbackClient.read(fd) { _ in false }  // the server closed its side
        #expect(throws: LoopbackFailure.self) { _ = try LoopbackClient.connect(port: server.port) }
    }

    @Test func modelsListsTheServedModel() throws {
        let fixture = try ServingFixture.shared()
        let response = try LoopbackClient.request(fixture.base + "/v1/models")
        #expect(response.status == 200)
        let json = try response.json()
        #expect(json["object"] as? String == "list")
        let models = try #require(json["data"] as? [[String: Any]])
        #expect(models.count == 1)
        #expect(models.first?["id"] as? String == ServingFixture.modelName)
        #expect(models.first?["object"] as? String == "model")
        #expect(models.first?["owned_by"] as? String == "distillery")
    }
}

/// Results written by concurrent workers, one index each.
final class ConcurrentResults<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Value?]
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Value) { lock.lock(); storage[index] = value; lock.unlock() }
    var values: [Value] { lock.lock(); defer { lock.unlock() }; return storage.compactMap { $0 } }
}
