import Foundation
import Testing
@testable import Tokenizers

@Suite struct StreamingDetokenizerTests {
    /// Token-by-token output concatenates to the full decode and never contains U+FFFD, even
    /// where a character's bytes are spread over several tokens.
    @Test func streamsWholeCharactersOnly() throws {
        let tokenizer = try Fixtures.smolLM2FromGGUF.get()
        for text in try Fixtures.corpus() where !text.contains("\u{FFFD}") {
            let ids = tokenizer.encode(text)
            var stream = StreamingDetokenizer(tokenizer: tokenizer)
            var pieces: [String] = []
            for id in ids { pieces.append(stream.append(id)) }
            pieces.append(stream.finish())
            #expect(pieces.joined() == tokenizer.decode(ids))
            #expect(pieces.allSatisfy { !$0.contains("\u{FFFD}") })
        }
    }

    @Test func multiByteCharactersReallyAreSplitAcrossTokens() throws {
        let tokenizer = try Fixtures.smolLM2FromGGUF.get()
        let text = "👨‍👩‍👧‍👦 日本語のテキスト 😀"
        let ids = tokenizer.encode(text)
        // At least one token must end mid-character, or the test above proves nothing.
        let partial = ids.contains { String(validating: tokenizer.tokenBytes($0), as: UTF8.self) == nil }
        #expect(partial)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        var out = ""
        for id in ids {
            let piece = stream.append(id)
            #expect(!piece.contains("\u{FFFD}"))
            out += piece
        }
        out += stream.finish()
        #expect(out == text)
    }

    @Test func finishFlushesAnIncompleteCharacterAsReplacement() throws {
        let tokenizer = try Fixtures.smolLM2FromGGUF.get()
        let ids = tokenizer.encode("😀")
        try #require(ids.count > 1)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(stream.append(ids[0]) == "")
        #expect(stream.finish() == "\u{FFFD}")
        #expect(stream.append(-5) == "")  // out of range: nothing, no trap
    }

    @Test func completePrefixRule() {
        #expect(StreamingDetokenizer.completePrefixLength([0x61, 0xF0, 0x9F, 0x98]) == 1)
        #expect(StreamingDetokenizer.completePrefixLength([0x61, 0xF0, 0x9F, 0x98, 0x80]) == 5)
        #expect(StreamingDetokenizer.completePrefixLength([0xE6, 0x97]) == 0)
        #expect(StreamingDetokenizer.completePrefixLength([0xC3]) == 0)
        #expect(StreamingDetokenizer.completePrefixLength([]) == 0)
    }
}
