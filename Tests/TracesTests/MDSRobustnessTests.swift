import Foundation
import Testing
@testable import Traces

/// Corrupted input gives a typed error or correct data, never a crash (DESIGN.md conventions).
@Suite struct MDSRobustnessTests {
    /// A tiny deterministic generator (SplitMix64) so the flips are the same on every run.
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
    }

    func copyFixture() throws -> URL {
        let dir = try temporaryDirectory("corrupt")
        let ds = dir.appendingPathComponent("ds")
        try FileManager.default.copyItem(at: try fixtureURL("python_zstd"), to: ds)
        return ds
    }

    /// Opens and reads everything; returns the samples or the typed error. Any other error type
    /// fails the test; a trap would crash it.
    func attempt(_ dir: URL, validate: Bool) -> Result<[[String: MDSValue]], TracesError> {
        do {
            return .success(try readAll(MDSDataset(directory: dir, validateHashes: validate)))
        } catch let e as TracesError {
            return .failure(e)
        } catch {
            Issue.record("untyped error \(error)")
            return .failure(.io(file: "", reason: "untyped"))
        }
    }

    @Test func truncationsAndByteFlipsGiveTypedErrorsOrCorrectData() throws {
        let ds = try copyFixture()
        defer { try? FileManager.default.removeItem(at: ds.deletingLastPathComponent()) }
        guard case let .success(good) = attempt(ds, validate: true) else {
            Issue.record("fixture does not read"); return
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: ds.path).sorted()
        var rng = SplitMix64(state: 20261122)
        var errors = 0, intact = 0
        for name in files {
            let url = ds.appendingPathComponent(name)
            let original = try Data(contentsOf: url)
            var cuts = Set([0, 1, 4, 8, original.count / 2, original.count - 1])
            for _ in 0..<6 { cuts.insert(Int(rng.next() % UInt64(max(original.count, 1)))) }
            for cut in cuts.sorted() where cut < original.count {
                try original.prefix(cut).write(to: url)
                switch attempt(ds, validate: true) {
                case .success(let got): #expect(got == good, "\(name) cut at \(cut) read wrong data"); intact += 1
                case .failure: errors += 1
                }
            }
            for _ in 0..<40 {
                var bytes = [UInt8](original)
                let flips = 1 + Int(rng.next() % 3)
                for _ in 0..<flips {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    bytes[at] ^= UInt8(truncatingIfNeeded: 1 | rng.next())
                }
                try Data(bytes).write(to: url)
                // With hashes a shard flip must be caught or harmless (index.json bytes that
                // do not matter); without them, decoding must still never trap.
                switch attempt(ds, validate: true) {
                case .success(let got):
                    if name != "index.json" { #expect(got == good, "\(name) flip read wrong data") }
                    intact += 1
                case .failure: errors += 1
                }
                _ = attempt(ds, validate: false)
            }
            try original.write(to: url)
        }
        #expect(errors > 0)
        guard case .success(let again) = attempt(ds, validate: true) else { Issue.record("restore failed"); return }
        #expect(again == good)
    }

    func editIndex(_ ds: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let url = ds.appendingPathComponent("index.json")
        var top = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&top)
        try JSONSerialization.data(withJSONObject: top).write(to: url)
    }

    func editShard0(_ ds: URL, _ edit: @escaping (inout [String: Any]) -> Void) throws {
        try editIndex(ds) { top in
            guard var shards = top["shards"] as? [[String: Any]] else { return }
            edit(&shards[0])
            top["shards"] = shards
        }
    }

    @Test func errorMessagesNameTheFileAndField() throws {
        let ds = try copyFixture()
        defer { try? FileManager.default.removeItem(at: ds.deletingLastPathComponent()) }
        try editShard0(ds) { $0["format"] = "csv" }
        guard case .failure(let e) = attempt(ds, validate: true) else { Issue.record("expected an error"); return }
        #expect(e.description.contains("index.json"))
        #expect(e.description.contains("shards[0].format"))
        #expect(e.description.contains("\"csv\""))
    }

    @Test func indexProblemsAreNamedErrors() throws {
        func expectError(_ matches: (TracesError) -> Bool, _ edit: (URL) throws -> Void) throws {
            let ds = try copyFixture()
            defer { try? FileManager.default.removeItem(at: ds.deletingLastPathComponent()) }
            try edit(ds)
            switch attempt(ds, validate: true) {
            case .success: Issue.record("expected an error")
            case .failure(let e): #expect(matches(e), "\(e)")
            }
        }
        try expectError({ if case .unsupportedVersion(_, "version", "1") = $0 { return true }; return false }) {
            try editIndex($0) { $0["version"] = 1 }
        }
        try expectError({ if case .unsupportedFormat(_, "shards[0].format", "csv") = $0 { return true }; return false }) {
            try editShard0($0) { $0["format"] = "csv" }
        }
        try expectError({ if case .unsupportedColumnType(_, "shards[0].column_encodings[0]", "pkl") = $0 { return true }; return false }) {
            try editShard0($0) { s in
                var enc = s["column_encodings"] as? [String] ?? []; enc[0] = "pkl"; s["column_encodings"] = enc
                var sizes = s["column_sizes"] as? [Any] ?? []; sizes[0] = NSNull(); s["column_sizes"] = sizes
            }
        }
        try expectError({ if case .unsupportedCompression(_, _, "zst") = $0 { return true }; return false }) {
            try editShard0($0) { $0["compression"] = "zst" }
        }
        try expectError({ if case .invalidIndexField(_, "shards[0].note", _) = $0 { return true }; return false }) {
            try editShard0($0) { $0["note"] = "x" }
        }
        try expectError({ if case .missingShard = $0 { return true }; return false }) {
            try FileManager.default.removeItem(at: $0.appendingPathComponent("shard.00001.mds.zstd"))
        }
        try expectError({ if case .sampleCountMismatch(_, _, _) = $0 { return true }; return false }) {
            try editShard0($0) { $0["samples"] = (($0["samples"] as? Int) ?? 0) + 1 }
        }
        try expectError({ if case .hashMismatch(_, "sha256", _, _) = $0 { return true }; return false }) {
            try editShard0($0) { s in
                var zip = s["zip_data"] as? [String: Any] ?? [:]
                zip["hashes"] = ["sha256": String(repeating: "0", count: 64)]
                s["zip_data"] = zip
            }
        }
        try expectError({ if case .unreadableIndex = $0 { return true }; return false }) {
            try Data("{\"shards\": [".utf8).write(to: $0.appendingPathComponent("index.json"))
        }
    }
}
