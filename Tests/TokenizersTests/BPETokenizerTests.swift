import Foundation
import Testing
@testable import Tokenizers

@Suite struct BPETokenizerTests {
    @Test func byteAlphabetIsTheGPT2Table() {
        #expect(ByteLevelAlphabet.scalarForByte[0x20] == 0x120)  // space → Ġ
        #expect(ByteLevelAlphabet.scalarForByte[0x0A] == 0x10A)  // LF → Ċ
        #expect(ByteLevelAlphabet.scalarForByte[0xA0] == 0x142)  // → ł
        #expect(ByteLevelAlphabet.scalarForByte[0xAD] == 0x143)  // → Ń
        #expect(ByteLevelAlphabet.scalarForByte[0x41] == 0x41)
        #expect(Set(ByteLevelAlphabet.scalarForByte).count == 256)
    }

    @Test func unknownPreTokenizerNameListsTheSupportedOnes() {
        let vocab = TokenizerVocabulary(tokens: ["a"], tokenTypes: [1], merges: [], preTokenizer: "tekken")
        do {
            _ = try BPETokenizer(vocabulary: vocab)
            Issue.record("expected a throw")
        } catch let error as TokenizerError {
            #expect(error.description.contains("'tekken'"))
            #expect(error.description.contains("llama-bpe") && error.description.contains("smollm")
                    && error.description.contains("qwen2") && error.description.contains("deepseek-r1-qwen"))
        } catch {
            Issue.record("wrong error \(error)")
        }
    }

    @Test func malformedVocabulariesThrow() {
        #expect(throws: TokenizerError.self) {
            try BPETokenizer(vocabulary: TokenizerVocabulary(tokens: ["a", "b"], tokenTypes: [1], merges: [], preTokenizer: "gpt-2"))
        }
        #expect(throws: TokenizerError.self) {
            try BPETokenizer(vocabulary: TokenizerVocabulary(tokens: ["a", "b"], tokenTypes: [], merges: ["ab"], preTokenizer: "gpt-2"))
        }
        #expect(throws: TokenizerError.self) {
            try BPETokenizer(tokenizerJSONData: Data("{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}".utf8))
        }
        #expect(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSONData: Data("nonsense".utf8)) }
        let sparse = #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 2000000000}, "merges": []}, "pre_tokenizer": {"type": "ByteLevel"}}"#
        #expect(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSONData: Data(sparse.utf8)) }
        let unknownSplit = #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Whitespace"}, {"type": "ByteLevel", "use_regex": false}]}}"#
        do {
            _ = try BPETokenizer(tokenizerJSONData: Data(unknownSplit.utf8))
            Issue.record("expected a throw")
        } catch let error as TokenizerError {
            #expect(error.description.contains("Whitespace"))
        } catch {
            Issue.record("wrong error \(error)")
        }
    }

    @Test func smolLM2SpecialIDs() throws {
        let t = try Fixtures.smolLM2FromGGUF.get()
        #expect(t.vocabularySize == 49152)
        #expect(t.bosID == 1 && t.eosID == 2 && !t.addsBOS)
        #expect(t.id(of: "<|im_end|>") == 2)
        #expect(t.id(of: "Ġthe") != nil)
        #expect(t.endOfGenerationIDs.contains(2))      // <|im_end|>
        #expect(t.endOfGenerationIDs.contains(0))      // <|endoftext|>
        #expect(!t.endOfGenerationIDs.contains(1))
        #expect(t.eotID == 2)
        #expect(t.tokenBytes(2) == Array("<|im_end|>".utf8))
        let json = try Fixtures.smolLM2FromJSON.get()
        #expect(json.bosID == 1 && json.eosID == 2 && !json.addsBOS && json.vocabularySize == 49152)
    }

    @Test func decodeSkipsOutOfRangeIDs() throws {
        let t = try Fixtures.smolLM2FromGGUF.get()
        let ids = t.encode("Hello world")
        #expect(t.decode([-1] + ids + [Int32.max, 49152]) == "Hello world")
        #expect(t.tokenBytes(-3).isEmpty && t.tokenText(1_000_000) == nil)
    }

    @Test func specialTokensParsedOnlyWhenAsked() throws {
        let t = try Fixtures.smolLM2FromGGUF.get()
        let text = "<|im_start|>user\nHi<|im_end|>"
        let parsed = t.encode(text)
        #expect(parsed.first == 1 && parsed.last == 2)
        let plain = t.encode(text, parseSpecialTokens: false)
        #expect(!plain.contains(1) && !plain.contains(2))
        #expect(t.decode(parsed, skipSpecialTokens: true) == "user\nHi")
    }

    @Test func llama3FamilyAddsBOSAndEndOfGeneration() throws {
        let t = try BPETokenizer(tokenizerJSON: Fixtures.url("llama3/tokenizer.json"))
        let bos = try #require(t.id(of: "<|begin_of_text|>"))
        #expect(t.addsBOS && t.bosID == bos)
        #expect(t.encode("Hi").first == bos)
        #expect(t.encode("Hi", addSpecialTokens: false).first != bos)
        let eot = try #require(t.id(of: "<|eot_id|>"))
        #expect(t.endOfGenerationIDs.isSuperset(of: [eot, try #require(t.id(of: "<|eom_id|>")), try #require(t.id(of: "<|end_of_text|>"))]))
        let r1 = try BPETokenizer(tokenizerJSON: Fixtures.url("deepseek-r1-qwen/tokenizer.json"))
        #expect(r1.endOfGenerationIDs.contains(try #require(r1.id(of: "<｜end▁of▁sentence｜>"))))
        #expect(r1.addsBOS && r1.bosID == r1.id(of: "<｜begin▁of▁sentence｜>"))
    }

    /// §2.2: added tokens with `special: false` (USER_DEFINED, e.g. Qwen's `<think>`) are
    /// matched even when special-token parsing is off.
    @Test func userDefinedTokensAlwaysMatch() throws {
        let t = try BPETokenizer(tokenizerJSON: Fixtures.url("qwen2/tokenizer.json"))
        let think = try #require(t.id(of: "<think>"))
        #expect(t.encode("a<think>b", parseSpecialTokens: false).contains(think))
        #expect(!t.encode("<|im_start|>", parseSpecialTokens: false).contains(try #require(t.id(of: "<|im_start|>"))))
    }

    /// Long runs are single words under GPT2 rules; the heap merge keeps them near-linear.
    @Test(.timeLimit(.minutes(1))) func longRunsAreNotQuadratic() throws {
        let t = try Fixtures.smolLM2FromGGUF.get()
        for text in [String(repeating: " ", count: 100_000), String(repeating: "7", count: 100_000),
                     String(repeating: "\n \t", count: 35_000), String(repeating: "a", count: 100_000)] {
            let start = ContinuousClock.now
            let ids = t.encode(text)
            #expect(t.decode(ids) == text)
            #expect(ContinuousClock.now - start < .seconds(10))
        }
        let deepseek = try BPETokenizer(tokenizerJSON: Fixtures.url("deepseek-llm/tokenizer.json"))
        let prose = String(repeating: "Words, 12 words; 日本語 text!\n", count: 4000)  // 120 kB, many pieces
        let start = ContinuousClock.now
        #expect(deepseek.decode(deepseek.encode(prose, addSpecialTokens: false)) == prose)
        #expect(ContinuousClock.now - start < .seconds(20))
        let llama = try BPETokenizer(tokenizerJSON: Fixtures.url("llama3/tokenizer.json"))
        let spaces = String(repeating: " ", count: 100_000) + "x"
        #expect(llama.decode(llama.encode(spaces, addSpecialTokens: false)) == spaces)
    }

    @Test func pretokenizerNamesMapToRules() {
        #expect(PreTokenizer.byGGUFName["deepseek-r1-qwen"]?.rules == .qwen2)
        #expect(PreTokenizer.byGGUFName["llama-bpe"]?.ignoreMerges == true)
        #expect(BPETokenizer.defaultAddsBOS(preTokenizer: "llama-bpe"))
        #expect(!BPETokenizer.defaultAddsBOS(preTokenizer: "smollm"))
        #expect(PreTokenizer.byGGUFName["starcoder"]?.rules == .smollm)
        #expect(PreTokenizer.byGGUFName["deepseek-v3"] == nil && WordSplitter.regexFamilies["deepseek-v3"] != nil)
        #expect(BPETokenizer.supportedPreTokenizerNames.contains("deepseek-v3"))
    }
}
