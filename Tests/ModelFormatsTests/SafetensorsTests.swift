import Foundation
import Testing
@testable import ModelFormats

@Suite struct SafetensorsTests {
    /// A file written by the Python `safetensors` package (F32, F16, BF16, a 0-d tensor).
    @Test func readsFileWrittenByPython() throws {
        let file = try SafetensorsFile(url: Fixture.url("python_written.safetensors"))
        let expected = try Fixture.json("python_written.json")
        #expect(file.metadata == expected["metadata"] as? [String: String])
        let tensors = expected["tensors"] as? [String: [String: Any]] ?? [:]
        #expect(Set(file.tensorNames) == Set(tensors.keys))
        for (name, want) in tensors {
            let info = try #require(file.info(named: name))
            #expect(info.dtype.rawValue == want["dtype"] as? String)
            let tensor = try file.tensor(named: name)
            #expect(tensor.shape == want["shape"] as? [Int], "\(name)")
            #expect(bits(tensor.values) == (want["bits"] as? [Int] ?? []).map { UInt32($0) }, "\(name)")
        }
        let missing = #expect(throws: SafetensorsError.self) { try file.tensor(named: "nope") }
        #expect(missing?.kind == .missingTensor)
    }

    static let sample: [(name: String, shape: [Int], values: [Float])] = [
        ("model.embed_tokens.weight", [3, 4], [0, 1, -1, 0.1, 1e-8, -2.5, 65504, 70000, 1.0 / 3.0, -0.0, 3e38, Float(bitPattern: 0x0001_1000)]),
        ("model.norm.weight", [4], [1, 0.5, 0.25, 0.125]),
        ("scalar", [], [42]),
        ("empty", [0, 3], []),
    ]

