import Foundation

/// Writes the one response to a request: either whole, with Content-Length, or streamed.
/// A stream uses chunked transfer coding (RFC 9112 §7.1) on HTTP/1.1, which curl, URLSession,
/// httpx and the `openai` client all read, and which keeps the connection reusable; an
/// HTTP/1.0 client gets the body up to connection close instead.
public final class HTTPResponseWriter: @unchecked Sendable {
    let connection: HTTPConnection
    let request: HTTPRequest
    private(set) var hasResponded = false
    private var streaming = false
    /// Set once a write fails: the client is gone and nothing more is sent.
    public private(set) var clientIsGone = false
    /// Whether the connection may serve another request after this response.
    private(set) var keepsAlive: Bool

    init(connection: HTTPConnection, request: HTTPRequest) {
        self.connection = connection
        self.request = request
        self.keepsAlive = request.keepsAlive
    }

    public func send(status: Int, contentType: String, body: [UInt8]) {
        guard !hasResponded else { return }
        hasResponded = true
        var head = statusLine(status)
        head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        head += keepsAlive ? "\r\n" : "Connection: close\r\n\r\n"
        write(Array(head.utf8) + body)
    }

    public func sendJSON<T: Encodable>(_ value: T, status: Int = 200) {
        do {
            send(status: status, contentType: "application/json", body: try JSONText.encode(value))
        } catch {
            send(APIError.server("could not encode the response: \(error)"))
        }
    }

    public func send(_ error: APIError) {
        if error.status == 411 || error.status == 413 || error.status == 431 || error.status >= 500 { keepsAlive = false }
        send(status: error.status, contentType: "application/json", body: error.body)
    }

    /// Sends the head of a streamed response; the body follows in `writeChunk` calls.
    public func startStream(contentType: String) {
        guard !hasResponded else { return }
        hasResponded = true
        streaming = true
        var head = statusLine(200) + "Content-Type: \(contentType)\r\nCache-Control: no-cache\r\n"
        if request.version == "HTTP/1.1" {
            head += "Transfer-Encoding: chunked\r\n"
            head += keepsAlive ? "\r\n" : "Connection: close\r\n\r\n"
        } else {
            keepsAlive = false
            head += "Connection: close\r\n\r\n"
        }
        write(Array(head.utf8))
    }

    /// Returns false once the client is gone.
    @discardableResult
    public func writeChunk(_ bytes: [UInt8]) -> Bool {
        guard streaming, !bytes.isEmpty else { return !clientIsGone }
        if request.version == "HTTP/1.1" {
            write(Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + [13, 10])
        } else {
            write(bytes)
        }
        return !clientIsGone
    }

    public func endStream() {
        guard streaming else { return }
        streaming = false
        if request.version == "HTTP/1.1" { write(Array("0\r\n\r\n".utf8)) }
    }

    /// Whether the client closed the connection while we were working (see `HTTPConnection`).
    public func clientHasClosed() -> Bool {
        if clientIsGone { return true }
        if connection.peerHasClosed() { clientIsGone = true }
        return clientIsGone
    }

    /// Ends a stream the handler left open, or answers a handler that sent nothing.
    func finish() {
        if streaming { endStream() }
        if !hasResponded { send(APIError.server("the handler sent no response")) }
        if clientIsGone { keepsAlive = false }
    }

    private func write(_ bytes: [UInt8]) {
        guard !clientIsGone else { return }
        if !connection.write(bytes) { clientIsGone = true }
    }

    private func statusLine(_ status: Int) -> String {
        "HTTP/1.1 \(status) \(Self.reason(status))\r\nServer: distillery\r\n"
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 422: return "Unprocessable Content"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status"
        }
    }
}
