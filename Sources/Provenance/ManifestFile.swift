import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Manifest {
    /// Reads `manifest.json` from a folder, or the file itself when `url` names a `.json` file.
    public static func load(from url: URL) throws(ProvenanceError) -> Manifest {
        let file = manifestURL(for: url)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw .fileNotFound(path: file.path, hint: "Create it with `distillery manifest init \(url.path) --name NAME --license ID`.")
        }
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw .unreadable(path: file.path, reason: error.localizedDescription)
        }
        return try decode(data, path: file.path)
    }

    private struct VersionProbe: Decodable {
        let version: Int?
        enum CodingKeys: String, CodingKey { case version = "schema_version" }
    }

    static func decode(_ data: Data, path: String) throws(ProvenanceError) -> Manifest {
        // A future manifest gets a version error rather than a field error, whichever way decoding goes.
        func checkVersion() throws(ProvenanceError) {
            if let version = (try? JSONDecoder().decode(VersionProbe.self, from: data))?.version, version != currentSchemaVersion {
                throw .unsupportedSchemaVersion(path: path, found: version)
            }
        }
        do {
            let manifest = try JSONDecoder().decode(Manifest.self, from: data)
            guard manifest.schemaVersion == currentSchemaVersion else {
                throw ProvenanceError.unsupportedSchemaVersion(path: path, found: manifest.schemaVersion)
            }
            return manifest
        } catch let error as ProvenanceError {
            throw error
        } catch {
            try checkVersion()
            throw describe(error, path: path)
        }
    }

    private static func describe(_ error: Error, path: String) -> ProvenanceError {
        do { throw error } catch let DecodingError.keyNotFound(key, context) {
            return .malformedManifest(path: path, field: fieldPath(context.codingPath + [key]), reason: "is missing")
        } catch let DecodingError.typeMismatch(type, context) {
            return .malformedManifest(path: path, field: fieldPath(context.codingPath), reason: "expected \(type)")
        } catch let DecodingError.valueNotFound(type, context) {
            return .malformedManifest(path: path, field: fieldPath(context.codingPath), reason: "expected \(type), found null")
        } catch let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.isEmpty ? "(document)" : fieldPath(context.codingPath)
            return .malformedManifest(path: path, field: field, reason: context.debugDescription)
        } catch {
            return .malformedManifest(path: path, field: "(document)", reason: "\(error)")
        }
    }

    private static func fieldPath(_ path: [CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
    }

    static func manifestURL(for url: URL) -> URL {
        url.pathExtension == "json" ? url : url.appendingPathComponent(fileName)
    }

    /// Pretty, key-sorted JSON: stable diffs in git and identical bytes for identical manifests.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain value types into JSON cannot fail except for non-finite floats.
        return (try? encoder.encode(self)) ?? Data()
    }

    /// Writes `manifest.json` into the folder (or to the named `.json` file): a temporary file in the
    /// same folder, then rename(2), so a reader never sees half a manifest.
    public func write(to url: URL) throws(ProvenanceError) {
        let file = Manifest.manifestURL(for: url)
        let data = encoded()
        guard !data.isEmpty else { throw .writeFailed(path: file.path, reason: "a training figure is NaN or infinite") }
        try Manifest.atomicWrite(data + Data("\n".utf8), to: file)
    }

    static func atomicWrite(_ data: Data, to file: URL) throws(ProvenanceError) {
        let temp = file.deletingLastPathComponent()
            .appendingPathComponent(".\(file.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do { try data.write(to: temp) } catch {
            throw .writeFailed(path: file.path, reason: error.localizedDescription)
        }
        guard rename(temp.path, file.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw .writeFailed(path: file.path, reason: reason)
        }
    }
}
