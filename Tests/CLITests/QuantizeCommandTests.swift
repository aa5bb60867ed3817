import Foundation
import Testing

/// `distillery quantize` from the command line: a bad type or input is one message on stderr,
/// a non-zero exit and no file; a good run prints its summary and warns about requantising.
@Suite(.serialized)
struct QuantizeCommandTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-quantize-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func unknownTypeListsTheTypesAndWritesNothing() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out.gguf").path
        try CommandErrorTests.expectCleanFailure(["quantize", ModelCommandTests.model, "--type", "Q4_K_XL", "--out", out],
                                                 mentions: ["unknown quantisation type 'Q4_K_XL'", "Q8_0, Q4_0"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func missingOutputFolderIsAClearError() throws {
        try CommandErrorTests.expectCleanFailure(
            ["quantize", ModelCommandTests.model, "--type", "Q8_0", "--out", "/nonexistent-\(UUID().uuidString)/x.gguf"],
            mentions: ["cannot create", "writable"])
    }

    @Test func requantisingTheTeacherWarnsAndPrintsJSON() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("q8.gguf").path
        let result = try CommandRunner.run(["quantize", ModelCommandTests.model, "--type", "q8_0", "--out", out, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("warning: requantising: 210 tensors"))
        let summary = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect(summary?["type"] as? String == "Q8_0")
        #expect(summary?["file_type"] as? Int == 7)
        #expect(summary?["tensor_types"] as? [String: Int] == ["F32": 61, "Q8_0": 211])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["q8.gguf"])
        let inspect = try CommandRunner.json(["inspect", out, "--json"])
        #expect(inspect["license"] as? String == "apache-2.0")
        #expect(inspect["chat_template"] as? String == "smolLM2")
    }
}
