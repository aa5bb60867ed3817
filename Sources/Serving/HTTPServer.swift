import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on POSIX sockets: an accept thread and a thread per connection,
/// which suits a handful of clients that each wait seconds on a generation (no event loop
/// to build or learn). The handler runs on the connection's thread and sends exactly one
/// response per request through the writer.
public final class HTTPServer: @unchecked Sendable {
    public typealias Handler = (HTTPRequest, HTTPResponseWriter) -> Void

    public let host: String
    /// The bound port (the kernel's choice when 0 was asked for).
    public private(set) var port: Int = 0
    public let limits: HTTPLimits

    private let listener: Int32
    private let handler: Handler
    private let lock = NSLock()
    private var connections: [Int32: HTTPConnection] = [:]
    private var stopping = false
    private let threads = DispatchGroup()

    /// Binds and listens at once (so the port is known when this returns) and starts accepting.
    public init(host: String = "127.0.0.1", port: Int, limits: HTTPLimits = HTTPLimits(), handler: @escaping Handler) throws {
        self.host = host
        self.limits = limits
        self.handler = handler
        listener = try Self.listen(host: host, port: port)
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.port = Self.port(of: address)
        spawn { [self] in acceptLoop() }
    }

    /// Closes the listener, shuts every open connection (a handler blocked on a write sees
    /// the client gone) and waits for all threads to end.
    public func stop() {
        lock.lock()
        if stopping { lock.unlock(); return }
        stopping = true
        let open = Array(connections.values)
        lock.unlock()
        // shutdown, not close: it wakes the thread blocked in accept() on Linux.
        shutdown(listener, Int32(SHUT_RDWR))
        for connection in open { connection.shutDown() }
        threads.wait()
        _ = Glibc.close(listener)
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                lock.lock(); let done = stopping; lock.unlock()
                if done { return }
                if errno == EMFILE || errno == ENFILE { usleep(100_000); continue }
                return
            }
            let connection = HTTPConnection(fd: fd, limits: limits)
            lock.lock()
            if stopping { lock.unlock(); connection.close(); return }
            connections[fd] = connection
            lock.unlock()
            spawn { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: HTTPConnection) {
        defer {
            lock.lock(); connections[connection.fd] = nil; lock.unlock()
            connection.close()
        }
        while true {
            switch connection.readRequest() {
            case .closed:
                return
            case .refused(let error):
                let request = HTTPRequest(method: "", target: "", version: "HTTP/1.1", headers: ["connection": "close"], body: [])
                HTTPResponseWriter(connection: connection, request: request).send(error)
                return
            case .request(let request):
                let writer = HTTPResponseWriter(connection: connection, request: request)
                handler(request, writer)
                writer.finish()
                guard writer.keepsAlive else { return }
            }
        }
    }

    private func spawn(_ body: @escaping () -> Void) {
        threads.enter()
        let thread = Thread { [threads] in
            body()
            threads.leave()
        }
        // JSON decoding recurses per nesting level; leave room for a deeply nested body.
        thread.stackSize = 8 << 20
        thread.start()
    }

    private static func listen(host: String, port: Int) throws -> Int32 {
        guard (0...65535).contains(port) else { throw ServingError.invalidConfiguration("port \(port) is outside 0…65535") }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let info = found else {
            throw ServingError.invalidHost(host)
        }
        defer { freeaddrinfo(found) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { throw ServingError.socket(call: "socket", host: host, port: port, errno: errno) }
        var one: Int32 = 1
        // A restarted server can take its port back while old connections sit in TIME_WAIT.
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            throw ServingError.socket(call: "bind", host: host, port: port, errno: code)
        }
        guard Glibc.listen(fd, 128) == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            throw ServingError.socket(call: "listen", host: host, port: port, errno: code)
        }
        return fd
    }

    private static func port(of address: sockaddr_storage) -> Int {
        var address = address
        let family = Int32(address.ss_family)
        return withUnsafePointer(to: &address) { pointer in
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }
}
