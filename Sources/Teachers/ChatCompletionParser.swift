import Foundation

/// Builds one completion from a chat completion reply: the whole JSON object of a
/// non-streaming reply, or the chunks of a stream one at a time. Reads what the endpoints
/// we target send beside OpenAI's fields:
/// - `reasoning_content` (DeepSeek, vLLM/SGLang reasoning parsers, llama-server) or
///   `reasoning` (Ollama, newer vLLM), in the message or in each delta;
/// - a token id per logprob entry: an `id` field (llama-server, `distillery serve`) or the
///   token text `"token_id:123"` (vLLM with `return_tokens_as_token_ids`).
struct ChatCompletionParser {
    private(set) var content = ""
    private(set) var reasoning = ""
    private(set) var sawReasoning = false
    private(set) var finishReason: String?
    private(set) var usage: (prompt: Int, completion: Int)?
    private(set) var tokens: [TeacherToken] = []
    private(set) var chunks = 0
    /// True once a chunk carried text or tokens (for the time to first token).
    private(set) var sawOutput = false

    /// A non-streaming reply's body.
    mutating func readResponse(_ body: Data) throws {
        let object = try Self.object(body)
        if let error = object["error"] { throw HTTPTeacherError.streamError(Self.errorMessage(error)) }
        guard let choice = (object["choices"] as? [Any])?.first as? [String: Any],
              let message = choice["message"] as? [String: Any] else {
            throw HTTPTeacherError.malformedResponse("no choices[0].message in \(Self.excerpt(body))")
        }
        read(part: message, choice: choice)
        readUsage(object)
    }

    /// One stream event's data; returns false for `[DONE]`.
    mutating func readChunk(_ data: String) throws -> Bool {
        if data.trimmingCharacters(in: .whitespaces) == "[DONE]" { return false }
        let object = try Self.object(Data(data.utf8))
        chunks += 1
        if let error = object["error"] { throw HTTPTeacherError.streamError(Self.errorMessage(error)) }
        // The usage chunk has `choices: []`.
        if let choice = (object["choices"] as? [Any])?.first as? [String: Any] {
            read(part: choice["delta"] as? [String: Any] ?? [:], choice: choice)
        }
        readUsage(object)
        return true
    }

    private mutating func read(part: [String: Any], choice: [String: Any]) {
        if let text = part["content"] as? String, !text.isEmpty {
            content += text
            sawOutput = true
        }
        if let text = (part["reasoning_content"] as? String) ?? (part["reasoning"] as? String) {
            reasoning += text
            sawReasoning = true
            if !text.isEmpty { sawOutput = true }
        }
        if let reason = choice["finish_reason"] as? String { finishReason = reason }
        if let entries = (choice["logprobs"] as? [String: Any])?["content"] as? [Any] {
            for case let entry as [String: Any] in entries {
                tokens.append(Self.token(entry))
            }
            if !entries.isEmpty { sawOutput = true }
        }
    }

    private mutating func readUsage(_ object: [String: Any]) {
        guard let usage = object["usage"] as? [String: Any] else { return }
        let prompt = (usage["prompt_tokens"] as? NSNumber)?.intValue ?? 0
        let completion = (usage["completion_tokens"] as? NSNumber)?.intValue ?? 0
        self.usage = (prompt, completion)
    }

    static func token(_ entry: [String: Any]) -> TeacherToken {
        let (id, text) = idAndText(entry)
        let alternatives = (entry["top_logprobs"] as? [Any] ?? []).compactMap { item -> TokenAlternative? in
            guard let alt = item as? [String: Any], let logprob = (alt["logprob"] as? NSNumber)?.floatValue else { return nil }
            let (altID, altText) = idAndText(alt)
            return TokenAlternative(id: altID, text: altText, logprob: logprob)
        }
        return TeacherToken(id: id, text: text, logprob: (entry["logprob"] as? NSNumber)?.floatValue,
                            alternatives: alternatives)
    }

    private static func idAndText(_ entry: [String: Any]) -> (Int32?, String) {
        let text = entry["token"] as? String ?? ""
        if let id = (entry["id"] as? NSNumber)?.int32Value { return (id, text) }
        if text.hasPrefix("token_id:"), let id = Int32(text.dropFirst("token_id:".count)) { return (id, text) }
        return (nil, text)
    }

    private static func object(_ data: Data) throws -> [String: Any] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw HTTPTeacherError.malformedResponse("not JSON: \(excerpt(data))")
        }
        guard let object = parsed as? [String: Any] else {
            throw HTTPTeacherError.malformedResponse("not a JSON object: \(excerpt(data))")
        }
        return object
    }

    /// `{"error": {"message": …}}` (OpenAI, vLLM, llama-server) or `{"error": "…"}` (Ollama).
    static func errorMessage(_ error: Any) -> String {
        if let text = error as? String { return text }
        if let object = error as? [String: Any], let message = object["message"] as? String { return message }
        return "\(error)"
    }

    static func excerpt(_ data: Data, limit: Int = 300) -> String {
        let text = String(decoding: data.prefix(limit), as: UTF8.self)
        return data.count > limit ? "«\(text)…» (\(data.count) bytes)" : "«\(text)»"
    }
}
