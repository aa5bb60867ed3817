import Foundation

/// Parses and validates the GGUF header, metadata and tensor infos (GGUF.md §1) from a
/// byte buffer. Every count, length and offset is checked against the buffer before it is
/// used, so a corrupt or hostile file yields a `GGUFError` and never a crash.
struct GGUFParser {
    struct Result {
        var version: UInt32
        var metadata: [String: GGUFValue]
        var metadataKeys: [String]
        var tensors: [GGUFTensorInfo]
        var alignment: Int
        var dataStart: Int
    }

    /// §1.2: ggml caps strings at 1 GiB and keys at 65535 bytes (docs/gguf.md).
    static let maxStringLength = 1 << 30
    static let maxKeyLength = 65535
    /// ggml's tensor-name buffer holds 63 bytes and a NUL (§1.4).
    static let maxTensorNameLength = 63
    /// Nested arrays are legal (§1.3) but no real file nests deeply; the cap keeps a
    /// malicious file from exhausting the stack through recursion.
    static let maxArrayDepth = 8
    /// Fewest bytes a key/value record takes: 8-byte length, 1-byte key, u32 type, 1-byte value.
    static let minKVRecordSize = 14
    /// Fewest bytes a tensor-info record takes: name, n_dims, one ne, type, offset.
    static let minTensorInfoSize = 8 + 1 + 4 + 8 + 4 + 8
    static let defaultAlignment = 32

