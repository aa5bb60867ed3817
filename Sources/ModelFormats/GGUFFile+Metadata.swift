/// Typed metadata lookups. The throwing forms are for keys a model needs: a missing key or
/// a value of another type gives a `GGUFError` naming the key, the type found and the file.
/// The `optional…` forms return nil for a missing key but still throw on a wrong type, so a
/// corrupt value is never mistaken for an absent one.
extension GGUFFile {
    private func require<T>(_ key: String, _ expected: String, _ convert: (GGUFValue) -> T?) throws -> T {
        guard let value = metadata[key] else {
            throw GGUFError(.missingKey, file: url.path, offset: nil, "metadata key '\(key)' is missing",
                            fix: "re-convert the model with a current llama.cpp convert_hf_to_gguf.py")
        }
        return try typed(key, value, expected, convert)
    }

    private func optional<T>(_ key: String, _ expected: String, _ convert: (GGUFValue) -> T?) throws -> T? {
        guard let value = metadata[key] else { return nil }
        return try typed(key, value, expected, convert)
    }

    private func typed<T>(_ key: String, _ value: GGUFValue, _ expected: String, _ convert: (GGUFValue) -> T?) throws -> T {
        guard let result = convert(value) else {
            if case .uint64(let big) = value, big > UInt64(Int.max) {
                throw GGUFError(.wrongValueType, file: url.path, offset: nil,
                                "metadata key '\(key)' holds UINT64 \(big), too large for Int")
            }
            throw GGUFError(.wrongValueType, file: url.path, offset: nil,
                            "metadata key '\(key)' holds \(value.typeName), expected \(expected)")
        }
        return result
    }

    public func string(_ key: String) throws -> String { try require(key, "STRING", \.stringValue) }
    /// Any integer type, as `Int`.
    public func int(_ key: String) throws -> Int { try require(key, "an integer", \.intValue) }
    /// FLOAT32 or FLOAT64, as `Float`.
    public func float(_ key: String) throws -> Float { try require(key, "FLOAT32 or FLOAT64", \.floatValue) }
    public func bool(_ key: String) throws -> Bool { try require(key, "BOOL", \.boolValue) }
    public func stringArray(_ key: String) throws -> [String] { try require(key, "ARRAY[STRING]", \.stringArray) }
    public func intArray(_ key: String) throws -> [Int] { try require(key, "an array of integers", \.intArray) }
    public func floatArray(_ key: String) throws -> [Float] { try require(key, "an array of FLOAT32 or FLOAT64", \.floatArray) }

    public func optionalString(_ key: String) throws -> String? { try optional(key, "STRING", \.stringValue) }
    public func optionalInt(_ key: String) throws -> Int? { try optional(key, "an integer", \.intValue) }
    public func optionalFloat(_ key: String) throws -> Float? { try optional(key, "FLOAT32 or FLOAT64", \.floatValue) }
    public func optionalBool(_ key: String) throws -> Bool? { try optional(key, "BOOL", \.boolValue) }
    public func optionalStringArray(_ key: String) throws -> [String]? { try optional(key, "ARRAY[STRING]", \.stringArray) }
    public func optionalIntArray(_ key: String) throws -> [Int]? { try optional(key, "an array of integers", \.intArray) }
    public func optionalFloatArray(_ key: String) throws -> [Float]? { try optional(key, "an array of FLOAT32 or FLOAT64", \.floatArray) }

    /// `general.architecture`, the prefix of the model's own keys (§8.2).
    public var architecture: String? { metadata["general.architecture"]?.stringValue }
}
