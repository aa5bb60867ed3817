import Tokenizers
import Traces

/// The text of a trace as a student is trained on it: the prompt messages through the model's
/// chat template with the generation prompt, then the assistant turn (the reasoning inside
/// `<think>…</think>` when there is any, then the answer, as `traces export` writes it)
/// closed by the template's end-of-turn token. Only the completion is scored or trained on.
///
/// The completion is appended rather than rendered as an assistant message because
/// DeepSeek-R1's template drops everything up to `</think>` from assistant turns, and the
/// others have no reasoning slot (`ChatMessage.reasoning`).
public struct TraceChatText: Sendable, Equatable {
    public var prompt: String
    public var completion: String

    public init(record: TraceRecord, template: ChatTemplate) throws {
        let messages = record.messages.map { ChatMessage(role: $0.role, content: $0.content) }
        prompt = try template.render(messages, addGenerationPrompt: true)
        var content = TraceExport.assistantContent(record)
        // Templates whose generation prompt already opens the think block (R1 revisions).
        if prompt.hasSuffix("<think>\n"), content.hasPrefix("<think>\n") {
            content.removeFirst("<think>\n".count)
        }
        completion = content + template.endOfTurnText
    }
}
