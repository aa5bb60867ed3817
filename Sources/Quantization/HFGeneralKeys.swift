import Foundation
import ModelFormats
import Yams

/// The `general.*` keys a converted file starts with (GGUF.md §9): architecture and type, a
/// name, and what the model card's YAML front matter (`README.md`) declares: license,
/// languages, tags and base models, spelled as gguf-py spells them.
enum HFGeneralKeys {
    static func keys(folder: URL, architecture: String) throws -> [(key: String, value: GGUFValue)] {
        let card = try frontMatter(folder: folder)
        var keys: [(key: String, value: GGUFValue)] = [
            ("general.architecture", .string(architecture)),
            ("general.type", .string("model")),
            ("general.name", .string(name(folder: folder, card: card))),
        ]
        func strings(_ field: String) -> [String] {
            if let one = card[field] as? String { return [one] }
            return (card[field] as? [Any] ?? []).compactMap { $0 as? String }
        }
        // gguf-py joins a list of licenses with commas.
        let licenses = strings("license")
        if !licenses.isEmpty { keys.append(("general.license", .string(licenses.joined(separator: ",")))) }
        if let name = card["license_name"] as? String { keys.append(("general.license.name", .string(name))) }
        if let link = card["license_link"] as? String { keys.append(("general.license.link", .string(link))) }
        let bases = strings("base_model")
        if !bases.isEmpty {
            keys.append(("general.base_model.count", .uint32(UInt32(bases.count))))
            for (i, id) in bases.enumerated() {
                // A Hub id `org/name`; the repository address is derived from it.
                let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
                keys.append(("general.base_model.\(i).name", .string(parts.last ?? id)))
                if parts.count == 2 { keys.append(("general.base_model.\(i).organization", .string(parts[0]))) }
                keys.append(("general.base_model.\(i).repo_url", .string("https://huggingface.co/\(id)")))
            }
        }
        let tags = strings("tags")
        if !tags.isEmpty { keys.append(("general.tags", .array(elementType: .string, values: tags.map(GGUFValue.string)))) }
        let languages = strings("language")
        if !languages.isEmpty { keys.append(("general.languages", .array(elementType: .string, values: languages.map(GGUFValue.string)))) }
        return keys
    }

    /// The card's `model_name`, else the folder name (gguf-py's heuristics on the Hub id are
    /// not reproduced: the name is for people, llama.cpp does not read it).
    static func name(folder: URL, card: [String: Any]) -> String {
        if let name = card["model_name"] as? String, !name.isEmpty { return name }
        return folder.standardizedFileURL.lastPathComponent
    }

    /// The YAML between the leading `---` lines of README.md; empty when there is no card.
    static func frontMatter(folder: URL) throws -> [String: Any] {
        let url = folder.appendingPathComponent("README.md")
        guard let data = FileManager.default.contents(atPath: url.path),
              let text = String(data: data, encoding: .utf8) else { return [:] }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first?.trimmingCharacters(in: .whitespacesAndNewlines) == "---",
              let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines) == "---" }) else { return [:] }
        let yaml = lines[1..<end].joined(separator: "\n")
        do {
            return try Yams.load(yaml: yaml) as? [String: Any] ?? [:]
        } catch {
            throw QuantizationError.unsupportedSource(path: url.path, why: "the YAML front matter does not parse (\(error)); fix it or remove README.md")
        }
    }
}
