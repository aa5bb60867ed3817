import Foundation
import Testing
@testable import Tokenizers

/// The §4.3 scanners must cut text exactly where Hugging Face's regex pre-tokenizers do, on the
/// corpus and on 3000 random strings built from the characters where the rules branch.
@Suite struct PreTokenizerTests {
    @Test(arguments: ["gpt2", "smollm", "llama3", "qwen2", "deepseek-llm", "deepseek-coder", "deepseek-v3"])
    func wordsMatchHuggingFace(_ name: String) throws {
        let rules: WordSplitter = switch name {
        case "deepseek-llm", "deepseek-coder", "deepseek-v3": try WordSplitter.named(name).splitter
        default: .scanner(try #require(PreTokenizer(rawValue: name)))
        }
        guard let fixture = try Fixtures.json("pretokenizer-splits.json") as? [String: Any],
              let texts = fixture["texts"] as? [String],
              let expected = fixture[name] as? [[String]] else {
            throw FixtureError.malformed("pretokenizer-splits.json")
        }
        try #require(texts.count == expected.count && texts.count > 3000)
        var failures = 0
        for (text, want) in zip(texts, expected) {
            let got = rules.words(text)
            if got != want {
                failures += 1
                if failures <= 5 { Issue.record("\(name) \(text.debugDescription): \(got) != \(want)") }
            }
        }
        #expect(failures == 0)
    }

    @Test func llama3Examples() {
        // Case-insensitive contractions, 3-digit groups, a prefix character before letters,
        // line breaks kept with the whitespace before them.
        #expect(WordSplitter.scanner(.llama3).words("I'M 12345 (abc\n\n x") == ["I", "'M", "Ġ", "123", "45", "Ġ(", "abc", "ĊĊ", "Ġx"])
        #expect(WordSplitter.scanner(.qwen2).words("12345") == ["1", "2", "3", "4", "5"])
        #expect(WordSplitter.scanner(.gpt2).words("I'M  ok") == ["I", "'", "M", "Ġ", "Ġok"])
        #expect(WordSplitter.scanner(.smollm).words("a 12") == ["a", "Ġ", "1", "2"])
    }
}
