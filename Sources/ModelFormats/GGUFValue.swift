/// The value types of a GGUF metadata record (GGUF.md §1.3).
public enum GGUFValueType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6
    case bool = 7, string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    public var description: String {
        switch self {
        case .uint8: return "UINT8"
        case .int8: return "INT8"
        case .uint16: return "UINT16"
        case .int16: return "INT16"
        case .uint32: return "UINT32"
        case .int32: return "INT32"
        case .float32: return "FLOAT32"
        case .bool: return "BOOL"
        case .string: return "STRING"
        case .array: return "ARRAY"
        case .uint64: return "UINT64"
        case .int64: return "INT64"
        case .float64: return "FLOAT64"
        }
    }

    /// The fewest bytes one value of this type takes; bounds array counts before allocating.
    var minimumEncodedSize: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64, .string: return 8
        case .array: return 12
        }
    }
}

/// One metadata value, exactly as stored (no widening), so a writer can reproduce the file.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case float32(Float)
    case bool(Bool)
    case string(String)
    /// Elements all of `elementType` (the array header's type); may itself be `.array`.
    case array(elementType: GGUFValueType, values: [GGUFValue])
    case uint64(UInt64)
    case int64(Int64)
    case float64(Double)

    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        }
    }

    /// `ARRAY[STRING]`-style name used in error messages.
    public var typeName: String {
        if case .array(let elementType, _) = self { return "ARRAY[\(elementType)]" }
        return type.description
    }

    /// Any integer type as `Int`; nil for other types or a UINT64 above `Int.max`.
    public var intValue: Int? {
        switch self {
        case .uint8(let v): return Int(v)
        case .int8(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint64(let v): return Int(exactly: v)
        case .int64(let v): return Int(v)
        default: return nil
        }
    }

    /// FLOAT32 or FLOAT64 as `Float` (FLOAT64 rounds to nearest).
    public var floatValue: Float? {
        switch self {
        case .float32(let v): return v
        case .float64(let v): return Float(v)
        default: return nil
        }
    }

    /// FLOAT32 or FLOAT64 as `Double` (FLOAT32 widens exactly).
    public var doubleValue: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    public var stringValue: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    public var arrayValues: [GGUFValue]? {
        if case .array(_, let values) = self { return values }
        return nil
    }

    /// An array whose elements are all strings.
    public var stringArray: [String]? {
        guard case .array(.string, let values) = self else { return nil }
        return values.compactMap(\.stringValue)
    }

    /// An array of any one integer type, each element as `Int`.
    public var intArray: [Int]? {
        guard case .array(let elementType, let values) = self,
              elementType != .array, elementType != .string, elementType != .bool,
              elementType != .float32, elementType != .float64 else { return nil }
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let int = value.intValue else { return nil }
            result.append(int)
        }
        return result
    }

    /// An array of FLOAT32 or FLOAT64, each element as `Float`.
    public var floatArray: [Float]? {
        guard case .array(let elementType, let values) = self,
              elementType == .float32 || elementType == .float64 else { return nil }
        return values.compactMap(\.floatValue)
    }
}

extension GGUFValue: CustomStringConvertible {
    /// The value as it reads in an error message; long arrays are abridged.
    public var description: String {
        switch self {
        case .uint8(let v): return "\(v)"
        case .int8(let v): return "\(v)"
        case .uint16(let v): return "\(v)"
        case .int16(let v): return "\(v)"
        case .uint32(let v): return "\(v)"
        case .int32(let v): return "\(v)"
        case .float32(let v): return "\(v)"
        case .bool(let v): return "\(v)"
        case .string(let v): return "\"\(v)\""
        case .uint64(let v): return "\(v)"
        case .int64(let v): return "\(v)"
        case .float64(let v): return "\(v)"
        case .array(_, let values):
            let shown = values.prefix(8).map(\.description).joined(separator: ", ")
            return "[" + shown + (values.count > 8 ? ", … (\(values.count) elements)]" : "]")
        }
    }
}
