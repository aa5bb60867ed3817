import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What one successful request returned.
struct ChatCompletionReply {
    var parser: ChatCompletionParser
    var firstTokenSeconds: Double?
    var totalSeconds: Double
}

/// One worker's connection to the endpoint: sends one request at a time and blocks the
/// calling thread until the reply is complete, failed or timed out. A URLSession delegate
/// rather than a completion handler, so a stream is parsed as it arrives (time to first
/// token, and a dropped stream is seen as such). Callbacks of a cancelled request that
/// arrive late are told apart by the task's identifier and dropped.
final class ChatCompletionSession: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private final class Exchange {
        let taskID: Int
        let start: Date
        let done = DispatchSemaphore(value: 0)
        var status = 0
        var headers: [String: String] = [:]
        var isEventStream = false
        var body = Data()
        var decoder = ServerSentEventDecoder()
        var parser = ChatCompletionParser()
        var sawDone = false
        var firstToken: Date?
        var failure: HTTPTeacherError?
        init(taskID: Int, start: Date) {
            self.taskID = taskID
            self.start = start
        }
    }

    private let lock = NSLock()
    private var current: Exchange?
    private var session: URLSession!

    override init() {
        super.init()
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 1
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
    }

    /// Ends the session; URLSession holds its delegate until then.
    func invalidate() {
        session.invalidateAndCancel()
    }

    func send(_ request: URLRequest, timeout: Double) -> Result<ChatCompletionReply, HTTPTeacherError> {
        var request = request
        // URLSession's own timeout is an idle timeout; the wait below bounds the whole reply.
        request.timeoutInterval = timeout
        let task = session.dataTask(with: request)
        let exchange = Exchange(taskID: task.taskIdentifier, start: Date())
        lock.lock()
        current = exchange
        lock.unlock()
        task.resume()
        let finished = exchange.done.wait(timeout: .now() + timeout) == .success
        lock.lock()
        current = nil
        lock.unlock()
        if !finished {
            task.cancel()
            return .failure(.timeout(seconds: timeout))
        }
        if let failure = exchange.failure { return .failure(failure) }
        return .success(ChatCompletionReply(
            parser: exchange.parser,
            firstTokenSeconds: exchange.firstToken.map { $0.timeIntervalSince(exchange.start) },
            totalSeconds: Date().timeIntervalSince(exchange.start)))
    }

    private func exchange(for task: URLSessionTask) -> Exchange? {
        lock.lock()
        defer { lock.unlock() }
        return current?.taskID == task.taskIdentifier ? current : nil
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        if let exchange = exchange(for: dataTask), let http = response as? HTTPURLResponse {
            exchange.status = http.statusCode
            for case let (name as String, value as String) in http.allHeaderFields { exchange.headers[name] = value }
            let type = exchange.headers.first { $0.key.lowercased() == "content-type" }?.value ?? ""
            exchange.isEventStream = type.lowercased().contains("text/event-stream")
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let exchange = exchange(for: dataTask), exchange.failure == nil else { return }
        guard exchange.status == 200, exchange.isEventStream else {
            exchange.body.append(data)
            return
        }
        read(events: exchange.decoder.feed(data), into: exchange, task: dataTask)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        guard let exchange = exchange(for: task) else { return }
        defer { exchange.done.signal() }
        if exchange.failure != nil { return }
        if let error {
            let code = (error as? URLError)?.code
            if code == .timedOut {
                exchange.failure = .timeout(seconds: task.originalRequest?.timeoutInterval ?? 0)
            } else if exchange.status == 200, exchange.isEventStream {
                // libcurl reports a chunked stream cut short as a transfer error.
                exchange.failure = .streamEnded(chunks: exchange.parser.chunks)
            } else {
                exchange.failure = .connection(error.localizedDescription)
            }
            return
        }
        exchange.failure = finish(exchange, task: task)
    }

    private func read(events: [String], into exchange: Exchange, task: URLSessionTask) {
        for event in events where !exchange.sawDone {
            do {
                if try !exchange.parser.readChunk(event) { exchange.sawDone = true }
            } catch {
                exchange.failure = error as? HTTPTeacherError ?? .malformedResponse("\(error)")
                task.cancel()
                return
            }
            if exchange.firstToken == nil, exchange.parser.sawOutput { exchange.firstToken = Date() }
        }
    }

    /// The failure of a reply that arrived whole, or nil when it is a completion.
    private func finish(_ exchange: Exchange, task: URLSessionTask) -> HTTPTeacherError? {
        let url = task.originalRequest?.url?.absoluteString ?? "the endpoint"
        guard (200..<300).contains(exchange.status) else {
            let message = Self.serverMessage(exchange.body)
            if exchange.status == 401 || exchange.status == 403 {
                return .unauthorized(exchange.status, message: message, url: url)
            }
            return .status(exchange.status, message: "\(message) (\(url))",
                           retryAfter: RetryPolicy.retryAfter(headers: exchange.headers))
        }
        if exchange.isEventStream {
            read(events: exchange.decoder.finish(), into: exchange, task: task)
            if let failure = exchange.failure { return failure }
            if !exchange.sawDone, exchange.parser.finishReason == nil {
                return .streamEnded(chunks: exchange.parser.chunks)
            }
            return nil
        }
        do {
            try exchange.parser.readResponse(exchange.body)
        } catch {
            return error as? HTTPTeacherError ?? .malformedResponse("\(error)")
        }
        return nil
    }

    /// The server's `error.message`, else the start of the body.
    static func serverMessage(_ body: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let error = object["error"] {
            return ChatCompletionParser.errorMessage(error)
        }
        return body.isEmpty ? "empty body" : ChatCompletionParser.excerpt(body)
    }
}
