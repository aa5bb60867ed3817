import Foundation

/// The licenses and well-known model manifests in `manifests/`.
///
/// Found, in order: an explicit folder (`--kb DIR`), `$DISTILLERY_KB`, else the copy bundled into
/// the Provenance module. The files live in `Sources/Provenance/KnowledgeBase` (SwiftPM takes
/// resources only from inside a target) and the top-level `manifests/` is a symlink to it, so
/// `swift build`, `swift run` and `swift test` from a fresh clone all see the files users read.
public struct LicenseKnowledgeBase: Sendable {
    public let root: URL
    public private(set) var licenses: [String: LicenseEntry] = [:]
    /// Keyed by lowercased id (`org/name`) and lowercased model name.
    public private(set) var models: [String: Manifest] = [:]
    private var aliases: [String: String] = [:]

    public static func bundled() throws(ProvenanceError) -> LicenseKnowledgeBase {
        // Not `Bundle.module`: its generated accessor calls fatalError when the bundle is missing
        // (e.g. a binary copied without it), and that must be an error the user can act on.
        let name = "Distillery_Provenance"
        var places = [Bundle.main.bundleURL]
        if let exe = Bundle.main.executableURL { places.append(exe.deletingLastPathComponent()) }
        places.append(URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent())
        let candidates = places.flatMap { dir in
            ["\(name).resources/KnowledgeBase", "\(name).bundle/Contents/Resources/KnowledgeBase", "\(name).bundle/KnowledgeBase"]
                .map { dir.appendingPathComponent($0) }
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("licenses").path) }) else {
            throw .fileNotFound(path: candidates.first?.path ?? "\(name).resources",
                                hint: "The bundled knowledge base was not found beside the executable; pass --kb DIR or set DISTILLERY_KB to the repository's manifests/ folder.")
        }
        return try LicenseKnowledgeBase(root: found)
    }

    /// `--kb` if given, else `$DISTILLERY_KB`, else the bundled copy.
    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ProvenanceError) -> LicenseKnowledgeBase {
        if let dir = explicit ?? environment["DISTILLERY_KB"], !dir.isEmpty {
            return try LicenseKnowledgeBase(root: URL(fileURLWithPath: dir))
        }
        return try bundled()
    }

    public init(root: URL) throws(ProvenanceError) {
        self.root = root
        let licenseDir = root.appendingPathComponent("licenses")
        guard FileManager.default.fileExists(atPath: licenseDir.path) else {
            throw .fileNotFound(path: licenseDir.path, hint: "A knowledge base folder holds licenses/ and models/ (see manifests/ in the repository).")
        }
        for file in Self.jsonFiles(under: licenseDir) {
            let entry: LicenseEntry
            do { entry = try JSONDecoder().decode(LicenseEntry.self, from: Data(contentsOf: file)) } catch {
                throw .malformedKnowledgeBase(path: file.path, reason: "\(error)")
            }
            guard licenses[entry.id] == nil else {
                throw .malformedKnowledgeBase(path: file.path, reason: "license id '\(entry.id)' defined twice")
            }
            licenses[entry.id] = entry
            for alias in [entry.id, entry.spdx, entry.hubLicenseName].compactMap({ $0 }) + entry.aliases {
                aliases[Self.normalise(alias)] = entry.id
            }
        }
        for file in Self.jsonFiles(under: root.appendingPathComponent("models")) {
            let data: Data
            do { data = try Data(contentsOf: file) } catch { throw .unreadable(path: file.path, reason: "\(error)") }
            let manifest = try Manifest.decode(data, path: file.path)
            guard license(manifest.license) != nil else {
                throw .malformedKnowledgeBase(path: file.path, reason: "license '\(manifest.license)' is not in licenses/")
            }
            if let id = manifest.id { models[id.lowercased()] = manifest }
            models[manifest.name.lowercased()] = manifest
        }
    }

    /// Resolves an SPDX id, Hub id, `license_name` slug or knowledge-base id, case-insensitively.
    public func license(_ id: String) -> LicenseEntry? {
        (aliases[id] ?? aliases[Self.normalise(id)]).flatMap { licenses[$0] }
    }

    /// A well-known model by Hub id (`org/name`) or by bare name.
    public func model(_ idOrName: String) -> Manifest? {
        let key = idOrName.lowercased()
        if let m = models[key] { return m }
        if let slash = key.lastIndex(of: "/") { return models[String(key[key.index(after: slash)...])] }
        return nil
    }

    public var knownLicenseIDs: [String] { licenses.keys.sorted() }

    static func normalise(_ s: String) -> String { s.lowercased().trimmingCharacters(in: .whitespaces) }

    static func jsonFiles(under dir: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
    }
}
