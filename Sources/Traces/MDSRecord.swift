/// One sample's bytes inside a shard (MDS.md §3): the u32 lengths of the variable-size
/// columns, then every column's bytes in column order.
enum MDSRecord {
    static func encode(_ sample: [String: MDSValue], columns: [MDSColumn]) throws -> [UInt8] {
        var lengths: [UInt8] = []
        var body: [UInt8] = []
        for column in columns {
            guard let value = sample[column.name] else {
                throw TracesError.invalidSample(column: column.name, reason: "missing; every column needs a value")
            }
            let bytes = try column.encode(value)
            if column.encoding.fixedSize == nil {
                guard bytes.count <= Int(UInt32.max) else {
                    throw TracesError.invalidSample(column: column.name, reason: "value of \(bytes.count) bytes exceeds 4 GiB")
                }
                lengths += littleEndian(UInt64(bytes.count), bytes: 4)
            }
            body += bytes
        }
        return lengths + body
    }

    static func decode(_ record: ArraySlice<UInt8>, columns: [MDSColumn], columnSizes: [Int?],
                       file name: String, sample row: Int) throws -> [String: MDSValue] {
        // Record: u32 lengths of the variable columns, then every column's bytes (MDS.md §3).
        let variable = columnSizes.filter { $0 == nil }.count
        guard record.count >= 4 * variable else {
            throw TracesError.malformedSample(file: name, sample: row, column: "(lengths)", reason: "record too short for its length table")
        }
        var lengthAt = record.startIndex
        var dataAt = record.startIndex + 4 * variable
        var sample: [String: MDSValue] = [:]
        for (column, declared) in zip(columns, columnSizes) {
            let size: Int
            if let fixed = declared {
                size = fixed
            } else {
                size = Int(readLE(record[lengthAt..<lengthAt + 4]))
                lengthAt += 4
            }
            if let fixed = column.encoding.fixedSize, size != fixed {
                throw TracesError.malformedSample(file: name, sample: row, column: column.name, reason: "\(size) bytes for a \(fixed)-byte \(column.encoding.rawValue)")
            }
            guard size <= record.endIndex - dataAt else {
                throw TracesError.malformedSample(file: name, sample: row, column: column.name, reason: "value of \(size) bytes runs past the record")
            }
            guard let value = column.decode(record[dataAt..<dataAt + size]) else {
                throw TracesError.malformedSample(file: name, sample: row, column: column.name, reason: "does not decode as \(column.encoding.rawValue) (invalid UTF-8 or array header)")
            }
            sample[column.name] = value
            dataAt += size
        }
        guard dataAt == record.endIndex else {
            throw TracesError.malformedSample(file: name, sample: row, column: "(all)", reason: "\(record.endIndex - dataAt) bytes left over after the last column")
        }
        return sample
    }
}
