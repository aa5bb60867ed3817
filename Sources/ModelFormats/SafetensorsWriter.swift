import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a `.safetensors` file from Float32 tensors, converting to `dtype`.
///
/// Layout follows the reference writer: tensors contiguous in the order given, the JSON
/// header padded with spaces to a multiple of 8 so the data starts aligned. The file is
/// written under a temporary name in the destination folder, flushed, and renamed into
/// place, so a reader never sees a half-written file (DESIGN.md, "Nothing is lost").
public enum SafetensorsWriter {
    /// Elements converted per write, bounding the staging buffer for large tensors.
    static let chunkElements = 1 << 20

    public static func write(tensors: [(name: String, shape: [Int], values: [Float])],
                             dtype: SafetensorsDType, metadata: [String: String] = [:], to url: URL) throws {
        let path = url.path
        func invalid(_ reason: String) -> SafetensorsError { SafetensorsError(.invalidInput, file: path, reason) }

        var names = Set<String>()
        var header = "{"
        if !metadata.isEmpty {
            let entries = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0] ?? ""))" }
            header += "\"__metadata__\":{" + entries.joined(separator: ",") + "}"
        }
        var offset = 0
        for tensor in tensors {
            guard !tensor.name.isEmpty, tensor.name != "__metadata__" else { throw invalid("a tensor name is empty or '__metadata__'") }
            guard names.insert(tensor.name).inserted else { throw invalid("tensor name '\(tensor.name)' appears twice") }
            var elements = 1
            for dim in tensor.shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dim)
                guard dim >= 0, !overflow else { throw invalid("tensor '\(tensor.name)' has an invalid shape \(tensor.shape)") }
                elements = product
            }
            guard elements == tensor.values.count else {
                throw invalid("tensor '\(tensor.name)' has shape \(tensor.shape) (\(elements) elements) but \(tensor.values.count) values")
            }
            let end = offset + elements * dtype.byteSize
            if header.count > 1 { header += "," }
            header += "\(jsonString(tensor.name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }

        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw SafetensorsError(.writeFailed, file: path, "cannot create \(temporary.path)", fix: "check that the folder exists and is writable")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            var length = UInt64(headerBytes.count).littleEndian
            try handle.write(contentsOf: Data(bytes: &length, count: 8))
            try handle.write(contentsOf: Data(headerBytes))
            var staging = [UInt8]()
            staging.reserveCapacity(chunkElements * dtype.byteSize)
            for tensor in tensors {
                var start = 0
                while start < tensor.values.count {
                    let end = min(start + chunkElements, tensor.values.count)
                    staging.removeAll(keepingCapacity: true)
                    encode(tensor.values[start ..< end], dtype: dtype, into: &staging)
                    try handle.write(contentsOf: staging)
                    start = end
                }
            }
            try handle.synchronize()
            try handle.close()
            guard rename(temporary.path, path) == 0 else {
                throw SafetensorsError(.writeFailed, file: path, "cannot rename the temporary file into place (\(String(cString: strerror(errno))))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if let error = error as? SafetensorsError { throw error }
            throw SafetensorsError(.writeFailed, file: path, "writing failed: \(error.localizedDescription)",
                                   fix: "check free disk space and permissions")
        }
    }

    static func encode(_ values: ArraySlice<Float>, dtype: SafetensorsDType, into bytes: inout [UInt8]) {
        switch dtype {
        case .f32:
            for value in values {
                let bits = value.bitPattern
                bytes.append(UInt8(truncatingIfNeeded: bits))
                bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
                bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
                bytes.append(UInt8(truncatingIfNeeded: bits >> 24))
            }
        case .f16, .bf16:
            for value in values {
                let bits = dtype == .f16 ? f16Bits(value) : bf16Bits(value)
                bytes.append(UInt8(truncatingIfNeeded: bits))
                bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
            }
        }
    }

    /// A JSON string literal (RFC 8259 §7): quote, backslash and control characters escaped.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
