import Foundation
import Testing
@testable import ModelFormats

/// The reader against a file written by gguf-py's GGUFWriter (every value type, a nested
/// array, four tensor types) and against hand-built valid and invalid files.
@Suite struct GGUFReaderTests {
    @Test func readsEveryValueTypeWrittenByGGUFPy() throws {
        let file = try GGUFFile(url: Fixture.url("gguf_py_written.gguf"))
        let expected = try Fixture.json("gguf_py_written.json")
        #expect(file.version == 3)
        #expect(file.metadataKeys == expected["kv_keys"] as? [String])
        #expect(file.metadata["test.u8"] == .uint8(200))
        #expect(file.metadata["test.i8"] == .int8(-100))
        #expect(file.metadata["test.u16"] == .uint16(60000))
        #expect(file.metadata["test.i16"] == .int16(-30000))
        #expect(file.metadata["test.u32"] == .uint32(4_000_000_000))
        #expect(file.metadata["test.i32"] == .int32(-2_000_000_000))
        #expect(file.metadata["test.f32"] == .float32(0.15625))
        #expect(file.metadata["test.bool"] == .bool(true))
        #expect(file.metadata["test.string"] == .string("héllo ✓"))
        #expect(file.metadata["test.u64"] == .uint64(18_000_000_000_000_000_000))
        #expect(file.metadata["test.i64"] == .int64(-9_000_000_000_000_000_000))
        #expect(file.metadata["test.f64"] == .float64(1.0 / 3.0))
        #expect(try file.stringArray("test.strings") == ["a", "bc", "déf"])
        #expect(try file.intArray("test.ints") == [1, -2, 3])
        #expect(try file.floatArray("test.floats") == [0.5, -1.25])
        guard case .array(.array, let inner)? = file.metadata["test.nested"] else {
            Issue.record("test.nested is not an array of arrays: \(String(describing: file.metadata["test.nested"]))")
            return
        }
        #expect(inner.map { $0.intArray } == [[1, 2], [3, 4, 5]])
        #expect(file.architecture == "llama")
        #expect(file.dataStart == expected["data_offset"] as? Int)
    }

    @Test func tensorsMatchGGUFPy() throws {
        let file = try GGUFFile(url: Fixture.url("gguf_py_written.gguf"))
        let expected = try Fixture.json("gguf_py_written.json")["tensors"] as? [[String: Any]] ?? []
        #expect(file.tensors.count == expected.count)
        for (tensor, want) in zip(file.tensors, expected) {
            #expect(tensor.name == want["name"] as? String)
            #expect(tensor.shape == want["shape"] as? [Int])
            #expect(Int(tensor.type.rawValue) == want["type"] as? Int)
            #expect(tensor.offset == want["offset"] as? Int)
            #expect(tensor.byteCount == want["n_bytes"] as? Int)
            #expect(bits(try file.dequantized(tensor)) == (want["bits"] as? [Int] ?? []).map { UInt32($0) }, "\(tensor.name)")
        }
        #expect(file.tensor(named: "c.q8_0")?.type == .q8_0)
        #expect(file.tensor(named: "missing") == nil)
    }

    @Test func typedLookups() throws {
        let file = try GGUFFile(url: Fixture.url("gguf_py_written.gguf"))
        #expect(try file.int("test.u32") == 4_000_000_000)
        #expect(try file.int("test.i8") == -100)
        #expect(try file.float("test.f64") == Float(1.0 / 3.0))
        #expect(try file.bool("test.bool"))
        #expect(try file.string("test.string") == "héllo ✓")
        #expect(try file.optionalString("no.such.key") == nil)
        #expect(try file.optionalInt("llama.block_count") == 2)

        let missing = #expect(throws: GGUFError.self) { try file.int("no.such.key") }
        #expect(missing?.kind == .missingKey)
        #expect(missing?.description.contains("no.such.key") == true)
        let wrong = #expect(throws: GGUFError.self) { try file.string("test.u8") }
        #expect(wrong?.kind == .wrongValueType)
        #expect(wrong?.description.contains("UINT8") == true)
        let tooBig = #expect(throws: GGUFError.self) { try file.int("test.u64") }
        #expect(tooBig?.description.contains("too large for Int") == true)
        #expect(file.metadata["test.strings"]?.description == #"["a", "bc", "déf"]"#)
        // A wrong type is an error even through the optional form.
        #expect(throws: GGUFError.self) { try file.optionalFloat("test.string") }
        #expect(throws: GGUFError.self) { try file.stringArray("test.ints") }
    }

