import Foundation
@testable import ModelFormats

/// Committed fixture files (made by scripts/fixtures/make_gguf_fixtures.py).
enum Fixture {
    static var directory: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil) ?? URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: url(name))) }

    static func json(_ name: String) throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: Data(contentsOf: url(name)))) as? [String: Any] ?? [:]
    }

    /// Float32 little-endian file as bit patterns (compared bit for bit).
    static func f32Bits(_ name: String) throws -> [UInt32] {
        let raw = try bytes(name)
        return stride(from: 0, to: raw.count, by: 4).map {
            UInt32(raw[$0]) | UInt32(raw[$0 + 1]) << 8 | UInt32(raw[$0 + 2]) << 16 | UInt32(raw[$0 + 3]) << 24
        }
    }
}

/// The default teacher (scripts/setup.sh); tests that need it skip when it is absent.
enum TeacherModel {
    static var url: URL {
        let home = ProcessInfo.processInfo.environment["DISTILLERY_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/distillery")
        return home.appendingPathComponent("models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf")
    }

    static var isPresent: Bool {
        let present = FileManager.default.fileExists(atPath: url.path)
        if !present { print("SKIP: \(url.path) is absent; run scripts/setup.sh to fetch the default teacher") }
        return present
    }
}

/// A fresh temporary folder, removed by the caller with `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("modelformats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// SplitMix64: a seeded generator so robustness cases are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds GGUF bytes field by field (GGUF.md §1) for hand-made valid and invalid files.
struct GGUFBuilder {
    struct Tensor {
        var name: String
        var ne: [UInt64]
        var type: UInt32
        var offset: UInt64
    }

    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func string(_ s: String) { u64(UInt64(s.utf8.count)); bytes.append(contentsOf: s.utf8) }

    /// A whole file: header, `kv` (each writes its own type id and value after the key),
    /// tensor infos, padding to `alignment`, then `data`.
    static func file(version: UInt32 = 3, kv: [(String, (inout GGUFBuilder) -> Void)] = [],
                     tensors: [Tensor] = [], alignment: Int = 32, data: [UInt8] = []) -> [UInt8] {
        var b = GGUFBuilder()
        b.bytes.append(contentsOf: Array("GGUF".utf8))
        b.u32(version)
        b.u64(UInt64(tensors.count))
        b.u64(UInt64(kv.count))
        for (key, write) in kv {
            b.string(key)
            write(&b)
        }
        for t in tensors {
            b.string(t.name)
            b.u32(UInt32(t.ne.count))
            for n in t.ne { b.u64(n) }
            b.u32(t.type)
            b.u64(t.offset)
        }
        if !tensors.isEmpty {
            while b.bytes.count % alignment != 0 { b.u8(0) }
        }
        b.bytes.append(contentsOf: data)
        return b.bytes
    }
}

func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }
