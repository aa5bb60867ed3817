import Foundation

/// The per-family renderers, each a transcription of its Jinja template for messages without
/// tool calls (TOKENIZERS.md §8; template sources in Tests/TokenizersTests/Fixtures/chat/templates/).
extension ChatTemplate {
    /// SmolLM2's template (§8.1) and, with no default, llama.cpp's plain `chatml` (§8.5):
    /// the default system turn goes first only when the first message is not a system message.
    static func renderChatML(_ messages: [ChatMessage], defaultSystem: String?, _ generationPrompt: Bool) -> String {
        var out = ""
        if let defaultSystem, messages.first?.role != "system" {
            out += "<|im_start|>system\n" + defaultSystem + "<|im_end|>\n"
        }
        for m in messages { out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n" }
        if generationPrompt { out += "<|im_start|>assistant\n" }
        return out
    }

    /// Qwen2.5-Instruct (§8.2): a system turn always (the first message's or the default); later
    /// system messages render as ordinary turns; a run of tool results becomes one user turn.
    static func renderQwen25(_ messages: [ChatMessage], _ generationPrompt: Bool) -> String {
        var out = "<|im_start|>system\n"
        out += (messages[0].role == "system" ? messages[0].content : qwen25SystemPrompt) + "<|im_end|>\n"
        for (i, m) in messages.enumerated() {
            if m.role == "tool" {
                if i == 0 || messages[i - 1].role != "tool" { out += "<|im_start|>user" }
                out += "\n<tool_response>\n" + m.content + "\n</tool_response>"
                if i == messages.count - 1 || messages[i + 1].role != "tool" { out += "<|im_end|>\n" }
            } else if !(m.role == "system" && i == 0) {
                out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n"
            }
        }
        if generationPrompt { out += "<|im_start|>assistant\n" }
        return out
    }

    /// Meta-Llama-3-Instruct (§8.3): BOS, then header turns with trimmed content.
    static func renderLlama3(_ messages: [ChatMessage], _ generationPrompt: Bool) -> String {
        var out = "<|begin_of_text|>"
        for m in messages {
            out += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + pythonStrip(m.content) + "<|eot_id|>"
        }
        if generationPrompt { out += "<|start_header_id|>assistant<|end_header_id|>\n\n" }
        return out
    }

    /// Llama 3.1/3.2/3.3 without tools (§8.3): the first system message (trimmed) moves into the
    /// always-present system turn after the knowledge-cutoff and date lines.
    static func renderLlama31(_ messages: [ChatMessage], date: String, _ generationPrompt: Bool) -> String {
        var rest = messages[...]
        var system = ""
        if messages[0].role == "system" {
            system = pythonStrip(messages[0].content)
            rest = messages.dropFirst()
        }
        var out = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
        out += "Cutting Knowledge Date: December 2023\nToday Date: " + date + "\n\n" + system + "<|eot_id|>"
        for m in rest {
            out += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + pythonStrip(m.content) + "<|eot_id|>"
        }
        if generationPrompt { out += "<|start_header_id|>assistant<|end_header_id|>\n\n" }
        return out
    }

    /// DeepSeek-R1 / R1-Distill (§8.4): BOS + the last system message's text, user turns with no
    /// end token, assistant history reduced to what follows its last `</think>`.
    static func renderDeepSeekR1(_ messages: [ChatMessage], thinkingPrefill: Bool, _ generationPrompt: Bool) -> String {
        let system = messages.last(where: { $0.role == "system" })?.content ?? ""
        var out = "<｜begin▁of▁sentence｜>" + system
        var inToolOutputs = false
        var firstToolOutput = true  // the template never resets this flag (`ns.is_output_first`)
        for m in messages {
            switch m.role {
            case "user":
                inToolOutputs = false
                out += "<｜User｜>" + m.content
            case "assistant":
                if inToolOutputs {
                    out += "<｜tool▁outputs▁end｜>" + m.content + "<｜end▁of▁sentence｜>"
                    inToolOutputs = false
                } else {
                    out += "<｜Assistant｜>" + afterLastThinkEnd(m.content) + "<｜end▁of▁sentence｜>"
                }
            case "tool":
                inToolOutputs = true
                if firstToolOutput {
                    out += "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>" + m.content + "<｜tool▁output▁end｜>"
                    firstToolOutput = false
                } else {
                    out += "\n<｜tool▁output▁begin｜>" + m.content + "<｜tool▁output▁end｜>"
                }
            default:
                break  // system messages only feed the prefix
            }
        }
        if inToolOutputs { out += "<｜tool▁outputs▁end｜>" }
        if generationPrompt && !inToolOutputs { out += "<｜Assistant｜>" + (thinkingPrefill ? "<think>\n" : "") }
        return out
    }

    /// Jinja `content.split('</think>')[-1]`.
    static func afterLastThinkEnd(_ content: String) -> String {
        guard let r = content.range(of: "</think>", options: .backwards) else { return content }
        return String(content[r.upperBound...])
    }

    /// Jinja's `trim` filter is Python's `str.strip()`: it removes White_Space characters and
    /// also U+001C…U+001F, which Python counts as whitespace.
    static func pythonStrip(_ s: String) -> String {
        func isSpace(_ u: Unicode.Scalar) -> Bool {
            (0x1C...0x1F).contains(u.value) || u.properties.isWhitespace
        }
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
