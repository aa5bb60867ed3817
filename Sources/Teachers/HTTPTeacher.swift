import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A teacher behind an OpenAI-compatible `/v1/chat/completions`: DeepSeek's API, vLLM,
/// SGLang, llama-server, Ollama, OpenAI, or `distillery serve`.
///
/// `run` starts `concurrency` plain threads, each with its own URLSession, each taking a job,
/// sending it (with retries, `RetryPolicy`) and reporting a completion or a failure naming
/// what went wrong. Threads, not Swift tasks: a worker blocks for the whole request, and
/// blocked tasks would starve the cooperative pool, which has one thread per core.
///
/// A 401 or 403 ends the run: the key is wrong for every request, and retrying each prompt
/// would only spend the run's time failing. The job that got it is reported failed, the queue
/// is closed so no further job is taken, and `run` throws `HTTPTeacherError.unauthorized`.
/// Jobs never taken are not lost: a resumed run asks for them.
public final class HTTPTeacher: Teacher, @unchecked Sendable {
    public let configuration: HTTPTeacherConfiguration
    private let lock = NSLock()
    private var counts = HTTPTeacherSummary()
    private var fatal: HTTPTeacherError?

    public init(configuration: HTTPTeacherConfiguration) {
        self.configuration = configuration
    }

    public var identity: TeacherIdentity {
        TeacherIdentity(model: configuration.model, endpoint: configuration.displayedBaseURL)
    }

    public var parallelism: Int { max(1, configuration.concurrency) }

    /// The counts so far; final once `run` returns.
    public var summary: HTTPTeacherSummary {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }

    public func run(_ queue: JobQueue) throws {
        let workers = DispatchGroup()
        for index in 0..<parallelism {
            workers.enter()
            let thread = Thread { [self] in
                let session = ChatCompletionSession(idleTimeout: configuration.requestTimeout,
                                                    displayedURL: configuration.displayedBaseURL + "/chat/completions")
                while let job = queue.take() {
                    queue.report(job, complete(job, session: session, queue: queue))
                }
                session.invalidate()
                workers.leave()
            }
            thread.name = "http-teacher-\(index)"
            thread.start()
        }
        workers.wait()
        if let fatal = locked({ fatal }) { throw fatal }
    }

    /// One job, retried until it completes, fails for good, or retries run out.
    func complete(_ job: TeacherJob, session: ChatCompletionSession, queue: JobQueue) -> Result<TeacherCompletion, TeacherFailure> {
        let request: URLRequest
        do {
            request = try urlRequest(for: job)
        } catch {
            return fail("\(error)", reason: (error as? HTTPTeacherError)?.reason ?? "invalid request", requests: 0)
        }
        var random = SystemRandomNumberGenerator()
        var requests = 0
        while true {
            if let fatal = locked({ fatal }) {
                return fail("not sent: the endpoint refused the key earlier in this run (\(fatal.reason))",
                            reason: "not sent", requests: requests)
            }
            requests += 1
            locked { counts.requests += 1 }
            let error: HTTPTeacherError
            switch session.send(request) {
            case .success(let reply):
                return .success(completion(reply, topLogprobs: job.topLogprobs))
            case .failure(let failure):
                error = failure
            }
            if case .unauthorized(let code, let message, let url) = error {
                locked { fatal = .unauthorized(code, message: redacted(message), url: url) }
                queue.close()
            }
            let retry = requests - 1
            let tries = requests == 1 ? "" : " (after \(requests) requests)"
            guard error.isRetryable, retry < configuration.retryPolicy.maxRetries else {
                return fail(redacted("\(error)") + tries, reason: error.reason, requests: requests)
            }
            var retryAfter: Double?
            if case .status(_, _, let after) = error { retryAfter = after }
            pause(configuration.retryPolicy.delay(retry: retry, retryAfter: retryAfter, using: &random), queue: queue)
            if queue.isClosed {
                return fail(redacted("\(error)") + tries + " (not retried: the run is stopping)",
                            reason: error.reason, requests: requests)
            }
            locked {
                counts.retries += 1
                counts.retriesByReason[error.reason, default: 0] += 1
            }
        }
    }

    /// Sleeps before a retry, waking early when the run closes the queue (an interrupt or a
    /// refused key), so stopping does not wait out a minute of backoff.
    private func pause(_ seconds: Double, queue: JobQueue) {
        let end = Date().addingTimeInterval(seconds)
        while !queue.isClosed, end.timeIntervalSinceNow > 0 {
            Thread.sleep(forTimeInterval: min(0.1, end.timeIntervalSinceNow))
        }
    }

    func urlRequest(for job: TeacherJob) throws -> URLRequest {
        var request = URLRequest(url: configuration.chatCompletionsURL)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(configuration.stream ? "text/event-stream" : "application/json", forHTTPHeaderField: "Accept")
        if let key = configuration.apiKey, !key.isEmpty {
            request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        }
        request.httpBody = try ChatCompletionRequest.body(for: job, configuration: configuration)
        return request
    }

    private func completion(_ reply: ChatCompletionReply, topLogprobs: Int) -> TeacherCompletion {
        let parser = reply.parser
        // Best first and exactly the K asked for, as the trace's top-K rows need: llama-cpp-python
        // adds the sampled token when it is not among the top K, and no spec promises an order.
        let tokens = parser.tokens.map { token in
            var token = token
            token.alternatives = Array(token.alternatives.sorted { $0.logprob > $1.logprob }.prefix(topLogprobs))
            return token
        }
        var promptTokens = 0
        var completionTokens = 0
        locked {
            counts.completions += 1
            if let usage = parser.usage {
                (promptTokens, completionTokens) = usage
            } else if !parser.tokens.isEmpty {
                completionTokens = parser.tokens.count
                counts.completionsCountedFromLogprobs += 1
            } else {
                counts.completionsWithoutTokenCounts += 1
            }
            counts.promptTokens += promptTokens
            counts.completionTokens += completionTokens
        }
        return TeacherCompletion(
            content: parser.content, reasoningContent: parser.sawReasoning ? parser.reasoning : nil,
            finishReason: parser.finishReason ?? "unknown", promptTokens: promptTokens,
            completionTokens: completionTokens, tokens: tokens,
            firstTokenSeconds: reply.firstTokenSeconds, totalSeconds: reply.totalSeconds)
    }

    private func fail(_ message: String, reason: String, requests: Int) -> Result<TeacherCompletion, TeacherFailure> {
        locked {
            counts.failures += 1
            counts.failuresByReason[reason, default: 0] += 1
        }
        return .failure(TeacherFailure(message, requests: requests))
    }

    /// A server may quote the request back in an error; the key must not reach the summary.
    private func redacted(_ text: String) -> String {
        guard let key = configuration.apiKey, !key.isEmpty else { return text }
        return text.replacingOccurrences(of: key, with: "[api key]")
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
