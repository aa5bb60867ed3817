import Foundation

/// One HTTP/1.1 request as the server hands it to a handler: the body is read in full
/// (Content-Length framing only) before the handler runs.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target as sent, query included.
    public var target: String
    public var version: String
    /// Header names lowercased (RFC 9110 §5.1: they are case-insensitive); a repeated header
    /// keeps its last value.
    public var headers: [String: String]
    public var body: [UInt8]

    /// The target without its query string.
    public var path: String {
        String(target.prefix { $0 != "?" })
    }

    /// HTTP/1.1 keeps the connection unless the client says `close`; we close HTTP/1.0
    /// connections after one response rather than implement its keep-alive extension.
    var keepsAlive: Bool {
        guard version == "HTTP/1.1" else { return false }
        return headers["connection"]?.lowercased().contains("close") != true
    }
}

/// Sizes the server refuses to go past, so one client cannot exhaust memory.
public struct HTTPLimits: Sendable {
    /// Request line and headers together (431 beyond it).
    public var maxHeaderBytes = 32 * 1024
    /// Request body (413 beyond it).
    public var maxBodyBytes = 16 * 1024 * 1024
    /// How long an idle keep-alive connection is kept open.
    public var idleSeconds = 120

    public init() {}
}

/// Parses the head of a request (request line and headers, RFC 9112 §3 and §5) from the
/// bytes before the blank line. Failures are `APIError`s with the status to answer.
enum HTTPRequestHead {
    static func parse(_ head: ArraySlice<UInt8>) throws -> (method: String, target: String, version: String, headers: [String: String]) {
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { throw APIError.badRequest("empty request") }
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, !requestLine[0].isEmpty, requestLine[1].first == "/" || requestLine[1] == "*" else {
            throw APIError.badRequest("malformed request line; expected 'METHOD /path HTTP/1.1'")
        }
        let version = String(requestLine[2])
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            throw APIError(status: 505, message: "\(version) is not supported; use HTTP/1.1")
        }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":"), line.first != " ", line.first != "\t" else {
                throw APIError.badRequest("malformed header line '\(line.prefix(80))'")
            }
            let name = line[..<colon].lowercased()
            guard !name.isEmpty, !name.contains(" ") else { throw APIError.badRequest("malformed header name in '\(line.prefix(80))'") }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length", let previous = headers[name], previous != value {
                throw APIError.badRequest("conflicting Content-Length headers")
            }
            headers[name] = value
        }
        return (String(requestLine[0]), String(requestLine[1]), version, headers)
    }

    /// The body length the headers announce; chunked uploads are refused, since no OpenAI
    /// client sends them and a server that half-supports them invites request smuggling.
    static func bodyLength(_ headers: [String: String], limits: HTTPLimits) throws -> Int {
        if let encoding = headers["transfer-encoding"] {
            throw APIError(status: 411, message: "request bodies with Transfer-Encoding '\(encoding)' are not supported; send the body with a Content-Length header",
                           code: "length_required")
        }
        guard let value = headers["content-length"] else { return 0 }
        guard let length = Int(value), length >= 0 else { throw APIError.badRequest("invalid Content-Length '\(value)'") }
        guard length <= limits.maxBodyBytes else {
            throw APIError(status: 413, message: "request body of \(length) bytes is over the limit of \(limits.maxBodyBytes) bytes",
                           code: "request_too_large")
        }
        return length
    }
}