    // MARK: hand-built files

    private func open(_ bytes: [UInt8]) throws -> GGUFFile {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        return try GGUFFile(url: dir.file("t.gguf", bytes))
    }

    private func expectError(_ kind: GGUFError.Kind, _ bytes: [UInt8], mentions: [String] = [],
                             sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try open(bytes)
            Issue.record("expected \(kind), but the file parsed", sourceLocation: sourceLocation)
        } catch let error as GGUFError {
            #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
            #expect(error.file?.hasSuffix("t.gguf") == true, sourceLocation: sourceLocation)
            for word in mentions {
                #expect(error.description.contains(word), "'\(word)' not in: \(error)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("untyped error \(error)", sourceLocation: sourceLocation)
        }
    }

    private static let u32Type: (UInt32) -> (inout GGUFBuilder) -> Void = { v in { $0.u32(4); $0.u32(v) } }

    @Test func readsHandBuiltFile() throws {
        // F32 [4, 2] then one Q8_0 block (d = 1.0 = f16 0x3C00, qs = 0…31).
        var data = [Float](arrayLiteral: 1, 2, 3, 4, -1, -2, -3, -4).flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
                data += [0x00, 0x3C] + (0 ..< 32).map { UInt8($0) }
        let bytes = GGUFBuilder.file(version: 2, kv: [("general.architecture", { $0.u32(8); $0.string("llama") })],
                                     tensors: [.init(name: "a", ne: [4, 2], type: 0, offset: 0),
                                               .init(name: "b", ne: [32], type: 8, offset: 32)],
                                     data: data)
        let file = try open(bytes)
        #expect(file.version == 2)
        #expect(file.alignment == 32)
        let a = try #require(file.tensor(named: "a"))
        #expect(a.shape == [4, 2] && a.rowLength == 4 && a.rowCount == 2 && a.elementCount == 8 && a.byteCount == 32)
        #expect(try file.dequantized(a) == [1, 2, 3, 4, -1, -2, -3, -4])
        let b = try #require(file.tensor(named: "b"))
        #expect(b.offset == file.dataStart + 32)
        #expect(try file.dequantized(b) == (0 ..< 32).map(Float.init))
        #expect(file.bytes(of: b).count == 34)
    }

    @Test func honoursAlignment() throws {
        let bytes = GGUFBuilder.file(kv: [("general.alignment", Self.u32Type(64))],
                                     tensors: [.init(name: "x", ne: [16], type: 0, offset: 0),
                                               .init(name: "y", ne: [1], type: 0, offset: 64)],
                                     alignment: 64, data: [UInt8](repeating: 0, count: 68))
        let file = try open(bytes)
        #expect(file.alignment == 64 && file.dataStart % 64 == 0)
        #expect(file.tensor(named: "y")?.offset == file.dataStart + 64)
    }

    @Test func vocabOnlyFileHasNoPadding() throws {
        let bytes = GGUFBuilder.file(kv: [("k", { $0.u32(8); $0.string("v") })])
        let file = try open(bytes)
        #expect(file.tensors.isEmpty && file.dataStart == bytes.count)
    }

