#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One accepted TCP connection: reads requests off it and writes bytes to it. Used by one
/// connection thread, except `peerHasClosed`, which a generation callback may call.
final class HTTPConnection: @unchecked Sendable {
    let fd: Int32
    let limits: HTTPLimits
    /// Bytes read past the end of the previous request (a pipelining client's next one).
    private var buffer: [UInt8] = []

    init(fd: Int32, limits: HTTPLimits) {
        self.fd = fd
        self.limits = limits
        var one: Int32 = 1
        // Each SSE event must leave at once; Nagle plus delayed ACK would hold it ~40 ms.
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: limits.idleSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    enum ReadOutcome {
        case request(HTTPRequest)
        /// The client closed (or went idle) between requests.
        case closed
        /// The request is malformed or too large: answer with this error and close.
        case refused(APIError)
    }

    func readRequest() -> ReadOutcome {
        var headEnd: Int?
        var searchFrom = 0
        let tooLarge = APIError(status: 431, message: "request headers are over \(limits.maxHeaderBytes) bytes",
                                code: "headers_too_large")
        while true {
            if let end = Self.blankLine(in: buffer, from: searchFrom) { headEnd = end; break }
            searchFrom = max(0, buffer.count - 3)
            guard buffer.count <= limits.maxHeaderBytes else { return .refused(tooLarge) }
            guard fill() else { return .closed }
        }
        guard let headEnd else { return .closed }
        guard headEnd + 4 <= limits.maxHeaderBytes else { return .refused(tooLarge) }
        do {
            let head = try HTTPRequestHead.parse(buffer[..<headEnd])
            let length = try HTTPRequestHead.bodyLength(head.headers, limits: limits)
            buffer.removeFirst(headEnd + 4)
            if length > buffer.count, head.headers["expect"]?.lowercased() == "100-continue" {
                // curl sends Expect for large bodies and waits a second for this before sending.
                guard write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return .closed }
            }
            while buffer.count < length {
                guard fill() else { return .closed }
            }
            let body = Array(buffer[..<length])
            buffer.removeFirst(length)
            return .request(HTTPRequest(method: head.method, target: head.target, version: head.version,
                                        headers: head.headers, body: body))
        } catch let error as APIError {
            return .refused(error)
        } catch {
            return .refused(.badRequest("\(error)"))
        }
    }

    /// Sends all of `bytes`; false when the client is gone. MSG_NOSIGNAL: a closed peer must
    /// be an error return here, not a SIGPIPE that kills the server.
    func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return true }
            var sent = 0
            while sent < raw.count {
                let n = send(fd, base + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                sent += n
            }
            return true
        }
    }

    /// Whether the client has closed its side or reset the connection, without consuming
    /// anything it sent: lets a non-streamed generation stop when nobody waits for it.
    func peerHasClosed() -> Bool {
        var probe = pollfd(fd: fd, events: Int16(POLLIN) | pollReadHangUp, revents: 0)
        guard poll(&probe, 1, 0) > 0 else { return false }
        if probe.revents & (Int16(POLLHUP) | Int16(POLLERR) | pollReadHangUp) != 0 { return true }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) == 0
    }

    /// POLLRDHUP (Linux ≥ 2.6.17, <poll.h> with _GNU_SOURCE, which Swift's Glibc module does not
    /// export): the peer shut down its writing side.
    private let pollReadHangUp: Int16 = 0x2000

    /// Wakes a thread blocked reading this connection (server stop).
    func shutDown() { shutdown(fd, Int32(SHUT_RDWR)) }

    func close() { _ = Glibc.close(fd) }

    /// Reads what is available; false at end of stream, on error or on idle timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            buffer.append(contentsOf: chunk[..<n])
            return true
        }
    }

    private static func blankLine(in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var i = start
        while i + 3 < bytes.count {
            if bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }
}
