import Foundation

/// One turn of a conversation, in the "messages" form every chat template takes.
public struct ChatMessage: Sendable, Codable, Equatable {
    /// `system`, `user`, `assistant`, or `tool` (Qwen2.5 and DeepSeek-R1 only).
    public var role: String
    public var content: String
    /// The assistant's reasoning, kept beside the answer. None of the supported templates
    /// render it: DeepSeek-R1's drops everything up to `</think>` from assistant history, and
    /// the others have no reasoning slot. A trainer that wants reasoning in the target appends
    /// `reasoning</think>…` after the generation prompt itself.
    public var reasoning: String?

    public init(role: String, content: String, reasoning: String? = nil) {
        self.role = role
        self.content = content
        self.reasoning = reasoning
    }
}

/// Why a conversation could not be rendered, or a template not recognised.
public enum ChatTemplateError: Error, CustomStringConvertible, Equatable, Sendable {
    case unrecognizedTemplate
    case unknownTemplateName(String)
    case unsupportedRole(role: String, messageIndex: Int, template: String, supported: [String])
    case emptyConversation

    public var description: String {
        switch self {
        case .unrecognizedTemplate:
            return "the model's chat template is not recognised (supported: SmolLM2/ChatML, Qwen2.5, Llama 3/3.1/3.2, "
                + "DeepSeek-R1); choose one with --chat-template chatml|qwen2.5|llama3|deepseek-r1"
        case let .unknownTemplateName(name):
            return "unknown chat template '\(name)'; use one of: \(ChatTemplate.names.joined(separator: ", "))"
        case let .unsupportedRole(role, index, template, supported):
            return "message \(index) has role '\(role)', which the \(template) template does not support "
                + "(supported: \(supported.joined(separator: ", ")))"
        case .emptyConversation:
            return "cannot render an empty conversation: give at least one message"
        }
    }
}

/// A model's chat format, rendered natively (no Jinja engine) for the families in
/// TOKENIZERS.md §8; each renders byte for byte what its Jinja template renders for
/// conversations without tool calls (checked against transformers in the chat fixtures).
public struct ChatTemplate: Sendable, Equatable {
    public enum Family: Sendable, Equatable {
        /// Plain ChatML, llama.cpp's built-in `chatml` (§8.5): no default system prompt.
        case chatML
        /// ChatML with SmolLM2's default system prompt (§8.1).
        case smolLM2
        /// ChatML with Qwen2.5's default system prompt and tool-result turns (§8.2).
        case qwen25
        /// Meta-Llama-3-Instruct: header turns, trimmed content, no system turn unless given (§8.3).
        case llama3
        /// Llama 3.1/3.2/3.3: always a system turn with the knowledge-cutoff and date lines.
        /// `fixedDate` is the template's own default (3.1/3.3: "26 Jul 2024"); nil means the
        /// template asks for today's date (3.2's `strftime_now("%d %b %Y")`).
        case llama31(fixedDate: String?)
        /// DeepSeek-R1 and R1-Distill (§8.4). `thinkingPrefill`: the generation prompt opens a
        /// `<think>\n` block, as the later template revisions do.
        case deepSeekR1(thinkingPrefill: Bool)
    }

    public let family: Family
    /// Llama 3.1+: the `date_string` a caller may pass to the Jinja template; overrides the
    /// template's own date. Ignored by the other families.
    public var dateString: String?

    /// Names accepted by `named(_:)`, for a `--chat-template` override.
    public static let names = ["chatml", "smollm2", "qwen2.5", "llama3", "llama3.1", "llama3.2", "deepseek-r1"]

    public init(family: Family) {
        self.family = family
    }

    /// The template for a `--chat-template` name. `llama3` is the Llama 3.0 form (llama.cpp's
    /// built-in `llama3` plus the BOS text); `llama3.1` adds the 26 Jul 2024 date header and
    /// `llama3.2` today's date.
    public static func named(_ name: String) throws -> ChatTemplate {
        switch name.lowercased() {
        case "chatml": return ChatTemplate(family: .chatML)
        case "smollm2", "smollm": return ChatTemplate(family: .smolLM2)
        case "qwen2.5", "qwen2", "qwen": return ChatTemplate(family: .qwen25)
        case "llama3", "llama3.0": return ChatTemplate(family: .llama3)
        case "llama3.1", "llama3.3": return ChatTemplate(family: .llama31(fixedDate: ChatTemplate.llama31DefaultDate))
        case "llama3.2": return ChatTemplate(family: .llama31(fixedDate: nil))
        case "deepseek-r1", "deepseek-r1-distill": return ChatTemplate(family: .deepSeekR1(thinkingPrefill: true))
        default: throw ChatTemplateError.unknownTemplateName(name)
        }
    }

