/// Separates a completion's chain of thought from its answer, the way DeepSeek-R1-style
/// traces are split downstream (open-r1 splits on `</think>`; R1's chat template may have
/// pre-filled the opening `<think>`, so the closing tag is what counts, MDS.md §9).
public enum ReasoningSplit {
    public static func split(content: String, reasoningContent: String?) -> (reasoning: String, answer: String) {
        if let reasoningContent, !reasoningContent.isEmpty {
            return (trim(reasoningContent), trim(content))
        }
        if let close = content.range(of: "</think>") {
            var reasoning = content[..<close.lowerBound]
            if let open = reasoning.range(of: "<think>") { reasoning = reasoning[open.upperBound...] }
            return (trim(String(reasoning)), trim(String(content[close.upperBound...])))
        }
        // Cut off mid-thought (finish reason `length`): all of it is reasoning, no answer yet.
        if let open = content.range(of: "<think>"), content[..<open.lowerBound].allSatisfy(\.isWhitespace) {
            return (trim(String(content[open.upperBound...])), "")
        }
        return ("", trim(content))
    }

    private static func trim(_ text: String) -> String {
        String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
