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
        /// When the server last sent a byte (or the request was sent); guarded by the session's lock.
        var lastActivity: Date
        init(taskID: Int, start: Date) {
            self.taskID = taskID
            self.start = start
            self.lastActivity = start
        }
    }

    private let lock = NSLock()
    private var current: Exchange?
    private let idleTimeout: Double
    /// The URL as error messages show it: without any user or password it carried.
    private let displayedURL: String
    private var session: URLSession!

    /// `idleTimeout` bounds the time without a byte from the server, not the whole reply:
    /// the OpenAI SDKs' read timeout works the same way, and a reasoning model may stream for
    /// longer than any total limit one would pick. Without streaming no byte comes before the
    /// reply is done, so it bounds the whole wait.
    init(idleTimeout: Double, displayedURL: String) {
        self.idleTimeout = idleTimeout
        self.displayedURL = displayedURL
        super.init()
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 1
        configuration.timeoutIntervalForRequest = Self.backstop(idleTimeout)
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
    }

    /// Ends the session; URLSession holds its delegate until then.
    func invalidate() {
        session.invalidateAndCancel()
    }

    /// Sends `request` and waits for its reply, its failure, or `idleTimeout` of silence.
    func send(_ request: URLRequest) -> Result<ChatCompletionReply, HTTPTeacherError> {
        var request = request
        request.timeoutInterval = Self.backstop(idleTimeout)
        let task = session.dataTask(with: request)
        let exchange = Exchange(taskID: task.taskIdentifier, start: Date())
        lock.lock()
        current = exchange
        lock.unlock()
        task.resume()
        var deadline = Date().addingTimeInterval(idleTimeout)
        var finished = false
        while !finished {
            finished = exchange.done.wait(timeout: .now() + max(0, deadline.timeIntervalSinceNow)) == .success
            if finished { break }
            lock.lock()
            deadline = exchange.lastActivity.addingTimeInterval(idleTimeout)
            lock.unlock()
            if deadline.timeIntervalSinceNow <= 0 { break }
        }
        lock.lock()
        current = nil
        lock.unlock()
        if !finished {
            task.cancel()
            return .failure(.timeout(seconds: idleTimeout))
        }
        if let failure = exchange.failure { return .failure(failure) }
        return .success(ChatCompletionReply(
            parser: exchange.parser,
            firstTokenSeconds: exchange.firstToken.map { $0.timeIntervalSince(exchange.start) },
            totalSeconds: Date().timeIntervalSince(exchange.start)))
    }

    /// Foundation's own idle timer, set past the watchdog's deadline so the watchdog decides.
    /// It truncates to whole seconds (swift-corelibs-foundation: `Int(timeoutInterval) * 1000`
    /// ms), so below one second it would fire at once.
    private static func backstop(_ idleTimeout: Double) -> Double {
        (idleTimeout + 1).rounded(.up)
    }

    /// The exchange `task` belongs to, nil for a late callback of an abandoned request.
    /// Every callback is a sign of life, so it also moves the idle deadline.
    private func exchange(for task: URLSessionTask) -> Exchange? {
        lock.lock()
        defer { lock.unlock() }
        guard let current, current.taskID == task.taskIdentifier else { return nil }
        current.lastActivity = Date()
        return current
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
        guard (200..<300).contains(exchange.status), exchange.isEventStream else {
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
                exchange.failure = .timeout(seconds: idleTimeout)
            } else if (200..<300).contains(exchange.status), exchange.isEventStream {
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
        let url = displayedURL
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
