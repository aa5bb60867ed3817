import Foundation
import Testing
@testable import Teachers

@Suite struct ServerSentEventDecoderTests {
    @Test func joinsDataLinesSkipsCommentsAndSurvivesAnySplit() {
        let stream = ": keep-alive\r\n\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\nevent: x\ndata:[DONE]\n\n"
        let bytes = Array(stream.utf8)
        for size in [1, 2, 7, bytes.count] {
            var decoder = ServerSentEventDecoder()
            var events: [String] = []
            for start in stride(from: 0, to: bytes.count, by: size) {
                events += decoder.feed(Data(bytes[start..<min(start + size, bytes.count)]))
            }
            events += decoder.finish()
            #expect(events == ["{\"a\":\n1}", "[DONE]"], "chunk size \(size)")
        }
    }

    @Test func keepsALastEventWithoutItsBlankLine() {
        var decoder = ServerSentEventDecoder()
        #expect(decoder.feed(Data("data: x".utf8)).isEmpty)
        #expect(decoder.finish() == ["x"])
    }
}