    @Test func rejectsMalformedHeaders() {
        expectError(.truncated, [], mentions: ["truncated"])
        expectError(.truncated, Array("GGUF".utf8) + [3, 0, 0], mentions: ["truncated", "version"])
        expectError(.notGGUF, Array("GGUX".utf8) + [UInt8](repeating: 0, count: 20), mentions: ["47 47 55 46"])
        expectError(.unsupportedVersion, GGUFBuilder.file(version: 1), mentions: ["version 1", "convert_hf_to_gguf"])
        expectError(.unsupportedVersion, GGUFBuilder.file(version: 0x0300_0000), mentions: ["big-endian"])
        var absurd = GGUFBuilder.file()
        absurd.replaceSubrange(16 ..< 24, with: [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        expectError(.truncated, absurd, mentions: ["metadata records cannot fit"])
    }

    @Test func rejectsMalformedMetadata() {
        let str: (inout GGUFBuilder) -> Void = { $0.u32(8); $0.string("v") }
        expectError(.malformedMetadata, GGUFBuilder.file(kv: [("a", str), ("a", str)]), mentions: ["duplicate", "'a'"])
        expectError(.malformedMetadata, GGUFBuilder.file(kv: [("", str)]), mentions: ["empty key"])
        expectError(.malformedMetadata, GGUFBuilder.file(kv: [("k", { $0.u32(13); $0.u32(0) })]), mentions: ["unknown value type id 13"])
        expectError(.malformedMetadata, GGUFBuilder.file(kv: [("general.alignment", Self.u32Type(24))]), mentions: ["power of two"])
        expectError(.malformedMetadata, GGUFBuilder.file(kv: [("general.alignment", { $0.u32(10); $0.u64(32) })]), mentions: ["UINT64"])
        // An array claiming 2^40 elements must fail before allocating.
        expectError(.truncated, GGUFBuilder.file(kv: [("k", { $0.u32(9); $0.u32(4); $0.u64(1 << 40) })]), mentions: ["'k'"])
        // Arrays nested deeper than the cap (each level: type ARRAY, count 1).
        let deep: (inout GGUFBuilder) -> Void = { b in
            b.u32(9)
            for _ in 0 ..< 12 { b.u32(9); b.u64(1) }
            b.u32(4); b.u64(0)
        }
        expectError(.malformedMetadata, GGUFBuilder.file(kv: [("deep", deep)]), mentions: ["nests arrays"])
        let hugeString: (inout GGUFBuilder) -> Void = { $0.u32(8); $0.u64(1 << 31) }
        expectError(.malformedMetadata, GGUFBuilder.file(kv: [("s", hugeString)]), mentions: ["limit"])
    }

    @Test func rejectsMalformedTensorInfos() {
        let data = [UInt8](repeating: 0, count: 4096)
        func one(_ t: GGUFBuilder.Tensor) -> [UInt8] { GGUFBuilder.file(tensors: [t], data: data) }
        expectError(.malformedTensorInfo, one(.init(name: "t", ne: [1, 1, 1, 1, 1], type: 0, offset: 0)), mentions: ["5 dimensions"])
        expectError(.malformedTensorInfo, one(.init(name: "t", ne: [], type: 0, offset: 0)), mentions: ["0 dimensions"])
        expectError(.unsupportedTensorType, one(.init(name: "blk.0.attn_q.weight", ne: [256], type: 16, offset: 0)),
                    mentions: ["blk.0.attn_q.weight", "16", "IQ2_XXS", "llama-quantize"])
        expectError(.unsupportedTensorType, one(.init(name: "w", ne: [32], type: 99, offset: 0)), mentions: ["'w'", "99"])
        expectError(.malformedTensorInfo, one(.init(name: "w", ne: [33], type: 2, offset: 0)), mentions: ["multiple", "32"])
        expectError(.malformedTensorInfo, one(.init(name: "w", ne: [4], type: 0, offset: 4)), mentions: ["alignment"])
        expectError(.malformedTensorInfo, one(.init(name: "w", ne: [1 << 62, 8], type: 0, offset: 0)), mentions: ["overflow"])
        expectError(.truncated, one(.init(name: "w", ne: [2048], type: 0, offset: 0)), mentions: ["truncated", "'w'"])
        expectError(.truncated, one(.init(name: "w", ne: [4], type: 0, offset: UInt64(Int.max) - 31)), mentions: ["truncated"])
        expectError(.malformedTensorInfo, one(.init(name: String(repeating: "n", count: 64), ne: [4], type: 0, offset: 0)), mentions: ["64 bytes"])
        expectError(.malformedTensorInfo, GGUFBuilder.file(tensors: [.init(name: "a", ne: [16], type: 0, offset: 0),
                                                                     .init(name: "b", ne: [16], type: 0, offset: 32)], data: data),
                    mentions: ["overlap", "'a'", "'b'"])
        expectError(.malformedTensorInfo, GGUFBuilder.file(tensors: [.init(name: "a", ne: [4], type: 0, offset: 0),
                                                                     .init(name: "a", ne: [4], type: 0, offset: 32)], data: data),
                    mentions: ["duplicate"])
    }

    @Test func missingFileIsUnreadable() {
        let error = #expect(throws: GGUFError.self) { try GGUFFile(url: URL(fileURLWithPath: "/nonexistent/model.gguf")) }
        #expect(error?.kind == .unreadable)
        #expect(error?.description.contains("/nonexistent/model.gguf") == true)
    }
}
