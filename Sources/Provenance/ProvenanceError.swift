import Foundation

/// Every failure the Provenance module reports: each message names the file or field and says how to fix it.
public enum ProvenanceError: Error, Equatable, CustomStringConvertible, Sendable {
    case fileNotFound(path: String, hint: String)
    case unreadable(path: String, reason: String)
    case malformedManifest(path: String, field: String, reason: String)
    case unsupportedSchemaVersion(path: String, found: Int)
    case malformedKnowledgeBase(path: String, reason: String)
    case unknownDeclaration(key: String, known: [String])
    case invalidDeclaration(key: String, value: String, expected: String)
    case invalidArgument(name: String, value: String, expected: String)
    case writeFailed(path: String, reason: String)
    case malformedGGUF(path: String, offset: Int, reason: String)
    case invalidKey(path: String, reason: String)
    case duplicateParent(id: String)
    case signature(reason: String)

    public var description: String {
        switch self {
        case let .fileNotFound(path, hint):
            return "\(path): not found. \(hint)"
        case let .unreadable(path, reason):
            return "\(path): cannot be read (\(reason))."
        case let .malformedManifest(path, field, reason):
            return "\(path): field '\(field)': \(reason). Fix the field by hand or recreate the manifest with `distillery manifest init`."
        case let .unsupportedSchemaVersion(path, found):
            return "\(path): schema_version \(found) is not supported (this build reads version \(Manifest.currentSchemaVersion)). Upgrade distillery or rewrite the manifest."
        case let .malformedKnowledgeBase(path, reason):
            return "knowledge base file \(path): \(reason). Fix the entry (schema in manifests/schema/) or point --kb / DISTILLERY_KB at a good copy."
        case let .unknownDeclaration(key, known):
            return "unknown declaration key '\(key)'. Known keys: \(known.joined(separator: ", "))."
        case let .invalidDeclaration(key, value, expected):
            return "declaration \(key)=\(value): expected \(expected)."
        case let .invalidArgument(name, value, expected):
            return "\(name) '\(value)': expected \(expected)."
        case let .writeFailed(path, reason):
            return "\(path): cannot be written (\(reason)). Check the folder exists and is writable."
        case let .malformedGGUF(path, offset, reason):
            return "\(path): GGUF header at byte \(offset): \(reason). The file is truncated or not GGUF; re-download or re-export it."
        case let .invalidKey(path, reason):
            return "key file \(path): \(reason). Create one with `distillery manifest keygen --out FILE`."
        case let .duplicateParent(id):
            return "parent '\(id)' is already recorded; edit manifest.json to change it."
        case let .signature(reason):
            return reason
        }
    }
}

extension ProvenanceError: LocalizedError {
    public var errorDescription: String? { description }
}
