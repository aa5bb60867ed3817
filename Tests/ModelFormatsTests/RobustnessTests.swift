import Foundation
import Testing
@testable import ModelFormats

/// Truncated and bit-flipped files must parse or throw the typed error, never crash; a
/// truncated file must say so. Every case is seeded, so a failure reproduces.
@Suite struct RobustnessTests {
    /// The teacher's first 2 MB: header, all metadata (the vocabulary is ~1.7 MB), tensor
    /// infos and the start of the data section.
    static let headLength = 2 << 20

    @Test(.enabled(if: TeacherModel.isPresent, "the default teacher is absent; run scripts/setup.sh"))
    func truncatedModelHeadsSayTruncated() throws {
        let handle = try FileHandle(forReadingFrom: TeacherModel.url)
        let head = [UInt8](try handle.read(upToCount: Self.headLength) ?? Data())
        try handle.close()
        let reference = try GGUFFile(url: TeacherModel.url)
        let dataStart = reference.dataStart
        let infoStart = dataStart - 20_000   // the 272 tensor infos take ~14 KB before the data
        var lengths = Array(0 ..< 48)                                     // header and first key
        lengths += [64, 100, 200, 500, 1000, 5000, 50_000, 400_000, 1_000_000, 1_500_000]  // metadata
        lengths += stride(from: infoStart, to: dataStart, by: 997).map { $0 }             // tensor infos
        lengths += [dataStart - 1, dataStart, dataStart + 1, dataStart + 4096, head.count] // data
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for length in lengths {
            let url = try dir.file("cut.gguf", Array(head.prefix(length)))
            do {
                _ = try GGUFFile(url: url)
                Issue.record("a \(length)-byte head parsed")
            } catch let error as GGUFError {
                #expect(error.kind == .truncated, "length \(length): \(error)")
                #expect(error.description.contains("truncated"), "length \(length): \(error)")
            } catch {
                Issue.record("length \(length): untyped error \(error)")
            }
        }
    }

    @Test(.enabled(if: TeacherModel.isPresent, "the default teacher is absent; run scripts/setup.sh"))
    func flippedModelHeadsNeverCrash() throws {
        let handle = try FileHandle(forReadingFrom: TeacherModel.url)
        let head = [UInt8](try handle.read(upToCount: Self.headLength) ?? Data())
        try handle.close()
        let dataStart = try GGUFFile(url: TeacherModel.url).dataStart
        var rng = SeededGenerator(seed: 0x5EED_0001)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // Flips concentrated where structure lives: the header and first keys, the tensor
        // infos, and anywhere in the head.
        let regions = [0 ..< 4096, (dataStart - 16_000) ..< dataStart, 0 ..< head.count]
        for (regionIndex, region) in regions.enumerated() {
            for trial in 0 ..< 24 {
                var mutated = head
                for _ in 0 ..< Int.random(in: 1 ... 4, using: &rng) {
                    mutated[Int.random(in: region, using: &rng)] ^= UInt8.random(in: 1 ... 255, using: &rng)
                }
                let url = try dir.file("flip.gguf", mutated)
                do {
                    _ = try GGUFFile(url: url)   // cannot succeed: tensors lie past the 2 MB head
                } catch is GGUFError {
                } catch {
                    Issue.record("region \(regionIndex) trial \(trial): untyped error \(error)")
                }
            }
        }
    }

    /// A small complete file (gguf-py's) where mutations often still parse: then every
    /// tensor must dequantize or throw, with no crash.
    @Test func flippedSmallGGUFNeverCrashes() throws {
        let original = try Fixture.bytes("gguf_py_written.gguf")
        var rng = SeededGenerator(seed: 0x5EED_0002)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var parsed = 0
        for length in 0 ..< original.count where length % 7 == 0 || length < 64 {
            let url = try dir.file("cut.gguf", Array(original.prefix(length)))
            let error = #expect(throws: GGUFError.self, "length \(length)") { try GGUFFile(url: url) }
            #expect(error?.kind == .truncated, "length \(length): \(String(describing: error))")
        }
        for trial in 0 ..< 400 {
            var mutated = original
            for _ in 0 ..< Int.random(in: 1 ... 3, using: &rng) {
                mutated[Int.random(in: 0 ..< mutated.count, using: &rng)] ^= UInt8.random(in: 1 ... 255, using: &rng)
            }
            let url = try dir.file("flip.gguf", mutated)
            do {
                let file = try GGUFFile(url: url)
                parsed += 1
                for tensor in file.tensors { _ = try file.dequantized(tensor) }
            } catch is GGUFError {
            } catch {
                Issue.record("trial \(trial): untyped error \(error)")
            }
        }
        #expect(parsed > 50, "mutations should often leave the file parseable (\(parsed) of 400 did)")
    }

    @Test func damagedSafetensorsNeverCrash() throws {
        let original = try Fixture.bytes("python_written.safetensors")
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for length in 0 ..< original.count {
            let url = try dir.file("cut.safetensors", Array(original.prefix(length)))
            let error = #expect(throws: SafetensorsError.self, "length \(length)") { try SafetensorsFile(url: url) }
            #expect(error?.kind == .truncated, "length \(length): \(String(describing: error))")
            #expect(error?.description.contains("truncated") == true)
        }
        var rng = SeededGenerator(seed: 0x5EED_0003)
        var parsed = 0
        for trial in 0 ..< 400 {
            var mutated = original
            for _ in 0 ..< Int.random(in: 1 ... 3, using: &rng) {
                mutated[Int.random(in: 0 ..< mutated.count, using: &rng)] ^= UInt8.random(in: 1 ... 255, using: &rng)
            }
            let url = try dir.file("flip.safetensors", mutated)
            do {
                let file = try SafetensorsFile(url: url)
                parsed += 1
                for name in file.tensorNames { _ = try file.tensor(named: name) }
            } catch is SafetensorsError {
            } catch {
                Issue.record("trial \(trial): untyped error \(error)")
            }
        }
        // Most of this small file is JSON header, so most flips break it; some must still parse
        // so that the tensor-reading path is exercised on damaged data too.
        #expect(parsed > 20, "\(parsed) of 400 mutations parsed")
    }
}