    static func parse(_ bytes: UnsafeRawBufferPointer, file: String?) throws -> Result {
        var cursor = GGUFCursor(bytes, file: file)

        // §1.1 header.
        let magic = try cursor.u32("magic")
        guard magic == 0x4655_4747 else {
            let shown = (0 ..< 4).map { String(format: "%02x", (magic >> (8 * UInt32($0))) & 0xFF) }.joined(separator: " ")
            throw cursor.error(.notGGUF, at: 0, "expected the magic bytes 47 47 55 46 (\"GGUF\"), found \(shown)",
                               fix: "pass a .gguf file; a Hugging Face folder is read with SafetensorsModel and HFModelConfig")
        }
        let version = try cursor.u32("version")
        guard version == 2 || version == 3 else {
            if version & 0xFFFF == 0, version != 0 {
                throw cursor.error(.unsupportedVersion, at: 4, "version field 0x\(String(version, radix: 16)) means a big-endian GGUF file, which is not supported",
                                   fix: "convert the model again on a little-endian machine")
            }
            throw cursor.error(.unsupportedVersion, at: 4, "GGUF version \(version) is not supported (versions 2 and 3 are)",
                               fix: version == 1 ? "re-convert the model with a current llama.cpp convert_hf_to_gguf.py" : nil)
        }
        let tensorCount = try cursor.count("tensor count")
        let kvCount = try cursor.count("metadata key/value count")
        guard kvCount <= cursor.remaining / minKVRecordSize else {
            throw cursor.error(.truncated, at: 16, "the file is truncated or its header is corrupt: \(kvCount) metadata records cannot fit in the \(cursor.remaining) bytes after the header",
                               fix: "download or copy the file again; compare its size and checksum with the source")
        }
        guard tensorCount <= cursor.remaining / minTensorInfoSize else {
            throw cursor.error(.truncated, at: 8, "the file is truncated or its header is corrupt: \(tensorCount) tensor-info records cannot fit in the \(cursor.remaining) bytes after the header",
                               fix: "download or copy the file again; compare its size and checksum with the source")
        }

        // §1.3 key/value records.
        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        keys.reserveCapacity(kvCount)
        for index in 0 ..< kvCount {
            let recordStart = cursor.position
            let key = try cursor.string("key of metadata record \(index)", maxLength: maxKeyLength)
            guard !key.isEmpty else {
                throw cursor.error(.malformedMetadata, at: recordStart, "metadata record \(index) has an empty key")
            }
            guard metadata[key] == nil else {
                throw cursor.error(.malformedMetadata, at: recordStart, "duplicate metadata key '\(key)'")
            }
            let typeOffset = cursor.position
            let typeID = try cursor.u32("value type of '\(key)'")
            guard let type = GGUFValueType(rawValue: typeID) else {
                throw cursor.error(.malformedMetadata, at: typeOffset, "key '\(key)' has unknown value type id \(typeID) (valid ids are 0…12)")
            }
            metadata[key] = try readValue(type, key: key, depth: 0, cursor: &cursor)
            keys.append(key)
        }

        // §1.5 alignment: must be UINT32 and a non-zero power of two (ggml rejects otherwise).
        var alignment = defaultAlignment
        if let value = metadata["general.alignment"] {
            guard case .uint32(let a) = value, a > 0, a & (a - 1) == 0 else {
                throw cursor.error(.malformedMetadata, at: nil,
                                   "general.alignment is \(value) (\(value.typeName)); it must be a UINT32 power of two",
                                   fix: "rewrite the key as UINT32 32, the default")
            }
            alignment = Int(a)
        }

        // §1.4 tensor infos.
        struct Record { var name: String; var shape: [Int]; var type: GGMLType; var relativeOffset: Int; var byteCount: Int; var elementCount: Int; var at: Int }
        var records: [Record] = []
        records.reserveCapacity(tensorCount)
        var names = Set<String>()
        for index in 0 ..< tensorCount {
            let recordStart = cursor.position
            let name = try cursor.string("name of tensor \(index)", maxLength: maxStringLength)
            guard !name.isEmpty, name.utf8.count <= maxTensorNameLength else {
                throw cursor.error(.malformedTensorInfo, at: recordStart,
                                   "tensor \(index) has a name of \(name.utf8.count) bytes; names must be 1…\(maxTensorNameLength) bytes")
            }
            guard names.insert(name).inserted else {
                throw cursor.error(.malformedTensorInfo, at: recordStart, "duplicate tensor name '\(name)'")
            }
            let dimsOffset = cursor.position
            let dims = try cursor.u32("n_dims of '\(name)'")
            guard (1 ... 4).contains(dims) else {
                throw cursor.error(.malformedTensorInfo, at: dimsOffset, "tensor '\(name)' has \(dims) dimensions; GGUF allows 1…4")
            }
            var shape: [Int] = []
            var elements = 1
            for d in 0 ..< Int(dims) {
                let neOffset = cursor.position
                let ne = try cursor.u64("ne[\(d)] of '\(name)'")
                guard ne <= UInt64(Int.max) else {
                    throw cursor.error(.malformedTensorInfo, at: neOffset, "tensor '\(name)' has ne[\(d)] = \(ne), negative as int64")
                }
                let (product, overflow) = elements.multipliedReportingOverflow(by: Int(ne))
                guard !overflow else {
                    throw cursor.error(.malformedTensorInfo, at: neOffset, "tensor '\(name)' has an element count that overflows 64 bits")
                }
                elements = product
                shape.append(Int(ne))
            }
            let typeOffset = cursor.position
            let typeID = try cursor.u32("type of '\(name)'")
            guard let type = GGMLType(rawValue: typeID) else {
                throw cursor.error(.unsupportedTensorType, at: typeOffset,
                                   "tensor '\(name)' has ggml type id \(typeID) (\(GGMLType.nameOfID(typeID))), which this reader cannot decode",
                                   fix: "supported types are \(GGMLType.allCases.map(\.description).joined(separator: ", ")); requantize with llama-quantize, e.g. to Q4_K_M")
            }
            guard shape[0] % type.blockSize == 0 else {
                throw cursor.error(.malformedTensorInfo, at: dimsOffset,
                                   "tensor '\(name)' has rows of \(shape[0]) elements, not a multiple of the \(type) block size \(type.blockSize)")
            }
            guard let byteCount = type.byteCount(elements: elements) else {
                throw cursor.error(.malformedTensorInfo, at: dimsOffset, "tensor '\(name)' is too large to address")
            }
            let offsetAt = cursor.position
            let rawOffset = try cursor.u64("data offset of '\(name)'")
            guard rawOffset <= UInt64(Int.max), Int(rawOffset) % alignment == 0 else {
                throw cursor.error(.malformedTensorInfo, at: offsetAt,
                                   "tensor '\(name)' has data offset \(rawOffset), not a multiple of the alignment \(alignment)")
            }
            records.append(Record(name: name, shape: shape, type: type, relativeOffset: Int(rawOffset),
                                  byteCount: byteCount, elementCount: elements, at: recordStart))
        }

        // §1.5 data section: only padded when there are tensors (a vocab-only file ends here).
        var dataStart = cursor.position
        if tensorCount > 0 {
            try cursor.align(to: alignment, "padding before the tensor data")
            dataStart = cursor.position
        }

        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(records.count)
        for record in records {
            let (start, overflowStart) = dataStart.addingReportingOverflow(record.relativeOffset)
            let (end, overflowEnd) = start.addingReportingOverflow(record.byteCount)
            guard !overflowStart, !overflowEnd, end <= bytes.count else {
                throw cursor.error(.truncated, at: record.at,
                                   "the file is truncated or the offset is corrupt: tensor '\(record.name)' (\(record.type), \(record.byteCount) bytes) would end at byte \(overflowStart || overflowEnd ? "beyond 2^63" : String(end)), past the end of the file (\(bytes.count) bytes)",
                                   fix: "download or copy the file again; compare its size and checksum with the source")
            }
            tensors.append(GGUFTensorInfo(name: record.name, shape: record.shape, type: record.type, offset: start,
                                          byteCount: record.byteCount, elementCount: record.elementCount))
        }

        // Tensors must not share bytes: a writer places them one after another (§1.5).
        let byOffset = tensors.sorted { $0.offset < $1.offset }
        for (previous, next) in zip(byOffset, byOffset.dropFirst()) where previous.offset + previous.byteCount > next.offset {
            throw cursor.error(.malformedTensorInfo, at: next.offset,
                               "tensors '\(previous.name)' and '\(next.name)' overlap in the data section")
        }

        return Result(version: version, metadata: metadata, metadataKeys: keys, tensors: tensors,
                      alignment: alignment, dataStart: dataStart)
    }

