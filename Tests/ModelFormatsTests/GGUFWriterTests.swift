import Foundation
import Testing
@testable import ModelFormats

/// GGUFWriter: round trip through our reader, the committed file gguf-py read
/// (scripts/fixtures/check_gguf_written.py), and errors that leave nothing behind.
struct GGUFWriterTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every metadata value type, arrays of strings, ints, floats and bools, an empty string
    /// and array, non-ASCII text; tensors of four types and one to four dimensions.
    static let metadata: [(key: String, value: GGUFValue)] = [
        ("general.architecture", .string("llama")),
        ("general.name", .string("Distillery writer fixture — ünïcode")),
        ("test.u8", .uint8(250)), ("test.i8", .int8(-7)),
        ("test.u16", .uint16(65000)), ("test.i16", .int16(-32000)),
        ("test.u32", .uint32(4_000_000_000)), ("test.i32", .int32(-2_000_000_000)),
        ("test.f32", .float32(-1.5e-3)), ("test.bool", .bool(true)),
        ("test.empty_string", .string("")),
        ("test.u64", .uint64(UInt64.max)), ("test.i64", .int64(Int64.min)), ("test.f64", .float64(.pi)),
        ("test.strings", .array(elementType: .string, values: [.string("a"), .string(""), .string("Ġhello\n")])),
        ("test.ints", .array(elementType: .int32, values: [.int32(1), .int32(-2), .int32(3)])),
        ("test.floats", .array(elementType: .float32, values: [.float32(0.5), .float32(-0.25)])),
        ("test.bools", .array(elementType: .bool, values: [.bool(false), .bool(true)])),
        ("test.empty_array", .array(elementType: .uint32, values: [])),
    ]

    /// Deterministic tensor contents (a little LCG: no Foundation randomness in fixtures).
    static func values(_ count: Int, seed: UInt32) -> [Float] {
        var state = seed
        return (0 ..< count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(Int32(bitPattern: state) >> 8) / Float(1 << 23)
        }
    }

    static func tensors() throws -> [GGUFWriter.Tensor] {
        let specs: [(String, [Int], GGMLType)] = [
            ("norm.weight", [64], .f32),
            ("f16.weight", [32, 3], .f16),
            ("q8.weight", [64, 2, 2], .q8_0),
            ("q4.weight", [32, 1, 2, 2], .q4_0),
            ("bf16.weight", [5], .bf16),
        ]
        return try specs.enumerated().map { i, spec in
            let (name, shape, type) = spec
            let data = try quantize(values(shape.reduce(1, *), seed: UInt32(i + 1)), as: type, rowLength: shape[0], tensor: name)
            return GGUFWriter.Tensor(name: name, shape: shape, type: type) { data }
        }
    }

    @Test func roundTripsThroughOurReader() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for alignment in [nil, 64] as [UInt32?] {
            let url = directory.appendingPathComponent("rt-\(alignment ?? 32).gguf")
            var metadata = Self.metadata
            if let alignment { metadata.append(("general.alignment", .uint32(alignment))) }
            let tensors = try Self.tensors()
            try GGUFWriter.write(metadata: metadata, tensors: tensors, to: url)

            let file = try GGUFFile(url: url)
            #expect(file.version == 3)
            #expect(file.metadataKeys == metadata.map(\.key))
            for (key, value) in metadata { #expect(file.metadata[key] == value, "\(key)") }
            #expect(file.alignment == Int(alignment ?? 32))
            #expect(file.dataStart % file.alignment == 0)
            #expect(file.tensors.map(\.name) == tensors.map(\.name))
            var expectedOffset = file.dataStart
            for (info, tensor) in zip(file.tensors, tensors) {
                #expect(info.shape == tensor.shape)
                #expect(info.type == tensor.type)
                #expect(info.offset == expectedOffset, "tensors are packed in order (GGUF.md §1.5)")
                #expect(Array(file.bytes(of: info)) == (try tensor.bytes()))
                expectedOffset += GGUFWriter.padded(info.byteCount, to: file.alignment)
            }
            #expect(file.fileSize == expectedOffset, "the last tensor is padded too")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["rt-32.gguf", "rt-64.gguf"])
    }

    /// Rewriting gguf-py's file (all but its nested array, which llama.cpp cannot read) keeps
    /// every key, value and tensor byte.
    @Test func rewritesAFileGGUFPyWrote() throws {
        let source = try GGUFFile(url: Fixture.url("gguf_py_written.gguf"))
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("rewritten.gguf")
        let keys = source.metadataKeys.filter { key in
            if case .array(.array, _)? = source.metadata[key] { return false }
            return true
        }
        #expect(keys.count == source.metadataKeys.count - 1)
        try GGUFWriter.write(
            metadata: keys.map { ($0, source.metadata[$0]!) },
            tensors: source.tensors.map { info in
                GGUFWriter.Tensor(name: info.name, shape: info.shape, type: info.type) { Array(source.bytes(of: info)) }
            },
            to: url)
        let copy = try GGUFFile(url: url)
        #expect(copy.metadataKeys == keys)
        for key in keys { #expect(copy.metadata[key] == source.metadata[key], "\(key)") }
        #expect(copy.tensors.map(\.name) == source.tensors.map(\.name))
        for (a, b) in zip(copy.tensors, source.tensors) {
            #expect(a.shape == b.shape && a.type == b.type)
            #expect(Array(copy.bytes(of: a)) == Array(source.bytes(of: b)))
        }
    }

    /// The committed `distillery_written.gguf` is what gguf-py's GGUFReader read
    /// (scripts/fixtures/check_gguf_written.py → distillery_written.json); the writer must
    /// still produce it byte for byte.
    @Test func writesTheFileGGUFPyChecked() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("distillery_written.gguf")
        try GGUFWriter.write(metadata: Self.metadata, tensors: try Self.tensors(), to: url)
        if let export = ProcessInfo.processInfo.environment["DISTILLERY_EXPORT_DIR"] {
            try? FileManager.default.copyItem(at: url, to: URL(fileURLWithPath: export).appendingPathComponent("distillery_written.gguf"))
        }
        #expect(try Data(contentsOf: url) == Data(contentsOf: Fixture.url("distillery_written.gguf")))
        let checked = try Fixture.json("distillery_written.json")
        #expect(checked["reader"] as? String == "gguf-py GGUFReader")
        #expect((checked["kv_keys"] as? [String]) == ["GGUF.version", "GGUF.tensor_count", "GGUF.kv_count"] + Self.metadata.map(\.key))
        #expect((checked["tensor_names"] as? [String]) == (try Self.tensors()).map(\.name))
        #expect(checked["tensor_bytes_match_gguf_py"] as? Bool == true)
    }

    @Test(arguments: [
        ("duplicate key", [("a.b", GGUFValue.uint8(1)), ("a.b", .uint8(2))]),
        ("nested array", [("a.b", .array(elementType: .array, values: [.array(elementType: .uint8, values: [.uint8(1)])]))]),
        ("mixed array", [("a.b", .array(elementType: .int32, values: [.int32(1), .uint8(2)]))]),
        ("alignment type", [("general.alignment", .uint64(32))]),
        ("alignment value", [("general.alignment", .uint32(48))]),
        ("empty key", [("", .uint8(1))]),
    ] as [(String, [(String, GGUFValue)])])
    func rejectsInvalidMetadata(_ label: String, _ metadata: [(String, GGUFValue)]) throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("bad.gguf")
        #expect(throws: GGUFError.self, "\(label)") {
            try GGUFWriter.write(metadata: metadata.map { (key: $0.0, value: $0.1) }, tensors: [], to: url)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "\(label)")
    }

    @Test func failedTensorLeavesNothingAndKeepsAnOldFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.gguf")
        try Data("previous".utf8).write(to: url)
        let good = GGUFWriter.Tensor(name: "a.weight", shape: [32], type: .f32) { [UInt8](repeating: 0, count: 128) }
        let short = GGUFWriter.Tensor(name: "b.weight", shape: [32], type: .f32) { [UInt8](repeating: 0, count: 100) }
        let nan = GGUFWriter.Tensor(name: "c.weight", shape: [32], type: .q8_0) {
            var values = [Float](repeating: 1, count: 32)
            values[7] = .nan
            return try quantize(values, as: .q8_0, rowLength: 32, tensor: "c.weight")
        }
        let badRow = GGUFWriter.Tensor(name: "d.weight", shape: [48], type: .q4_0) { [] }

        #expect(throws: GGUFError.self) { try GGUFWriter.write(metadata: [], tensors: [good, short], to: url) }
        let error = #expect(throws: QuantizeError.self) { try GGUFWriter.write(metadata: [], tensors: [good, nan], to: url) }
        #expect(error?.description.contains("tensor 'c.weight': element 7 is nan") == true, "the quantiser's own error comes through")
        #expect(throws: GGUFError.self) { try GGUFWriter.write(metadata: [], tensors: [badRow], to: url) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.gguf"], "no temporary file is left")
        #expect(try Data(contentsOf: url) == Data("previous".utf8), "a failed write does not touch the existing file")
    }
}
