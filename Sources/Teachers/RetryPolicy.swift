import Foundation

/// When a failed request is tried again, and after how long.
///
/// Retried: 408, 409, 429 and every 5xx (the statuses the OpenAI SDKs retry), timeouts,
/// connection errors, a stream that ends before its finish, and a 200 whose JSON does not
/// parse (a proxy or a dropped connection truncated it). Not retried: the other 4xx, since
/// the same request will get the same answer; 401 and 403 also stop the run (see
/// `HTTPTeacher`).
///
/// The wait is "full jitter" exponential backoff (AWS Architecture Blog, "Exponential Backoff
/// and Jitter", 2015): uniform in `0 ... min(maxDelay, baseDelay · 2^retry)`, which spreads
/// many workers that failed together. A server's `Retry-After` (seconds or an HTTP-date) or
/// OpenAI's `retry-after-ms` is honoured exactly instead, capped at `maxDelay`: the server
/// knows when its window reopens, and waiting longer than it asks only loses throughput.
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first request; a job makes at most `maxRetries + 1` requests.
    public var maxRetries: Int
    public var baseDelay: Double
    public var maxDelay: Double

    public init(maxRetries: Int = 6, baseDelay: Double = 1, maxDelay: Double = 60) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 409 || status == 429 || (500...599).contains(status)
    }

    /// Seconds to wait before retry number `retry` (0 for the first retry).
    public func delay<R: RandomNumberGenerator>(retry: Int, retryAfter: Double?, using random: inout R) -> Double {
        if let retryAfter { return min(max(retryAfter, 0), maxDelay) }
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(min(retry, 62))))
        return ceiling > 0 ? Double.random(in: 0...ceiling, using: &random) : 0
    }

    /// The wait a response asks for, in seconds: `retry-after-ms` (OpenAI), then `Retry-After`
    /// as delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Nil when absent or unreadable.
    public static func retryAfter(headers: [String: String], now: Date = Date()) -> Double? {
        let lower = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        if let ms = lower["retry-after-ms"].flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }), ms >= 0 {
            return ms / 1000
        }
        guard let value = lower["retry-after"]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
