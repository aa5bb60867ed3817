import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `distillery serve` as a user starts it: the built binary on port 0, the port read from
/// its "listening on" line, one completion over loopback, then killed.
@Suite(.serialized)
struct ServeCommandTests {
    @Test func servesACompletionOnThePortItPrints() throws {
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = ["serve", ModelCommandTests.model, "--port", "0", "--slots", "2", "--context", "256",
                             "--threads", "1", "--model-name", "teacher"]
        let error = Pipe()
        process.standardError = error
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }

        var printed = ""
        while !printed.contains("\n") {
            let data = error.fileHandleForReading.availableData
            guard !data.isEmpty else { break }
            printed += String(decoding: data, as: UTF8.self)
        }
        let line = try #require(printed.split(separator: "\n").first.map(String.init))
        #expect(line.hasPrefix("listening on http://127.0.0.1:"), "\(printed)")
        let base = String(line.dropFirst("listening on ".count))
        #expect(Int(base.split(separator: ":").last ?? "") ?? 0 > 0)

        var request = URLRequest(url: URL(string: base + "/v1/chat/completions")!)
        request.httpMethod = "POST"
        request.timeoutInterval = 600
        request.httpBody = try JSONSerialization.data(withJSONObject: [
            "model": "teacher", "max_tokens": 8, "temperature": 0,
            "messages": [["role": "user", "content": "Say hi."]],
        ])
        let done = DispatchSemaphore(value: 0)
        let answer = Answer()
        URLSession.shared.dataTask(with: request) { data, response, _ in
            answer.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            answer.body = data ?? Data()
            done.signal()
        }.resume()
        done.wait()
        let (status, body) = (answer.status, answer.body)
        #expect(status == 200, "\(String(decoding: body, as: UTF8.self))")
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(json["model"] as? String == "teacher")
        let usage = try #require(json["usage"] as? [String: Int])
        #expect((1...8).contains(usage["completion_tokens"] ?? 0))
    }
}

/// Written by URLSession's callback thread before the semaphore is signalled, read after.
private final class Answer: @unchecked Sendable {
    var status = 0
    var body = Data()
}
