import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Requests over real loopback: URLSession, as the HTTP teacher client uses, and a raw
/// socket for what URLSession will not send (malformed requests, a client that hangs up).
enum LoopbackClient {
    struct Response {
        var status: Int
        var body: Data
        var headers: [String: String]
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw LoopbackFailure(message: "not a JSON object: \(text)")
            }
            return object
        }
    }

    static func request(_ url: String, method: String = "GET", body: Data? = nil, timeout: TimeInterval = 600) throws -> Response {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = timeout
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        let done = DispatchSemaphore(value: 0)
        let result = ConcurrentResults<Result<Response, Error>>(count: 1)
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                result.set(0, .failure(error))
            } else if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (key, value) in http.allHeaderFields { headers[String(describing: key).lowercased()] = String(describing: value) }
                result.set(0, .success(Response(status: http.statusCode, body: data ?? Data(), headers: headers)))
            }
            done.signal()
        }.resume()
        done.wait()
        return try (result.values.first ?? .failure(LoopbackFailure(message: "no answer from \(url)"))).get()
    }

    static func post(_ url: String, json: [String: Any]) throws -> Response {
        try request(url, method: "POST", body: try JSONSerialization.data(withJSONObject: json))
    }

    /// Connects a plain TCP socket to 127.0.0.1:`port`.
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            let code = errno
            close(fd)
            throw LoopbackFailure(message: "connect to port \(port) failed: errno \(code)")
        }
        var timeout = timeval(tv_sec: 300, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until `done` says the bytes so far are enough, or the server closes.
    static func read(_ fd: Int32, until done: (String) -> Bool) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !done(String(decoding: bytes, as: UTF8.self)) {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            bytes += chunk[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The `data:` payloads of a server-sent event stream, in order.
    static func events(_ body: String) -> [String] {
        body.components(separatedBy: "\n\n").compactMap { event in
            event.hasPrefix("data: ") ? String(event.dropFirst(6)) : nil
        }
    }
}

struct LoopbackFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
