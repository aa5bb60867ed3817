import Foundation
import Testing
@testable import Tokenizers

/// Renders must equal transformers' Jinja rendering of the real templates
/// (fixtures: scripts/fixtures/make_chat_fixtures.py).
@Suite struct ChatTemplateTests {
    struct Case {
        var template: String
        var family: String
        var conversation: String
        var messages: [ChatMessage]
        var addGenerationPrompt: Bool
        var dateString: String?
        var rendered: String
    }

    static func cases() throws -> [Case] {
        guard let rows = try Fixtures.json("chat/expected.json") as? [[String: Any]] else {
            throw FixtureError.malformed("chat/expected.json")
        }
        return try rows.map { row in
            guard let template = row["template"] as? String, let family = row["family"] as? String,
                  let conversation = row["conversation"] as? String, let messages = row["messages"] as? [[String: String]],
                  let gen = row["add_generation_prompt"] as? Bool, let rendered = row["rendered"] as? String else {
                throw FixtureError.malformed("chat/expected.json")
            }
            return Case(template: template, family: family, conversation: conversation,
                        messages: messages.map { ChatMessage(role: $0["role"] ?? "", content: $0["content"] ?? "") },
                        addGenerationPrompt: gen, dateString: row["date_string"] as? String, rendered: rendered)
        }
    }

    static func source(_ file: String) throws -> String {
        try String(contentsOf: Fixtures.url("chat/templates/\(file)"), encoding: .utf8)
    }

    @Test func rendersMatchJinjaForEveryTemplateAndConversation() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 90)
        for c in cases {
            var template = try ChatTemplate(jinjaSource: Self.source(c.template))
            template.dateString = c.dateString
            let rendered = try template.render(c.messages, addGenerationPrompt: c.addGenerationPrompt)
            #expect(rendered == c.rendered, "\(c.template) \(c.conversation) gen=\(c.addGenerationPrompt)")
            // The --chat-template override by name renders the same.
            var named = try ChatTemplate.named(c.family)
            named.dateString = c.dateString
            #expect(try named.render(c.messages, addGenerationPrompt: c.addGenerationPrompt) == c.rendered,
                    "named(\(c.family)) \(c.conversation)")
        }
    }

    @Test func recognisesFamiliesFromJinjaSource() throws {
        #expect(try ChatTemplate(jinjaSource: Self.source("smollm2.jinja")).family == .smolLM2)
        #expect(try ChatTemplate(jinjaSource: Self.source("qwen2.5.jinja")).family == .qwen25)
        #expect(try ChatTemplate(jinjaSource: Self.source("llama3.jinja")).family == .llama3)
        #expect(try ChatTemplate(jinjaSource: Self.source("llama3.1.jinja")).family == .llama31(fixedDate: "26 Jul 2024"))
        #expect(try ChatTemplate(jinjaSource: Self.source("llama3.2.jinja")).family == .llama31(fixedDate: nil))
        #expect(try ChatTemplate(jinjaSource: Self.source("deepseek-r1-distill.jinja")).family == .deepSeekR1(thinkingPrefill: true))
        let plain = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
        #expect(try ChatTemplate(jinjaSource: plain).family == .chatML)
        // The first R1 revisions ended the prompt with `<｜Assistant｜>` only.
        let oldR1 = "{{bos_token}}{% for message in messages %}{% if message['role'] == 'user' %}{{'<｜User｜>' + message['content']}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{'<｜Assistant｜>'}}{% endif %}"
        let r1 = try ChatTemplate(jinjaSource: oldR1)
        #expect(r1.family == .deepSeekR1(thinkingPrefill: false))
        #expect(try r1.render([ChatMessage(role: "user", content: "Hi")], addGenerationPrompt: true)
                == "<｜begin▁of▁sentence｜><｜User｜>Hi<｜Assistant｜>")
    }

    @Test func plainChatMLHasNoDefaultSystemPrompt() throws {
        let t = try ChatTemplate.named("chatml")
        #expect(try t.render([ChatMessage(role: "user", content: "Hello")], addGenerationPrompt: true)
                == "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func unrecognisedTemplateNamesTheOverride() {
        let gemma = "{{ bos_token }}{% for message in messages %}<start_of_turn>{{ message['role'] }}\n{{ message['content'] }}<end_of_turn>\n{% endfor %}"
        #expect(throws: ChatTemplateError.unrecognizedTemplate) { try ChatTemplate(jinjaSource: gemma) }
        let message = ChatTemplateError.unrecognizedTemplate.description
        #expect(message.contains("not recognised"))
        #expect(message.contains("--chat-template chatml|qwen2.5|llama3|deepseek-r1"))
        // A ChatML template with its own default prompt or tools is not plain ChatML.
        let qwen3ish = "{% if tools %}{% endif %}<|im_start|>system\nYou are a bot<|im_end|>"
        #expect(throws: ChatTemplateError.unrecognizedTemplate) { try ChatTemplate(jinjaSource: qwen3ish) }
        #expect(throws: ChatTemplateError.unknownTemplateName("vicuna")) { try ChatTemplate.named("vicuna") }
    }

    @Test func badConversationsThrowInsteadOfTrapping() throws {
        let llama = try ChatTemplate.named("llama3.1")
        #expect(throws: ChatTemplateError.emptyConversation) { try llama.render([], addGenerationPrompt: true) }
        #expect(throws: ChatTemplateError.self) {
            try llama.render([ChatMessage(role: "user", content: "a"), ChatMessage(role: "robot", content: "b")],
                             addGenerationPrompt: true)
        }
        do {
            _ = try ChatTemplate.named("smollm2").render([ChatMessage(role: "tool", content: "x")], addGenerationPrompt: false)
            Issue.record("expected a throw")
        } catch let error as ChatTemplateError {
            #expect(error.description.contains("message 0 has role 'tool'"))
        }
    }

    @Test func llama32WithoutDateUsesToday() throws {
        let t = try ChatTemplate(jinjaSource: Self.source("llama3.2.jinja"))
        let rendered = try t.render([ChatMessage(role: "user", content: "Hi")], addGenerationPrompt: true)
        #expect(rendered.contains("Today Date: \(ChatTemplate.today())\n\n"))
    }

    /// §8.3: after stripping the BOS text, encoding with add_bos gives exactly one BOS.
    @Test func renderedPromptTokenizesWithOneBOS() throws {
        let tokenizer = try BPETokenizer(tokenizerJSON: Fixtures.url("llama3/tokenizer.json"))
        let t = try ChatTemplate.named("llama3.1")
        let prompt = try t.render([ChatMessage(role: "user", content: "Hello")], addGenerationPrompt: true)
        let bosText = try #require(t.beginningOfSequenceText)
        let bos = try #require(tokenizer.bosID)
        #expect(tokenizer.addsBOS)
        let ids = tokenizer.encode(String(prompt.dropFirst(bosText.count)))
        #expect(ids.filter { $0 == bos }.count == 1 && ids.first == bos)
        #expect(tokenizer.encode(prompt, addSpecialTokens: false) == ids)
    }
}

@Suite struct ChatTemplateSourceTests {
    @Test func readsTheTemplateFromTokenizerConfig() throws {
        let source = try #require(try ChatTemplate.jinjaSource(inHuggingFaceFolder: Fixtures.url("smollm2")))
        #expect(try ChatTemplate(jinjaSource: source).family == .smolLM2)
        #expect(try ChatTemplate.jinjaSource(inHuggingFaceFolder: Fixtures.url("gpt2")) == nil)
    }
}
