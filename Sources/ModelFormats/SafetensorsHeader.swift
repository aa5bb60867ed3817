import Foundation

/// Parses and validates a safetensors header against the file it came from.
enum SafetensorsHeader {
    struct Result {
        var metadata: [String: String]
        var tensors: [SafetensorsTensorInfo]   // in data order
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> Result {
        func fail(_ kind: SafetensorsError.Kind, _ reason: String, fix: String? = nil) -> SafetensorsError {
            SafetensorsError(kind, file: file, reason, fix: fix)
        }
        let redownload = "download or copy the file again; compare its size and checksum with the source"
        guard bytes.count >= 8 else {
            throw fail(.truncated, "the file is truncated: \(bytes.count) bytes, fewer than the 8-byte header length", fix: redownload)
        }
        let rawLength = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard rawLength <= UInt64(SafetensorsFile.maxHeaderLength) else {
            throw fail(.malformedHeader, "header length \(rawLength) exceeds the 100 MB limit; this is not a safetensors file or it is corrupt")
        }
        let headerLength = Int(rawLength)
        guard headerLength <= bytes.count - 8 else {
            throw fail(.truncated, "the file is truncated: the header claims \(headerLength) bytes but only \(bytes.count - 8) follow", fix: redownload)
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[8 ..< 8 + headerLength])
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw fail(.malformedHeader, "the header does not start with '{'; this is not a safetensors file")
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(headerBytes))
        } catch {
            throw fail(.malformedHeader, "the JSON header does not parse (\(error.localizedDescription))")
        }
        guard let object = json as? [String: Any] else {
            throw fail(.malformedHeader, "the JSON header is not an object")
        }

        var metadata: [String: String] = [:]
        if let raw = object["__metadata__"] {
            guard let map = raw as? [String: Any] else {
                throw fail(.malformedHeader, "__metadata__ is not an object of strings")
            }
            for (key, value) in map {
                guard let string = value as? String else {
                    throw fail(.malformedHeader, "__metadata__ value for '\(key)' is not a string")
                }
                metadata[key] = string
            }
        }

        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        var tensors: [SafetensorsTensorInfo] = []
        for (name, raw) in object where name != "__metadata__" {
            guard let entry = raw as? [String: Any] else {
                throw fail(.invalidTensor, "entry '\(name)' is not an object")
            }
            guard let dtypeName = entry["dtype"] as? String else {
                throw fail(.invalidTensor, "tensor '\(name)' has no dtype string")
            }
            guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
                throw fail(.unsupportedDType, "tensor '\(name)' has dtype \(dtypeName); supported dtypes are F32, F16, BF16",
                           fix: "convert the checkpoint, e.g. in Python: model.to(torch.bfloat16).save_pretrained(...)")
            }
            guard let shape = integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail(.invalidTensor, "tensor '\(name)' has no valid shape (a list of non-negative integers)")
            }
            guard let offsets = integers(entry["data_offsets"]), offsets.count == 2 else {
                throw fail(.invalidTensor, "tensor '\(name)' has no valid data_offsets (two integers)")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw fail(end > dataLength ? .truncated : .invalidTensor,
                           "tensor '\(name)' has data_offsets [\(begin), \(end)] outside the \(dataLength) data bytes"
                               + (end > dataLength ? "; the file is truncated or the header is corrupt" : ""),
                           fix: end > dataLength ? redownload : nil)
            }
            var elements = 1
            for dim in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dim)
                guard !overflow else { throw fail(.invalidTensor, "tensor '\(name)' has a shape whose size overflows") }
                elements = product
            }
            let (expected, overflow) = elements.multipliedReportingOverflow(by: dtype.byteSize)
            guard !overflow, expected == end - begin else {
                throw fail(.invalidTensor, "tensor '\(name)' is \(dtypeName) \(shape) (\(elements) elements) but spans \(end - begin) bytes")
            }
            tensors.append(SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape,
                                                 byteRange: dataStart + begin ..< dataStart + end, elementCount: elements))
        }
        tensors.sort { ($0.byteRange.lowerBound, $0.byteRange.upperBound, $0.name) < ($1.byteRange.lowerBound, $1.byteRange.upperBound, $1.name) }
        for (previous, next) in zip(tensors, tensors.dropFirst()) where next.byteRange.lowerBound < previous.byteRange.upperBound {
            throw fail(.invalidTensor, "tensors '\(previous.name)' and '\(next.name)' overlap in the data section")
        }
        return Result(metadata: metadata, tensors: tensors)
    }

    /// A JSON array of integers (JSONSerialization gives NSNumber; fractional values fail).
    static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var result: [Int] = []
        for element in array {
            // Offsets past 2^53 cannot be exact in JSON numbers and no real file has them.
            guard let number = element as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double.rounded() == double, abs(double) < 9.0e15 else { return nil }
            let int = Int(double)
            result.append(int)
        }
        return result
    }
}
