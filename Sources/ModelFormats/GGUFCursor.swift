/// A bounds-checked little-endian reader over the mapped file (GGUF.md §1).
///
/// Every read checks the remaining length first, with arithmetic that cannot overflow, and
/// throws `GGUFError.truncated` naming the field; loads are `loadUnaligned` because GGUF
/// packs fields with no alignment until the data section.
struct GGUFCursor {
    let bytes: UnsafeRawBufferPointer
    let file: String?
    private(set) var position: Int = 0

    init(_ bytes: UnsafeRawBufferPointer, file: String?) {
        self.bytes = bytes
        self.file = file
    }

    var remaining: Int { bytes.count - position }

    func error(_ kind: GGUFError.Kind, at offset: Int? = nil, _ reason: String, fix: String? = nil) -> GGUFError {
        GGUFError(kind, file: file, offset: offset ?? position, reason, fix: fix)
    }

    private func require(_ count: Int, _ what: @autoclosure () -> String) throws {
        guard count <= remaining else {
            throw error(.truncated,
                        "the file is truncated: \(what()) needs \(count) bytes but only \(remaining) remain (file size \(bytes.count))",
                        fix: "download or copy the file again; compare its size and checksum with the source")
        }
    }

    private mutating func load<T: FixedWidthInteger>(_ type: T.Type, _ what: @autoclosure () -> String) throws -> T {
        try require(MemoryLayout<T>.size, what())
        let value = bytes.loadUnaligned(fromByteOffset: position, as: T.self)
        position += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    mutating func u8(_ what: @autoclosure () -> String) throws -> UInt8 { try load(UInt8.self, what()) }
    mutating func u16(_ what: @autoclosure () -> String) throws -> UInt16 { try load(UInt16.self, what()) }
    mutating func u32(_ what: @autoclosure () -> String) throws -> UInt32 { try load(UInt32.self, what()) }
    mutating func u64(_ what: @autoclosure () -> String) throws -> UInt64 { try load(UInt64.self, what()) }

    /// A count stored as u64, checked to fit in `Int` (ggml reads them as int64 and rejects negatives).
    mutating func count(_ what: @autoclosure () -> String) throws -> Int {
        let start = position
        let raw = try u64(what())
        guard raw <= UInt64(Int.max) else {
            throw error(.malformedMetadata, at: start, "\(what()) is \(raw), which is negative as int64 or impossibly large")
        }
        return Int(raw)
    }

    /// §1.2: u64 length then that many UTF-8 bytes. Invalid UTF-8 is repaired with U+FFFD
    /// rather than rejected, as ggml does not validate strings either.
    mutating func string(_ what: @autoclosure () -> String, maxLength: Int) throws -> String {
        let start = position
        let length = try u64("length of \(what())")
        guard length <= UInt64(maxLength) else {
            throw error(.malformedMetadata, at: start,
                        "\(what()) claims \(length) bytes, more than the limit of \(maxLength)")
        }
        let count = Int(length)
        try require(count, what())
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position ..< position + count]), as: UTF8.self)
        position += count
        return text
    }

    /// Moves to the next multiple of `alignment` (a power of two), failing past the end.
    mutating func align(to alignment: Int, _ what: @autoclosure () -> String) throws {
        let padding = (alignment - position % alignment) % alignment
        try require(padding, what())
        position += padding
    }
}
