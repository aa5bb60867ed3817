import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a GGUF v3 file (GGUF.md §1) that llama.cpp, gguf-py and `GGUFFile` read.
///
/// Metadata records are written in the order given; tensors in the order given, each at an
/// offset that is the packed sum of the earlier tensors' sizes padded to the alignment, as
/// ggml's reader requires (§1.5). The alignment is `general.alignment` when the metadata
/// holds it (it must be a UINT32 power of two), else 32.
///
/// Tensor data is asked for one tensor at a time through `Tensor.bytes`, so a model never
/// sits in memory twice. The file is written under a temporary name in the destination
/// folder and renamed into place only when complete; on any error the temporary file is
/// removed, so nothing half-written is ever left behind (DESIGN.md, "Nothing is lost").
///
/// `lateValues` replaces metadata values known only once the tensors are written (a source's
/// SHA-256, hashed on another thread meanwhile): the header is written first with the
/// placeholder from `metadata` and rewritten at the end; a late value must encode to the same
/// number of bytes as its placeholder.
public enum GGUFWriter {
    /// One tensor to write: its info record and a closure that produces its blocks.
    public struct Tensor {
        public let name: String
        /// Dimensions in ggml `ne` order: `shape[0]` is a row (an HF `[out, in]` weight is `[in, out]`).
        public let shape: [Int]
        public let type: GGMLType
        /// The tensor's bytes, exactly `type.byteCount(elements:)` of them; called once, while writing.
        public let bytes: () throws -> [UInt8]

        public init(name: String, shape: [Int], type: GGMLType, bytes: @escaping () throws -> [UInt8]) {
            self.name = name
            self.shape = shape
            self.type = type
            self.bytes = bytes
        }

        public var elementCount: Int { shape.reduce(1, *) }
    }

    public static let defaultAlignment = 32

    public static func write(metadata: [(key: String, value: GGUFValue)], tensors: [Tensor], to url: URL,
                             lateValues: [String: () throws -> GGUFValue] = [:]) throws {
        let path = url.path
        let (headerBytes, sizes, alignment) = try encodeHeader(metadata: metadata, tensors: tensors, file: path)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw GGUFError(.writeFailed, file: path, offset: nil, "cannot create \(temporary.path)",
                            fix: "check that the folder exists and is writable")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: headerBytes)
            for (tensor, size) in zip(tensors, sizes) {
                var data: [UInt8]
                do { data = try tensor.bytes() } catch { throw ProducerFailure(error: error) }
                guard data.count == size else {
                    throw GGUFError(.invalidInput, file: path, offset: nil,
                                    "tensor '\(tensor.name)' (\(tensor.type), shape \(tensor.shape)) must be \(size) bytes, its data is \(data.count)")
                }
                data.append(contentsOf: [UInt8](repeating: 0, count: padded(size, to: alignment) - size))
                try handle.write(contentsOf: data)
            }
            if !lateValues.isEmpty {
                try rewriteHeader(of: handle, metadata: metadata, tensors: tensors, lateValues: lateValues,
                                  expectedSize: headerBytes.count, file: path)
            }
            try handle.synchronize()
            try handle.close()
            guard rename(temporary.path, path) == 0 else {
                throw GGUFError(.writeFailed, file: path, offset: nil,
                                "cannot rename the temporary file into place (\(String(cString: strerror(errno))))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if error is GGUFError { throw error }
            // A tensor's producer (e.g. a quantiser) failed: its own typed error says what and where.
            if let failure = error as? ProducerFailure { throw failure.error }
            throw GGUFError(.writeFailed, file: path, offset: nil, "writing failed: \(error.localizedDescription)",
                            fix: "check free disk space and permissions")
        }
    }

