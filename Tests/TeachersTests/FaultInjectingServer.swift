import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A chat completions endpoint on a loopback socket that answers each prompt with a script:
/// the faults a real endpoint produces (429 with Retry-After, 500, a hang, a stream cut
/// mid-reply, a truncated body), spoken as real HTTP/1.1 and server-sent events, so the
/// client under test runs its real URLSession and libcurl code. URLSession cannot be made to
/// produce these faults itself, which is why this fake exists.
///
/// Replies are looked up by the request's last message content; each request for that prompt
/// takes the next scripted reply, and when the script runs out the prompt gets `fallback`.
final class FaultInjectingServer: @unchecked Sendable {
    enum Reply {
        /// A whole reply with Content-Length.
        case json(status: Int, headers: [String: String] = [:], body: String)
        /// A 200 event stream, chunked; each string is one event's data, `interval` seconds apart.
        case stream([String], end: StreamEnd = .finalChunk, interval: Double = 0.002)
        /// Reads the request and never answers; the connection stays open until the client
        /// gives up or the server stops.
        case hang
        /// The reply after a pause, as a busy server's.
        indirect case after(seconds: Double, Reply)
    }

    enum StreamEnd {
        /// The terminating zero-length chunk: a well-formed end, whatever the events said.
        case finalChunk
        /// Closes the connection without the final chunk, as a dying server does.
        case drop
        /// Stops sending and keeps the connection open: a stalled generation.
        case hang
    }

    struct Request {
        var headers: [String: String]
        var body: [String: Any]
        var received: Date
        var prompt: String {
            ((body["messages"] as? [[String: Any]])?.last?["content"] as? String) ?? ""
        }
    }

    private let lock = NSLock()
    private var script: [String: [Reply]]
    private let fallback: (Request) -> Reply
    private var recorded: [Request] = []
    private var listener: Int32 = -1
    private var connections: Set<Int32> = []
    private(set) var port: UInt16 = 0
    private var inFlight = 0
    private var mostInFlight = 0

    /// The most requests the server was answering at one time.
    var peakConcurrency: Int {
        lock.lock()
        defer { lock.unlock() }
        return mostInFlight
    }

    init(script: [String: [Reply]], fallback: @escaping (Request) -> Reply = { .json(status: 200, body: completionJSON(content: "echo: \($0.prompt)")) }) throws {
        self.script = script
        self.fallback = fallback
        try startListening()
    }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    func requests(for prompt: String) -> [Request] { requests.filter { $0.prompt == prompt } }

    func stop() {
        lock.lock()
        let fds = connections
        connections = []
        let fd = listener
        listener = -1
        lock.unlock()
        for fd in fds { shutdown(fd, Int32(SHUT_RDWR)) }
        if fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    deinit { stop() }

    private func startListening() throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        let thread = Thread { [weak self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0, let self else { return }
                self.lock.lock()
                self.connections.insert(client)
                self.lock.unlock()
                Thread { self.serve(client) }.start()
            }
        }
        thread.start()
    }

    private func serve(_ fd: Int32) {
        defer {
            lock.lock()
            let open = connections.remove(fd) != nil
            lock.unlock()
            if open { shutdown(fd, Int32(SHUT_RDWR)) }
            close(fd)
        }
        guard let request = readRequest(fd) else { return }
        lock.lock()
        recorded.append(request)
        var reply: Reply
        if var replies = script[request.prompt], !replies.isEmpty {
            reply = replies.removeFirst()
            script[request.prompt] = replies
        } else {
            reply = fallback(request)
        }
        inFlight += 1
        mostInFlight = max(mostInFlight, inFlight)
        lock.unlock()
        defer {
            lock.lock()
            inFlight -= 1
            lock.unlock()
        }
        answer(reply, on: fd)
    }

    private func answer(_ reply: Reply, on fd: Int32) {
        switch reply {
        case .after(let seconds, let reply):
            Thread.sleep(forTimeInterval: seconds)
            answer(reply, on: fd)
        case .json(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\nContent-Type: application/json\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
            write(fd, head + body)
        case .stream(let events, let end, let interval):
            write(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            for event in events {
                let text = "data: \(event)\n\n"
                write(fd, String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n")
                Thread.sleep(forTimeInterval: interval)
            }
            switch end {
            case .finalChunk: write(fd, "0\r\n\r\n")
            case .drop: break
            case .hang: waitForClose(fd)
            }
        case .hang:
            waitForClose(fd)
        }
    }

    /// Blocks until the client closes the connection or `stop` shuts it down.
    private func waitForClose(_ fd: Int32) {
        var byte: UInt8 = 0
        while recv(fd, &byte, 1, 0) > 0 {}
    }

    private func readRequest(_ fd: Int32) -> Request? {
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        var headers: [String: String] = [:]
        var expected = Int.max
        while data.count < expected {
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { return nil }
            data += chunk[0..<n]
            if headerEnd == nil, let end = Self.find(separator, in: data) {
                headerEnd = end + separator.count
                let lines = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                if headers["expect"]?.lowercased() == "100-continue" { write(fd, "HTTP/1.1 100 Continue\r\n\r\n") }
                expected = end + separator.count + (Int(headers["content-length"] ?? "0") ?? 0)
            }
        }
        guard let headerEnd else { return nil }
        let body = (try? JSONSerialization.jsonObject(with: Data(data[headerEnd...]))) as? [String: Any] ?? [:]
        return Request(headers: headers, body: body, received: Date())
    }

    private func write(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            sent += n
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }

    private static func reasonPhrase(_ status: Int) -> String {
        [200: "OK", 400: "Bad Request", 401: "Unauthorized", 429: "Too Many Requests",
         500: "Internal Server Error", 503: "Service Unavailable"][status] ?? "Status"
    }
}

/// A non-streaming chat completion body as OpenAI writes it.
func completionJSON(content: String, reasoning: String? = nil, usage: (Int, Int)? = (10, 5)) -> String {
    var message: [String: Any] = ["role": "assistant", "content": content]
    if let reasoning { message["reasoning_content"] = reasoning }
    var object: [String: Any] = [
        "id": "chatcmpl-1", "object": "chat.completion", "model": "teacher",
        "choices": [["index": 0, "message": message, "finish_reason": "stop"]],
    ]
    if let usage { object["usage"] = ["prompt_tokens": usage.0, "completion_tokens": usage.1, "total_tokens": usage.0 + usage.1] }
    return String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

/// One streamed chunk's data, as `chat.completion.chunk`.
func chunkJSON(delta: [String: Any], finishReason: String? = nil, logprobs: [[String: Any]]? = nil) -> String {
    var choice: [String: Any] = ["index": 0, "delta": delta, "finish_reason": finishReason ?? NSNull()]
    if let logprobs { choice["logprobs"] = ["content": logprobs] }
    let object: [String: Any] = ["id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "teacher", "choices": [choice]]
    return String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}
