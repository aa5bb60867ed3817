import Foundation

/// Why one request to an endpoint failed. Messages name the URL and status and quote the
/// server's own error text; they never contain the API key (`HTTPTeacher` also redacts it
/// from anything a server echoes back).
public enum HTTPTeacherError: Error, Equatable, CustomStringConvertible {
    /// A non-2xx reply, with the server's `error.message` (or the start of its body).
    case status(Int, message: String, retryAfter: Double?)
    /// The server sent nothing for the request timeout.
    case timeout(seconds: Double)
    /// The connection could not be made or broke (URLSession's error text).
    case connection(String)
    /// A stream ended before `[DONE]` or a finish reason: the connection dropped mid-reply.
    case streamEnded(chunks: Int)
    /// A reply with status 200 whose body is not the JSON of a chat completion.
    case malformedResponse(String)
    /// An `error` object sent inside a 200 stream (vLLM does this when generation fails).
    case streamError(String)
    /// The job asks for something the endpoint cannot give; not sent.
    case invalidJob(String)
    /// 401 or 403: the key is wrong or lacks access, so every other request would fail too.
    case unauthorized(Int, message: String, url: String)

    public var isRetryable: Bool {
        switch self {
        case .status(let code, _, _): return RetryPolicy.isRetryable(status: code)
        case .timeout, .connection, .streamEnded, .malformedResponse, .streamError: return true
        case .invalidJob, .unauthorized: return false
        }
    }

    /// A short key for the summary's counts: `429`, `timeout`, `dropped stream`, ….
    public var reason: String {
        switch self {
        case .status(let code, _, _): return "HTTP \(code)"
        case .timeout: return "timeout"
        case .connection: return "connection error"
        case .streamEnded: return "dropped stream"
        case .malformedResponse: return "malformed JSON"
        case .streamError: return "error in stream"
        case .invalidJob: return "invalid request"
        case .unauthorized(let code, _, _): return "HTTP \(code)"
        }
    }

    public var description: String {
        switch self {
        case .status(let code, let message, _): return "HTTP \(code): \(message)"
        case .timeout(let seconds): return "the server sent nothing for \(seconds) s (--request-timeout)"
        case .connection(let text): return "connection failed: \(text)"
        case .streamEnded(let chunks):
            return "the stream ended after \(chunks) chunks without [DONE] or a finish reason (connection dropped)"
        case .malformedResponse(let text): return "malformed response: \(text)"
        case .streamError(let message): return "the server reported an error mid-stream: \(message)"
        case .invalidJob(let text): return text
        case .unauthorized(let code, let message, let url):
            return "HTTP \(code) from \(url): \(message). Check the key in the variable named by --api-key-env "
                + "and that it may use this model."
        }
    }
}