    /// The header (magic, counts, metadata, tensor infos) padded to the alignment, each
    /// tensor's size in bytes, and the alignment.
    static func encodeHeader(metadata: [(key: String, value: GGUFValue)], tensors: [Tensor],
                             file path: String) throws -> (bytes: [UInt8], sizes: [Int], alignment: Int) {
        func invalid(_ reason: String, fix: String? = nil) -> GGUFError {
            GGUFError(.invalidInput, file: path, offset: nil, reason, fix: fix)
        }
        let alignment = try alignment(of: metadata, file: path)
        var header = GGUFEncoder()
        header.u32(0x4655_4747)
        header.u32(3)
        header.u64(UInt64(tensors.count))
        header.u64(UInt64(metadata.count))
        var keys = Set<String>()
        for (key, value) in metadata {
            guard !key.isEmpty, key.utf8.count <= GGUFParser.maxKeyLength, key.allSatisfy(\.isASCII) else {
                throw invalid("metadata key '\(key)' is empty, longer than \(GGUFParser.maxKeyLength) bytes or not ASCII")
            }
            guard keys.insert(key).inserted else { throw invalid("metadata key '\(key)' appears twice") }
            try validate(value, key: key, file: path)
            header.keyValue(key, value)
        }

        var names = Set<String>()
        var sizes: [Int] = []
        var offset = 0
        for tensor in tensors {
            guard !tensor.name.isEmpty, tensor.name.utf8.count <= GGUFParser.maxTensorNameLength else {
                throw invalid("tensor name '\(tensor.name)' is empty or longer than \(GGUFParser.maxTensorNameLength) bytes (ggml's limit)")
            }
            guard names.insert(tensor.name).inserted else { throw invalid("tensor '\(tensor.name)' appears twice") }
            guard (1...4).contains(tensor.shape.count), tensor.shape.allSatisfy({ $0 >= 0 }) else {
                throw invalid("tensor '\(tensor.name)' has shape \(tensor.shape); ggml needs 1 to 4 non-negative dimensions")
            }
            guard tensor.shape[0] % tensor.type.blockSize == 0,
                  let size = tensor.type.byteCount(elements: tensor.elementCount) else {
                throw invalid("tensor '\(tensor.name)' has rows of \(tensor.shape[0]) elements, not a multiple of the \(tensor.type) block of \(tensor.type.blockSize)",
                              fix: "store it as F16 or F32, or pick a type whose block divides the row")
            }
            header.tensorInfo(name: tensor.name, shape: tensor.shape, type: tensor.type, offset: offset)
            sizes.append(size)
            offset += padded(size, to: alignment)
        }
        var bytes = header.bytes
        bytes.append(contentsOf: [UInt8](repeating: 0, count: padded(bytes.count, to: alignment) - bytes.count))
        return (bytes, sizes, alignment)
    }

    /// Writes the header again at offset 0 with the late values in place of their placeholders.
    private static func rewriteHeader(of handle: FileHandle, metadata: [(key: String, value: GGUFValue)], tensors: [Tensor],
                                      lateValues: [String: () throws -> GGUFValue], expectedSize: Int, file path: String) throws {
        var final = metadata
        for index in final.indices {
            guard let late = lateValues[final[index].key] else { continue }
            do { final[index].value = try late() } catch { throw ProducerFailure(error: error) }
        }
        let header = try encodeHeader(metadata: final, tensors: tensors, file: path).bytes
        guard header.count == expectedSize else {
            throw GGUFError(.invalidInput, file: path, offset: nil,
                            "a late metadata value changed the header's size (\(expectedSize) → \(header.count) bytes); its placeholder must encode to the same size")
        }
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: header)
    }

    private struct ProducerFailure: Error { var error: any Error }

    static func padded(_ size: Int, to alignment: Int) -> Int {
        size + (alignment - size % alignment) % alignment
    }

    /// §1.5: `general.alignment` must be a UINT32 power of two or llama.cpp rejects the file.
    static func alignment(of metadata: [(key: String, value: GGUFValue)], file: String) throws -> Int {
        guard let entry = metadata.first(where: { $0.key == "general.alignment" }) else { return defaultAlignment }
        guard case .uint32(let value) = entry.value, value > 0, value & (value - 1) == 0, value % 8 == 0 else {
            throw GGUFError(.invalidInput, file: file, offset: nil,
                            "general.alignment is \(entry.value.typeName) \(entry.value); it must be a UINT32 power of two, at least 8")
        }
        return Int(value)
    }

    /// Arrays must hold elements of their declared type and must not nest: ggml's reader,
    /// and so llama.cpp, rejects nested arrays (§1.3).
    static func validate(_ value: GGUFValue, key: String, file: String) throws {
        guard case .array(let elementType, let values) = value else { return }
        guard elementType != .array else {
            throw GGUFError(.invalidInput, file: file, offset: nil,
                            "metadata key '\(key)' is a nested array, which llama.cpp cannot read",
                            fix: "flatten it into several keys")
        }
        if let wrong = values.first(where: { $0.type != elementType }) {
            throw GGUFError(.invalidInput, file: file, offset: nil,
                            "metadata key '\(key)' is ARRAY[\(elementType)] but holds a \(wrong.typeName) element")
        }
    }
}
