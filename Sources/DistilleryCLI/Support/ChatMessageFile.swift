import ArgumentParser
import Foundation
import Tokenizers

/// Reads chat messages from a JSON file: a bare array or an object with "messages", the
/// two forms OpenAI-style tools write.
enum ChatMessageFile {
    private struct Wrapped: Decodable { var messages: [ChatMessage] }

    static func read(_ path: String) throws -> [ChatMessage] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("cannot read messages file \(path): \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        if let messages = try? decoder.decode([ChatMessage].self, from: data) { return messages }
        do {
            return try decoder.decode(Wrapped.self, from: data).messages
        } catch {
            throw ValidationError("\(path) is not a JSON list of {\"role\", \"content\"} messages (nor {\"messages\": [...]}): \(error)")
        }
    }
}
