/// Little-endian encoding of the GGUF header's fields, strings, metadata records and
/// tensor-info records (GGUF.md §1.1–§1.4): the inverse of `GGUFCursor`.
struct GGUFEncoder {
    private(set) var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { append(value) }
    mutating func u32(_ value: UInt32) { append(value) }
    mutating func u64(_ value: UInt64) { append(value) }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// §1.2: u64 length, then the UTF-8 bytes, no terminator.
    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        u64(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// §1.3: key, u32 type, value.
    mutating func keyValue(_ key: String, _ value: GGUFValue) {
        string(key)
        u32(value.type.rawValue)
        self.value(value)
    }

    /// A value without its type tag (array elements carry none).
    mutating func value(_ value: GGUFValue) {
        switch value {
        case .uint8(let v): u8(v)
        case .int8(let v): u8(UInt8(bitPattern: v))
        case .uint16(let v): u16(v)
        case .int16(let v): u16(UInt16(bitPattern: v))
        case .uint32(let v): u32(v)
        case .int32(let v): u32(UInt32(bitPattern: v))
        case .float32(let v): u32(v.bitPattern)
        case .bool(let v): u8(v ? 1 : 0)
        case .string(let v): string(v)
        case .uint64(let v): u64(v)
        case .int64(let v): u64(UInt64(bitPattern: v))
        case .float64(let v): u64(v.bitPattern)
        case .array(let elementType, let values):
            u32(elementType.rawValue)
            u64(UInt64(values.count))
            for element in values { self.value(element) }
        }
    }

    /// §1.4: name, n_dims, ne[…], type, offset relative to the data section.
    mutating func tensorInfo(name: String, shape: [Int], type: GGMLType, offset: Int) {
        string(name)
        u32(UInt32(shape.count))
        for dim in shape { u64(UInt64(dim)) }
        u32(type.rawValue)
        u64(UInt64(offset))
    }
}
