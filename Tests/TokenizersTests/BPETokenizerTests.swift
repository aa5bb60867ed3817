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
    /// Measured as this thread's CPU time for a run and for one four times longer: linear
    /// work grows 4×, quadratic 16×. CPU time and a ratio, not wall time against a limit, so
    /// the check holds when the whole suite loads the machine.
    @Test func longRunsAreNotQuadratic() throws {
        let t = try Fixtures.smolLM2FromGGUF.get()
        let llama = try BPETokenizer(tokenizerJSON: Fixtures.url("llama3/tokenizer.json"))
        let deepseek = try BPETokenizer(tokenizerJSON: Fixtures.url("deepseek-llm/tokenizer.json"))
        let cases: [(name: String, tokenizer: BPETokenizer, text: (Int) -> String)] = [
            ("spaces", t, { String(repeating: " ", count: $0) }),
            ("digits", t, { String(repeating: "7", count: $0) }),
            ("whitespace mix", t, { String(repeating: "\n \t", count: $0 / 3) }),
            ("letters", t, { String(repeating: "a", count: $0) }),
            ("llama3 spaces", llama, { String(repeating: " ", count: $0) + "x" }),
            ("deepseek prose", deepseek, { String(repeating: "Words, 12 words; 日本語 text!\n", count: $0 / 30) }),
        ]
        for (name, tokenizer, text) in cases {
            let short = text(25_000), long = text(100_000)
            #expect(tokenizer.decode(tokenizer.encode(long, addSpecialTokens: false)) == long, "\(name)")
            let shortTime = bestCPUSeconds { _ = tokenizer.encode(short, addSpecialTokens: false) }
            let longTime = bestCPUSeconds { _ = tokenizer.encode(long, addSpecialTokens: false) }
            #expect(longTime < 8 * max(shortTime, 1e-3), "\(name): 25k chars \(shortTime) s, 100k chars \(longTime) s of CPU")
        }
    }

    /// The least CPU time of this thread over three runs of `body`.
    private func bestCPUSeconds(_ body: () -> Void) -> Double {
        func now() -> Double {
            var spec = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
            return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
        }
        return (0..<3).map { _ in
            let start = now()
            body()
            return now() - start
        }.min() ?? 0
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
