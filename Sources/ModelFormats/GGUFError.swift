import Foundation

/// Everything that can go wrong reading or writing a GGUF file or its tensors.
///
/// The message names the file, the byte offset where the problem was found and what is
/// wrong, and suggests a fix where there is one (STYLE.md §7). Tests match on `kind`.
public struct GGUFError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be opened or mapped.
        case unreadable
        /// The file ends before a field or a tensor's data does.
        case truncated
        /// The first four bytes are not `GGUF`.
        case notGGUF
        /// A version other than 2 or 3 (or a big-endian file).
        case unsupportedVersion
        /// A key/value record breaks §1.2/§1.3 (bad type id, duplicate key, absurd count, ...).
        case malformedMetadata
        /// A tensor-info record breaks §1.4/§1.5 (dims, alignment, overlap, ...).
        case malformedTensorInfo
        /// A tensor's ggml type id is unknown or one we cannot decode.
        case unsupportedTensorType
        /// A metadata key the caller asked for is absent.
        case missingKey
        /// A metadata key holds another type than the caller asked for.
        case wrongValueType
        /// A buffer handed to `dequantize` does not have the size its type and count imply.
        case sizeMismatch
        /// A writer was given metadata or tensors that would make an invalid or unreadable file.
        case invalidInput
        /// Creating, writing or renaming the output file failed.
        case writeFailed
    }

    public let kind: Kind
    /// Path of the file, or nil for an in-memory buffer.
    public let file: String?
    /// Absolute byte offset in the file where the problem was found, when there is one.
    public let offset: Int?
    public let reason: String
    public let fix: String?

    public init(_ kind: Kind, file: String?, offset: Int?, _ reason: String, fix: String? = nil) {
        self.kind = kind
        self.file = file
        self.offset = offset
        self.reason = reason
        self.fix = fix
    }

    public var description: String {
        var text = file ?? "<buffer>"
        if let offset { text += " at byte \(offset)" }
        text += ": " + reason
        if let fix { text += ". Fix: " + fix }
        return text
    }

    public var errorDescription: String? { description }
}