    /// Reads one value of `type` (§1.3), recursing into arrays up to `maxArrayDepth`.
    private static func readValue(_ type: GGUFValueType, key: String, depth: Int, cursor: inout GGUFCursor) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try cursor.u8("value of '\(key)'"))
        case .int8: return .int8(Int8(bitPattern: try cursor.u8("value of '\(key)'")))
        case .uint16: return .uint16(try cursor.u16("value of '\(key)'"))
        case .int16: return .int16(Int16(bitPattern: try cursor.u16("value of '\(key)'")))
        case .uint32: return .uint32(try cursor.u32("value of '\(key)'"))
        case .int32: return .int32(Int32(bitPattern: try cursor.u32("value of '\(key)'")))
        case .float32: return .float32(Float(bitPattern: try cursor.u32("value of '\(key)'")))
        case .bool: return .bool(try cursor.u8("value of '\(key)'") != 0)
        case .string: return .string(try cursor.string("value of '\(key)'", maxLength: maxStringLength))
        case .uint64: return .uint64(try cursor.u64("value of '\(key)'"))
        case .int64: return .int64(Int64(bitPattern: try cursor.u64("value of '\(key)'")))
        case .float64: return .float64(Double(bitPattern: try cursor.u64("value of '\(key)'")))
        case .array:
            let headerStart = cursor.position
            guard depth < maxArrayDepth else {
                throw cursor.error(.malformedMetadata, at: headerStart, "key '\(key)' nests arrays deeper than \(maxArrayDepth) levels")
            }
            let elementTypeID = try cursor.u32("array element type of '\(key)'")
            guard let elementType = GGUFValueType(rawValue: elementTypeID) else {
                throw cursor.error(.malformedMetadata, at: headerStart, "array '\(key)' has unknown element type id \(elementTypeID) (valid ids are 0…12)")
            }
            let count = try cursor.count("array length of '\(key)'")
            guard count <= cursor.remaining / elementType.minimumEncodedSize else {
                throw cursor.error(.truncated, at: headerStart,
                                   "the file is truncated or corrupt: array '\(key)' claims \(count) \(elementType) elements but only \(cursor.remaining) bytes remain",
                                   fix: "download or copy the file again")
            }
            var values: [GGUFValue] = []
            values.reserveCapacity(count)
            for _ in 0 ..< count {
                values.append(try readValue(elementType, key: key, depth: depth + 1, cursor: &cursor))
            }
            return .array(elementType: elementType, values: values)
        }
    }
}
