#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the server could not start or run; each message says what to change.
public enum ServingError: Error, CustomStringConvertible, Equatable {
    case invalidHost(String)
    case socket(call: String, host: String, port: Int, errno: Int32)
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .invalidHost(let host):
            return "cannot listen on '\(host)': give a numeric address such as 127.0.0.1, ::1 or 0.0.0.0, or localhost"
        case .socket(let call, let host, let port, let code):
            let hint = code == EADDRINUSE ? ": the port is in use; pick another with --port (0 picks a free one)"
                : code == EACCES ? ": ports below 1024 need privileges; use a higher --port" : ""
            return "\(call) on \(host):\(port) failed: \(String(cString: strerror(code)))\(hint)"
        case .invalidConfiguration(let why):
            return "invalid server configuration: \(why)"
        }
    }
}

/// An error as an OpenAI-compatible endpoint reports it, so `openai` clients raise the right
/// exception class (they map the status: 400 BadRequestError, 404 NotFoundError, …) and show
/// `message`: `{"error": {"message", "type", "code"}}`.
public struct APIError: Error, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String
    public var type: String
    public var code: String?

    public init(status: Int, message: String, type: String = "invalid_request_error", code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.code = code
    }

    public var description: String { "\(status) \(type): \(message)" }

    static func badRequest(_ message: String, code: String? = nil) -> APIError {
        APIError(status: 400, message: message, code: code)
    }

    static func server(_ message: String) -> APIError {
        APIError(status: 500, message: message, type: "server_error", code: "internal_error")
    }

    /// The JSON body; built by hand so it never fails to encode.
    var body: [UInt8] {
        var json = "{\"error\":{\"message\":\(JSONText.quoted(message)),\"type\":\(JSONText.quoted(type)),\"code\":"
        json += code.map(JSONText.quoted) ?? "null"
        json += "}}"
        return Array(json.utf8)
    }
}
