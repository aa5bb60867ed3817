import Foundation

/// Element types we read and write. Others (I8, F64, ...) are rejected with a clear error:
/// Hugging Face LLM checkpoints use only these three.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case f32 = "F32"
    case f16 = "F16"
    case bf16 = "BF16"

    public var byteSize: Int { self == .f32 ? 4 : 2 }
}

/// One entry of the JSON header, validated, with absolute file offsets.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafetensorsDType
    /// Row-major, outermost first (PyTorch order: an HF linear weight is `[out, in]`).
    public let shape: [Int]
    /// Absolute byte range of the data in the file.
    public let byteRange: Range<Int>
    public let elementCount: Int
}

/// A tensor decoded to Float32.
public struct SafetensorsTensor: Sendable, Equatable {
    public let shape: [Int]
    public let values: [Float]
}

/// A `.safetensors` file: u64 little-endian header length N, N bytes of JSON, then the data
/// (https://github.com/huggingface/safetensors, "Format"). Memory-mapped; the header is
/// validated on open so every later read stays in bounds.
public final class SafetensorsFile: @unchecked Sendable {
    /// The reference implementation refuses headers above 100 MB (`MAX_HEADER_SIZE`).
    static let maxHeaderLength = 100_000_000

    public let url: URL
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]
    /// Tensor names in data order.
    public let tensorNames: [String]
    private let infos: [String: SafetensorsTensorInfo]
    private let mapping: MappedFile

    public init(url: URL) throws {
        let path = url.path
        do {
            mapping = try MappedFile(path: path)
        } catch {
            throw SafetensorsError(.unreadable, file: path, "\(error)", fix: "check that the path exists and is a readable file")
        }
        self.url = url
        let parsed = try SafetensorsHeader.parse(mapping.bytes, file: path)
        metadata = parsed.metadata
        tensorNames = parsed.tensors.map(\.name)
        infos = Dictionary(parsed.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func info(named name: String) -> SafetensorsTensorInfo? { infos[name] }

    /// The tensor's raw little-endian bytes, in place in the mapping.
    public func bytes(of info: SafetensorsTensorInfo) -> UnsafeRawBufferPointer {
        let all = mapping.bytes
        guard info.byteRange.lowerBound >= 0, info.byteRange.upperBound <= all.count else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(rebasing: all[info.byteRange])
    }

    public func tensor(named name: String) throws -> SafetensorsTensor {
        guard let info = infos[name] else {
            throw SafetensorsError(.missingTensor, file: url.path, "no tensor named '\(name)' (the file has \(tensorNames.count) tensors)")
        }
        let source = bytes(of: info)
        let type: GGMLType = info.dtype == .f32 ? .f32 : info.dtype == .f16 ? .f16 : .bf16
        do {
            return SafetensorsTensor(shape: info.shape, values: try dequantize(source, type: type, count: info.elementCount))
        } catch {
            throw SafetensorsError(.invalidTensor, file: url.path, "tensor '\(name)': \(error)")
        }
    }
}
