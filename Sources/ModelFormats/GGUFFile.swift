import Foundation

/// A GGUF v2/v3 model file (GGUF.md §1), memory-mapped for the object's lifetime.
///
/// Opening parses and validates the header, every metadata record and every tensor-info
/// record; tensor data is not touched until asked for, and `bytes(of:)` hands it out in
/// place. Immutable after `init`, hence safe to share between threads.
public final class GGUFFile: @unchecked Sendable {
    public let url: URL
    public let version: UInt32
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order (a re-writer keeps this order, §7.1).
    public let metadataKeys: [String]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    /// `general.alignment`, or 32 when absent (§1.5).
    public let alignment: Int
    /// Absolute offset of the data section.
    public let dataStart: Int
    /// Size of the file in bytes.
    public var fileSize: Int { mapping.bytes.count }

    private let mapping: MappedFile
    private let tensorIndex: [String: Int]

    public init(url: URL) throws {
        let path = url.path
        do {
            mapping = try MappedFile(path: path)
        } catch {
            throw GGUFError(.unreadable, file: path, offset: nil, "\(error)", fix: "check that the path exists and is a readable file")
        }
        let parsed = try GGUFParser.parse(mapping.bytes, file: path)
        self.url = url
        version = parsed.version
        metadata = parsed.metadata
        metadataKeys = parsed.metadataKeys
        tensors = parsed.tensors
        alignment = parsed.alignment
        dataStart = parsed.dataStart
        var index: [String: Int] = [:]
        for (i, tensor) in parsed.tensors.enumerated() { index[tensor.name] = i }
        tensorIndex = index
    }

    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The tensor's raw blocks, in place in the mapping: valid while this object is alive.
    /// A tensor info from another file that does not fit this one yields an empty buffer.
    public func bytes(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        let all = mapping.bytes
        guard tensor.offset >= 0, tensor.byteCount >= 0, tensor.offset <= all.count,
              tensor.byteCount <= all.count - tensor.offset else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(rebasing: all[tensor.offset ..< tensor.offset + tensor.byteCount])
    }

    /// The tensor's elements as Float32, in `ne` order (row-major over `shape.reversed()`).
    public func dequantized(_ tensor: GGUFTensorInfo) throws -> [Float] {
        let source = bytes(of: tensor)
        guard source.count == tensor.byteCount else {
            throw GGUFError(.sizeMismatch, file: url.path, offset: tensor.offset,
                            "tensor '\(tensor.name)' does not lie inside this file")
        }
        return try [Float](unsafeUninitializedCapacity: tensor.elementCount) { buffer, initialized in
            if let destination = buffer.baseAddress {
                try dequantize(source, type: tensor.type, count: tensor.elementCount, into: destination)
            }
            initialized = tensor.elementCount
        }
    }
}
