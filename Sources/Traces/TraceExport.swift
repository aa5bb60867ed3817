import Foundation

/// SFT JSONL from a trace dataset (MDS.md §9), one line per trace, in the conversational
/// forms TRL's SFTTrainer, Axolotl (`chat_template` datasets) and LLaMA-Factory (sharegpt
/// format with `messages` tags) load. The reasoning goes inline as `<think>\n…\n</think>\n\n`
/// before the answer: what open-r1 trains on and what Qwen3/DeepSeek-R1 training templates
/// split back out. A trace with empty reasoning gets no think block.
public enum TraceExportFormat: String, CaseIterable, Sendable {
    /// `{"messages": [prompt messages…, {"role": "assistant", "content": …}]}`.
    case messages
    /// TRL's conversational prompt-completion:
    /// `{"prompt": [prompt messages…], "completion": [{"role": "assistant", "content": …}]}`,
    /// for which TRL computes the loss on the completion only.
    case promptCompletion = "prompt-completion"
}

public enum TraceExport {
    public struct Counts: Sendable, Equatable {
        public var written: Int
        /// Traces left out by `onlyCorrect` (incorrect or never verified).
        public var skipped: Int
    }

    /// The assistant turn's content: `<think>\nREASONING\n</think>\n\nANSWER`. Newlines at the
    /// reasoning's ends and before the answer are dropped first so they are not doubled.
    public static func assistantContent(_ record: TraceRecord) -> String {
        let reasoning = record.reasoning.trimmingCharacters(in: .newlines)
        let answer = record.answer.drop { $0.isNewline }
        if reasoning.trimmingCharacters(in: .whitespaces).isEmpty { return String(answer) }
        return "<think>\n\(reasoning)\n</think>\n\n\(answer)"
    }

    /// One JSONL line (without the newline), keys sorted, for `record`.
    public static func line(_ record: TraceRecord, format: TraceExportFormat) throws -> String {
        let assistant = TraceMessage(role: "assistant", content: assistantContent(record))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        switch format {
        case .messages:
            data = try encoder.encode(["messages": record.messages + [assistant]])
        case .promptCompletion:
            data = try encoder.encode(["prompt": record.messages, "completion": [assistant]])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Streams every trace of `dataset` to `emit` as JSONL lines (newline included), one
    /// shard in memory at a time. `onlyCorrect` keeps traces verified correct.
    @discardableResult
    public static func export(_ dataset: MDSDataset, format: TraceExportFormat, onlyCorrect: Bool,
                              to emit: (String) throws -> Void) throws -> Counts {
        var counts = Counts(written: 0, skipped: 0)
        try TraceDatasetReader.forEachRecord(in: dataset) { _, record in
            if onlyCorrect && record.verification?.correct != true {
                counts.skipped += 1
                return
            }
            try emit(try line(record, format: format) + "\n")
            counts.written += 1
        }
        return counts
    }
}
