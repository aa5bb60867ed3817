import Foundation
import Tokenizers

/// The rules for one line of a prompt file. A failure carries the reason shown after
/// `file:line:`, written to say what to change.
enum PromptLine {
    struct BadLine: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    /// The roles the chat templates render (Tokenizers' `ChatMessage`).
    static let roles: Set<String> = ["system", "user", "assistant", "tool"]

    static func parseText(_ line: ArraySlice<UInt8>, index: Int, lineNumber: Int) -> Result<PromptRecord, BadLine> {
        guard let text = String(validating: line, as: UTF8.self) else {
            return .failure(BadLine("not valid UTF-8; save the file as UTF-8"))
        }
        return .success(PromptRecord(index: index, lineNumber: lineNumber, id: nil,
                                     messages: [ChatMessage(role: "user", content: text)], referenceAnswer: nil))
    }

    static func parseJSON(_ line: ArraySlice<UInt8>, index: Int, lineNumber: Int) -> Result<PromptRecord, BadLine> {
        Result { try record(line, index: index, lineNumber: lineNumber) }.mapError { $0 as? BadLine ?? BadLine("\($0)") }
    }

    private static func record(_ line: ArraySlice<UInt8>, index: Int, lineNumber: Int) throws -> PromptRecord {
        guard String(validating: line, as: UTF8.self) != nil else {
            throw BadLine("not valid UTF-8; save the file as UTF-8")
        }
        let value: PromptJSON
        do { value = try JSONDecoder().decode(PromptJSON.self, from: Data(line)) } catch {
            throw BadLine("not valid JSON (\(shortReason(error))); each line must be one JSON object")
        }
        guard case var .object(fields) = value else {
            if case .array = value {
                throw BadLine("a JSON array, not an object; prompt files are JSON Lines, one object per line")
            }
            throw BadLine("\(value.kind), not a JSON object")
        }
        let messages: [ChatMessage]
        switch (fields.removeValue(forKey: "messages"), fields.removeValue(forKey: "prompt")) {
        case (nil, nil):
            throw BadLine("has neither \"messages\" nor \"prompt\"")
        case (.some, .some):
            throw BadLine("has both \"messages\" and \"prompt\"; keep one")
        case let (m?, nil):
            messages = try chatMessages(m, field: "messages")
        case let (nil, .string(p)?):
            guard !p.isEmpty else { throw BadLine("\"prompt\" is empty") }
            messages = [ChatMessage(role: "user", content: p)]
        case let (nil, p?):
            // TRL's conversational prompt-completion rows carry the prompt as messages.
            guard case .array = p else { throw BadLine("\"prompt\" is \(p.kind); give a string or a list of messages") }
            messages = try chatMessages(p, field: "prompt")
        }
        let id: String?
        switch fields.removeValue(forKey: "id") {
        case nil, .null?: id = nil
        case let .string(s)?: id = s
        case let .integer(i)?: id = String(i)
        case let other?: throw BadLine("\"id\" is \(other.kind); give a string or an integer")
        }
        let answer: String?
        switch fields.removeValue(forKey: "answer") {
        case nil, .null?: answer = nil
        case let .string(s)?: answer = s
        case let .integer(i)?: answer = String(i)
        case let .number(d)?: answer = String(d)
        case let other?: throw BadLine("\"answer\" is \(other.kind); give a string or a number")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let metadata = String(decoding: try encoder.encode(fields), as: UTF8.self)
        return PromptRecord(index: index, lineNumber: lineNumber, id: id, messages: messages,
                            referenceAnswer: answer, metadata: metadata)
    }

    private static func chatMessages(_ value: PromptJSON, field: String) throws -> [ChatMessage] {
        guard case let .array(items) = value else { throw BadLine("\"\(field)\" is \(value.kind); give a list of messages") }
        guard !items.isEmpty else { throw BadLine("\"\(field)\" is an empty list") }
        return try items.enumerated().map { i, item in
            guard case let .object(m) = item else { throw BadLine("\(field)[\(i)] is \(item.kind), not a message object") }
            guard case let .string(role)? = m["role"] else { throw BadLine("\(field)[\(i)] has no string \"role\"") }
            guard roles.contains(role) else {
                throw BadLine("\(field)[\(i)] has role \"\(role)\"; use system, user, assistant or tool")
            }
            guard case let .string(content)? = m["content"] else { throw BadLine("\(field)[\(i)] has no string \"content\"") }
            return ChatMessage(role: role, content: content)
        }
    }

    /// Foundation's decoding errors are long; the first sentence is what helps.
    private static func shortReason(_ error: Error) -> String {
        if case let DecodingError.dataCorrupted(context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}