    @Test(arguments: SafetensorsDType.allCases)
    func writerRoundTrips(dtype: SafetensorsDType) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = dir.url.appendingPathComponent("model.safetensors")
        try SafetensorsWriter.write(tensors: Self.sample, dtype: dtype, metadata: ["format": "pt"], to: url)
        let file = try SafetensorsFile(url: url)
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensorNames == Self.sample.map(\.name))   // data order = given order
        for (name, shape, values) in Self.sample {
            let tensor = try file.tensor(named: name)
            #expect(tensor.shape == shape)
            let want: [Float]
            switch dtype {
            case .f32: want = values
            case .f16: want = values.map { Float(Float16(bitPattern: f16Bits($0))) }
            case .bf16: want = values.map { Float(bitPattern: UInt32(bf16Bits($0)) << 16) }
            }
            #expect(bits(tensor.values) == bits(want), "\(dtype) \(name)")
        }
        // The header is padded so the data starts 8-byte aligned, as the reference writer does.
        let raw = try Data(contentsOf: url)
        #expect(raw.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } % 8 == 0)
        // Only the final file remains: the temporary was renamed, not copied.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["model.safetensors"])
    }

    /// With DISTILLERY_EXPORT_DIR set, leaves files for the Python check
    /// (`make_gguf_fixtures.py --check-swift-safetensors DIR`, see docs/model-formats.md).
    @Test func exportsForPythonCheck() throws {
        guard let folder = ProcessInfo.processInfo.environment["DISTILLERY_EXPORT_DIR"] else { return }
        let dir = URL(fileURLWithPath: folder)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for dtype in SafetensorsDType.allCases {
            try SafetensorsWriter.write(tensors: Self.sample, dtype: dtype, metadata: ["format": "pt", "by": "distillery"],
                                        to: dir.appendingPathComponent("swift_written_\(dtype.rawValue.lowercased()).safetensors"))
        }
        var tensors: [String: Any] = [:]
        for (name, shape, values) in Self.sample { tensors[name] = ["shape": shape, "bits": values.map { Int($0.bitPattern) }] }
        let json = try JSONSerialization.data(withJSONObject: ["metadata": ["format": "pt", "by": "distillery"], "tensors": tensors])
        try json.write(to: dir.appendingPathComponent("swift_written_expected.json"))
        // And a config.json, which the script loads with transformers' AutoConfig.
        let config = HFModelConfig(architecture: .llama, hiddenSize: 576, intermediateSize: 1536, numHiddenLayers: 30,
                                   numAttentionHeads: 9, numKeyValueHeads: 3, rmsNormEps: 1e-5, ropeTheta: 100000,
                                   maxPositionEmbeddings: 8192, vocabSize: 49152, tieWordEmbeddings: true,
                                   bosTokenIds: [1], eosTokenIds: [2], torchDtype: "bfloat16")
        try config.write(to: dir.appendingPathComponent("config.json"))
    }

    @Test func writerRejectsBadInputAndLeavesNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = dir.url.appendingPathComponent("bad.safetensors")
        let duplicate = #expect(throws: SafetensorsError.self) {
            try SafetensorsWriter.write(tensors: [("a", [1], [1]), ("a", [1], [2])], dtype: .f32, to: url)
        }
        #expect(duplicate?.kind == .invalidInput)
        let count = #expect(throws: SafetensorsError.self) {
            try SafetensorsWriter.write(tensors: [("a", [2, 2], [1, 2, 3])], dtype: .f32, to: url)
        }
        #expect(count?.description.contains("[2, 2]") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
        // A missing folder fails cleanly.
        #expect(throws: SafetensorsError.self) {
            try SafetensorsWriter.write(tensors: [], dtype: .f32, to: dir.url.appendingPathComponent("no/such/x.safetensors"))
        }
    }

    /// Writes a file with a hand-made header: 8-byte length, JSON, data.
    private func handMade(_ header: String, data: [UInt8], in dir: TemporaryDirectory) throws -> URL {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += Array(header.utf8) + data
        return try dir.file("h.safetensors", bytes)
    }

    @Test func rejectsInvalidHeaders() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = [UInt8](repeating: 0, count: 16)
        func check(_ header: String, _ kind: SafetensorsError.Kind, mentions: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let url = try handMade(header, data: data, in: dir)
            let error = #expect(throws: SafetensorsError.self, sourceLocation: sourceLocation) { try SafetensorsFile(url: url) }
            #expect(error?.kind == kind, "\(String(describing: error))", sourceLocation: sourceLocation)
            #expect(error?.description.contains(mentions) == true, "\(String(describing: error))", sourceLocation: sourceLocation)
        }
        try check(#"{"a":{"dtype":"I8","shape":[4],"data_offsets":[0,4]}}"#, .unsupportedDType, mentions: "I8")
        try check(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, .invalidTensor, mentions: "spans 8 bytes")
        try check(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, .invalidTensor, mentions: "overlap")
        try check(#"{"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}"#, .truncated, mentions: "truncated")
        try check(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, .invalidTensor, mentions: "shape")
        try check(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#, .invalidTensor, mentions: "data_offsets")
        try check(#"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, .invalidTensor, mentions: "shape")
        try check(#"{"__metadata__":{"k":1}}"#, .malformedHeader, mentions: "__metadata__")
        try check(#"[1,2]"#, .malformedHeader, mentions: "'{'")
        try check(#"{"a":"#, .malformedHeader, mentions: "JSON")
        var huge: [UInt8] = []
        withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { huge.append(contentsOf: $0) }
        let url = try dir.file("huge.safetensors", huge + [UInt8](repeating: 0x20, count: 64))
        let error = #expect(throws: SafetensorsError.self) { try SafetensorsFile(url: url) }
        #expect(error?.kind == .malformedHeader)
    }

    @Test func readsShardedFolder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try SafetensorsWriter.write(tensors: [("a", [2], [1, 2]), ("b", [1], [3])], dtype: .bf16,
                                    to: dir.url.appendingPathComponent("model-00001-of-00002.safetensors"))
        try SafetensorsWriter.write(tensors: [("c", [2, 1], [4, 5])], dtype: .f16,
                                    to: dir.url.appendingPathComponent("model-00002-of-00002.safetensors"))
        let index = #"{"metadata":{"total_size":14},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00001-of-00002.safetensors","c":"model-00002-of-00002.safetensors"}}"#
        _ = try dir.file("model.safetensors.index.json", Array(index.utf8))
        let model = try SafetensorsModel(directory: dir.url)
        #expect(model.tensorNames == ["a", "b", "c"])
        #expect(model.shards.count == 2)
        #expect(try model.tensor(named: "a").values == [1, 2])
        #expect(try model.tensor(named: "c") == SafetensorsTensor(shape: [2, 1], values: [4, 5]))
        #expect(model.info(named: "c")?.dtype == .f16)

        let escaping = #"{"weight_map":{"a":"../model-00001-of-00002.safetensors"}}"#
        _ = try dir.file("model.safetensors.index.json", Array(escaping.utf8))
        let error = #expect(throws: SafetensorsError.self) { try SafetensorsModel(directory: dir.url) }
        #expect(error?.kind == .invalidIndex)
        let missing = #"{"weight_map":{"a":"model-00009-of-00009.safetensors"}}"#
        _ = try dir.file("model.safetensors.index.json", Array(missing.utf8))
        let missingError = #expect(throws: SafetensorsError.self) { try SafetensorsModel(directory: dir.url) }
        #expect(missingError?.description.contains("model-00009-of-00009.safetensors") == true)
        let wrongShard = #"{"weight_map":{"c":"model-00001-of-00002.safetensors"}}"#
        _ = try dir.file("model.safetensors.index.json", Array(wrongShard.utf8))
        #expect(throws: SafetensorsError.self) { try SafetensorsModel(directory: dir.url) }
    }

    @Test func readsSingleFileFolder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try SafetensorsWriter.write(tensors: [("w", [2], [1, -1])], dtype: .f32, to: dir.url.appendingPathComponent("model.safetensors"))
        let model = try SafetensorsModel(directory: dir.url)
        #expect(try model.tensor(named: "w").values == [1, -1])
        let empty = try TemporaryDirectory()
        defer { empty.remove() }
        #expect(throws: SafetensorsError.self) { try SafetensorsModel(directory: empty.url) }
    }
}
