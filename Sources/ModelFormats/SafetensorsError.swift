import Foundation

/// Everything that can go wrong reading or writing safetensors files or a sharded HF folder.
/// The message names the file, the tensor or field and what is wrong (STYLE.md §7).
public struct SafetensorsError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    public enum Kind: String, Sendable, Equatable {
        case unreadable
        /// The file ends before its header or a tensor's data does.
        case truncated
        /// The 8-byte length or the JSON header is malformed.
        case malformedHeader
        /// A dtype other than F32, F16, BF16.
        case unsupportedDType
        /// A tensor entry whose shape, offsets or size are inconsistent, or that overlaps another.
        case invalidTensor
        case missingTensor
        /// `model.safetensors.index.json` is malformed or names a missing shard.
        case invalidIndex
        /// The writer was given tensors it cannot write (duplicate names, wrong element count).
        case invalidInput
        case writeFailed
    }

    public let kind: Kind
    public let file: String?
    public let reason: String
    public let fix: String?

    public init(_ kind: Kind, file: String?, _ reason: String, fix: String? = nil) {
        self.kind = kind
        self.file = file
        self.reason = reason
        self.fix = fix
    }

    public var description: String {
        var text = (file ?? "<safetensors>") + ": " + reason
        if let fix { text += ". Fix: " + fix }
        return text
    }

    public var errorDescription: String? { description }
}