    static let llama31DefaultDate = "26 Jul 2024"
    static let smolLM2SystemPrompt = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
    static let qwen25SystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."

    /// Recognises the family of a Hugging Face Jinja chat template (GGUF `tokenizer.chat_template`)
    /// by markers only that family's template contains. Anything else throws
    /// `ChatTemplateError.unrecognizedTemplate`, whose message names the override.
    public init(jinjaSource s: String) throws {
        if s.contains("<｜User｜>") && s.contains("<｜Assistant｜>") {
            family = .deepSeekR1(thinkingPrefill: s.contains("<｜Assistant｜><think>"))
        } else if s.contains("<|start_header_id|>") && s.contains("<|end_header_id|>") {
            if s.contains("Cutting Knowledge Date") {
                family = .llama31(fixedDate: s.contains("strftime_now") ? nil : Self.literalDate(in: s))
            } else {
                family = .llama3
            }
        } else if s.contains("<|im_start|>") && s.contains("<|im_end|>") {
            if s.contains(Self.smolLM2SystemPrompt) {
                family = .smolLM2
            } else if s.contains(Self.qwen25SystemPrompt) {
                family = .qwen25
            } else if ["You are", "<think>", "tools", "reasoning", "system_message"].allSatisfy({ !s.contains($0) }) {
                family = .chatML
            } else {
                throw ChatTemplateError.unrecognizedTemplate
            }
        } else {
            throw ChatTemplateError.unrecognizedTemplate
        }
    }

    /// `set date_string = "26 Jul 2024"` → `26 Jul 2024`.
    private static func literalDate(in s: String) -> String {
        guard let r = s.range(of: "set date_string = \"") else { return llama31DefaultDate }
        let rest = s[r.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return llama31DefaultDate }
        return String(rest[..<end])
    }

    /// The BOS text the rendered prompt starts with, if any. Tokenize the prompt with
    /// `addSpecialTokens: false`, or strip this prefix first, so exactly one BOS results (§8, §8.3).
    public var beginningOfSequenceText: String? {
        switch family {
        case .llama3, .llama31: return "<|begin_of_text|>"
        case .deepSeekR1: return "<｜begin▁of▁sentence｜>"
        case .chatML, .smolLM2, .qwen25: return nil
        }
    }

    /// The text that ends an assistant turn, for stop strings and for building training targets.
    public var endOfTurnText: String {
        switch family {
        case .chatML, .smolLM2, .qwen25: return "<|im_end|>"
        case .llama3, .llama31: return "<|eot_id|>"
        case .deepSeekR1: return "<｜end▁of▁sentence｜>"
        }
    }

    var name: String {
        switch family {
        case .chatML: return "ChatML"
        case .smolLM2: return "SmolLM2"
        case .qwen25: return "Qwen2.5"
        case .llama3: return "Llama 3"
        case .llama31: return "Llama 3.1"
        case .deepSeekR1: return "DeepSeek-R1"
        }
    }

    var supportedRoles: [String] {
        switch family {
        case .qwen25, .deepSeekR1: return ["system", "user", "assistant", "tool"]
        case .chatML, .smolLM2, .llama3, .llama31: return ["system", "user", "assistant"]
        }
    }

    /// Renders the conversation as the family's template does (§8). Throws for an empty
    /// conversation or a role the template does not support; never traps.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) throws -> String {
        guard !messages.isEmpty else { throw ChatTemplateError.emptyConversation }
        let roles = supportedRoles
        for (i, m) in messages.enumerated() where !roles.contains(m.role) {
            throw ChatTemplateError.unsupportedRole(role: m.role, messageIndex: i, template: name, supported: roles)
        }
        switch family {
        case .chatML: return Self.renderChatML(messages, defaultSystem: nil, addGenerationPrompt)
        case .smolLM2: return Self.renderChatML(messages, defaultSystem: Self.smolLM2SystemPrompt, addGenerationPrompt)
        case .qwen25: return Self.renderQwen25(messages, addGenerationPrompt)
        case .llama3: return Self.renderLlama3(messages, addGenerationPrompt)
        case let .llama31(fixedDate):
            let date = dateString ?? fixedDate ?? Self.today()
            return Self.renderLlama31(messages, date: date, addGenerationPrompt)
        case let .deepSeekR1(prefill): return Self.renderDeepSeekR1(messages, thinkingPrefill: prefill, addGenerationPrompt)
        }
    }

    /// `strftime_now("%d %b %Y")` in the C locale, local time, as llama.cpp and transformers provide it.
    static func today() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "dd MMM yyyy"
        return formatter.string(from: Date())
    }
}
