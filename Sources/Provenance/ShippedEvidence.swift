import Foundation
import ModelFormats
import Yams

/// What a folder actually ships, as a recipient sees it: license files, NOTICE, the model card's
/// front matter and body, and the `general.*` keys of a GGUF file.
public struct ShippedEvidence: Sendable {
    public var folder: URL
    /// License ids recognised in LICENSE*/COPYING*/*LICENSE* files by their official titles.
    public var shippedLicenses: Set<String> = []
    public var licenseFileNames: [String] = []
    public var noticeText = ""
    public var card: ModelCardMetadata?
    public var ggufFile: String?
    public var ggufLicense: String?
    public var ggufName: String?
    public var ggufBaseModels: [String] = []
    public var ggufDatasets: [String] = []
    /// Problems met while reading (unparsable YAML, a corrupt GGUF): reported as findings.
    public var problems: [String] = []

    /// README body and NOTICE text, normalised for substring search (see `normalise`).
    var searchableText: String { Self.normalise((card?.body ?? "") + "\n" + noticeText) }

    func mentions(_ phrase: String) -> Bool { searchableText.contains(Self.normalise(phrase)) }

    /// Lowercase, `©` as `(c)`, whitespace runs as one space: a notice line reflowed by an editor still matches.
    static func normalise(_ s: String) -> String {
        s.lowercased().replacingOccurrences(of: "©", with: "(c)")
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Reads `folder`; when `gguf` is given that file's metadata is read, else the first `*.gguf` in the folder.
    public init(folder: URL, gguf: URL? = nil, knowledgeBase: LicenseKnowledgeBase) {
        self.folder = folder
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        for name in names {
            let upper = name.uppercased()
            let url = folder.appendingPathComponent(name)
            if upper.hasPrefix("LICENSE") || upper.hasPrefix("LICENCE") || upper.hasPrefix("COPYING")
                || upper.contains("LICENSE") && (upper.hasSuffix(".MD") || upper.hasSuffix(".TXT")) {
                guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                licenseFileNames.append(name)
                shippedLicenses.formUnion(Self.recognise(text, in: knowledgeBase))
            } else if upper.hasPrefix("NOTICE") {
                noticeText += ((try? String(contentsOf: url, encoding: .utf8)) ?? "") + "\n"
            } else if name == "README.md" {
                guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                do { card = try ModelCardMetadata(markdown: text) } catch {
                    problems.append("README.md: YAML front matter does not parse (\(error)); the Hub will reject it too")
                    card = ModelCardMetadata(body: text)
                }
            }
        }
        let ggufURL = gguf ?? names.first { $0.lowercased().hasSuffix(".gguf") }.map { folder.appendingPathComponent($0) }
        if let ggufURL { readGGUF(ggufURL) }
    }

    private mutating func readGGUF(_ url: URL) {
        ggufFile = url.lastPathComponent
        let file: GGUFFile
        do { file = try GGUFFile(url: url) } catch {
            problems.append(String(describing: error))
            return
        }
        func text(_ key: String) -> String? {
            guard let value = file.metadata[key] else { return nil }
            return value.stringValue ?? value.intValue.map(String.init)
        }
        ggufLicense = text("general.license")
        ggufName = text("general.name")
        // general.base_model.{i}.repo_url / organization+name (ggml docs/gguf.md, LICENSES.md §1.2)
        let count = file.metadata["general.base_model.count"]?.intValue ?? 0
        for i in 0..<min(max(count, 0), 64) {
            let prefix = "general.base_model.\(i)."
            if let repo = text(prefix + "repo_url"), let id = Self.hubID(fromURL: repo) {
                ggufBaseModels.append(id)
            } else if let name = text(prefix + "name") {
                let org = text(prefix + "organization")
                ggufBaseModels.append(org.map { "\($0)/\(name)" } ?? name)
            }
        }
        if let list = file.metadata["general.datasets"]?.stringArray { ggufDatasets = list }
    }

    static func hubID(fromURL url: String) -> String? {
        let marker = "huggingface.co/"
        guard let range = url.range(of: marker) else { return nil }
        let parts = url[range.upperBound...].split(separator: "/").prefix(2)
        return parts.count == 2 ? parts.joined(separator: "/") : nil
    }

    /// Licenses whose official title appears in `text`.
    static func recognise(_ text: String, in kb: LicenseKnowledgeBase) -> Set<String> {
        let haystack = normalise(text)
        var found: Set<String> = []
        for entry in kb.licenses.values where entry.titles.contains(where: { haystack.contains(normalise($0)) }) {
            found.insert(entry.id)
        }
        return found
    }
}

/// The Hugging Face model card: YAML front matter between `---` lines, then a Markdown body.
public struct ModelCardMetadata: Sendable, Equatable {
    public var license: String?
    public var licenseName: String?
    public var licenseLink: String?
    public var baseModels: [String] = []
    public var baseModelRelation: String?
    public var datasets: [String] = []
    public var body: String

    init(body: String) { self.body = body }

    init(markdown: String) throws {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---",
              let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
            self.init(body: markdown)
            return
        }
        self.init(body: lines[(end + 1)...].joined(separator: "\n"))
        let yaml = lines[1..<end].joined(separator: "\n")
        guard let map = try Yams.load(yaml: yaml) as? [String: Any] else { return }
        func strings(_ key: String) -> [String] {
            if let s = map[key] as? String { return [s] }
            if let list = map[key] as? [Any] { return list.compactMap { $0 as? String } }
            return []
        }
        license = strings("license").first
        licenseName = strings("license_name").first
        licenseLink = strings("license_link").first
        baseModels = strings("base_model")
        baseModelRelation = strings("base_model_relation").first
        datasets = strings("datasets")
    }

    /// The license id the card means: `license_name` when `license: other`.
    var effectiveLicense: String? { license == "other" ? (licenseName ?? license) : license }
}
