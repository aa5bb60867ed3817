import Foundation

extension ChatTemplate {
    /// The Jinja chat template a Hugging Face folder ships: `chat_template.jinja` if present
    /// (newer repositories), else `tokenizer_config.json`'s `chat_template`, which is either a
    /// string or a list of `{name, template}` of which `default` is used (TOKENIZERS.md §6).
    /// Nil when the folder has none; throws only for a file that exists but cannot be read.
    public static func jinjaSource(inHuggingFaceFolder folder: URL) throws -> String? {
        let jinja = folder.appendingPathComponent("chat_template.jinja")
        if FileManager.default.fileExists(atPath: jinja.path) {
            return try String(contentsOf: jinja, encoding: .utf8)
        }
        let configURL = folder.appendingPathComponent("tokenizer_config.json")
        guard FileManager.default.fileExists(atPath: configURL.path) else { return nil }
        guard let config = (try? JSONSerialization.jsonObject(with: Data(contentsOf: configURL))) as? [String: Any] else {
            throw TokenizerError.invalidTokenizerJSON(file: configURL.path, reason: "not a JSON object")
        }
        if let source = config["chat_template"] as? String { return source }
        if let named = config["chat_template"] as? [[String: Any]] {
            return named.first(where: { $0["name"] as? String == "default" })?["template"] as? String
        }
        return nil
    }
}
