import Foundation
import Testing
@testable import Serving
#if canImport(Glibc)
import Glibc
#endif

/// The HTTP layer alone, over real loopback, with a handler that echoes what it got.
@Suite(.serialized)
struct HTTPServerTests {
    static func echoServer(limits: HTTPLimits = HTTPLimits()) throws -> HTTPServer {
        try HTTPServer(port: 0, limits: limits) { request, writer in
            if request.path == "/stream" {
                writer.startStream(contentType: "text/event-stream")
                for i in 0..<3 { writer.writeChunk(Array("data: \(i)\n\n".utf8)) }
                writer.endStream()
            } else {
                writer.send(status: 200, contentType: "text/plain", body: Array("\(request.method) \(request.target) ".utf8) + request.body)
            }
        }
    }

    @Test func portZeroBindsAFreeLoopbackPort() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        #expect(server.port > 0)
        let response = try LoopbackClient.request("http://127.0.0.1:\(server.port)/hello?x=1")
        #expect(response.status == 200)
        #expect(response.text == "GET /hello?x=1 ")
    }

    @Test func keepAliveServesRequestsInTurnOnOneConnection() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let fd = try LoopbackClient.connect(port: server.port)
        defer { close(fd) }
        for body in ["first", "second"] {
            LoopbackClient.send(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            let reply = LoopbackClient.read(fd) { $0.hasSuffix("POST /echo \(body)") }
            #expect(reply.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(reply.hasSuffix("POST /echo \(body)"))
        }
    }

    @Test func streamedResponsesAreChunkedAndURLSessionReadsThem() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let response = try LoopbackClient.request("http://127.0.0.1:\(server.port)/stream")
        #expect(response.status == 200)
        #expect(LoopbackClient.events(response.text) == ["0", "1", "2"])
        let fd = try LoopbackClient.connect(port: server.port)
        defer { close(fd) }
        LoopbackClient.send(fd, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        let raw = LoopbackClient.read(fd) { $0.hasSuffix("0\r\n\r\n") }
        #expect(raw.contains("Transfer-Encoding: chunked\r\n"))
        #expect(raw.hasSuffix("9\r\ndata: 2\n\n\r\n0\r\n\r\n"))
    }

    @Test func chunkedRequestBodiesAreRefusedWith411() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let fd = try LoopbackClient.connect(port: server.port)
        defer { close(fd) }
        LoopbackClient.send(fd, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        let reply = LoopbackClient.read(fd) { _ in false }
        #expect(reply.hasPrefix("HTTP/1.1 411 Length Required\r\n"))
        #expect(reply.contains(#""type":"invalid_request_error""#))
        #expect(reply.contains("Content-Length"))
    }

    @Test func oversizedBodiesAndHeadersAreRefused() throws {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 100
        limits.maxHeaderBytes = 1024
        let server = try Self.echoServer(limits: limits)
        defer { server.stop() }
        let big = try LoopbackClient.request("http://127.0.0.1:\(server.port)/echo", method: "POST", body: Data(count: 101))
        #expect(big.status == 413)
        #expect(try (big.json()["error"] as? [String: Any])?["code"] as? String == "request_too_large")

        let fd = try LoopbackClient.connect(port: server.port)
        defer { close(fd) }
        LoopbackClient.send(fd, "GET / HTTP/1.1\r\nX-Padding: \(String(repeating: "a", count: 2000))\r\n\r\n")
        #expect(LoopbackClient.read(fd) { _ in false }.hasPrefix("HTTP/1.1 431 "))
    }

    @Test func malformedRequestLineIs400() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let fd = try LoopbackClient.connect(port: server.port)
        defer { close(fd) }
        LoopbackClient.send(fd, "NONSENSE\r\n\r\n")
        let reply = LoopbackClient.read(fd) { _ in false }
        #expect(reply.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(reply.contains(#"{"error":{"message":"malformed request line"#))
    }

    @Test func stopEndsIdleKeepAliveConnections() throws {
        let server = try Self.echoServer()
        let fd = try LoopbackClient.connect(port: server.port)
        defer { close(fd) }
        LoopbackClient.send(fd, "GET /a HTTP/1.1\r\n\r\n")
        _ = LoopbackClient.read(fd) { $0.hasSuffix("GET /a ") }
        server.stop()  // returns only once the connection's thread has ended
        #expect(LoopbackClient.read(fd) { _ in false } == "")
    }

    @Test func aPortInUseIsAClearError() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        #expect(throws: ServingError.socket(call: "bind", host: "127.0.0.1", port: server.port, errno: EADDRINUSE)) {
            _ = try HTTPServer(port: server.port) { _, _ in }
        }
    }
}
