import Foundation
import Testing
import ModelLoading

/// Bad input reaches the user as one clear message and a non-zero exit, never a trap.
@Suite(.serialized)
struct CommandErrorTests {
    static func expectCleanFailure(_ arguments: [String], mentions words: [String]) throws {
        let result = try CommandRunner.run(arguments)
        #expect(result.status != 0, "distillery \(arguments) should fail")
        // A trap ends in a signal (status > 128 from a shell, or a crash report); ours exit 1 or 64.
        #expect(result.status == 1 || result.status == 64, "exit status \(result.status): \(result.standardError)")
        for word in words {
            #expect(result.standardError.contains(word), "stderr lacks '\(word)': \(result.standardError)")
        }
    }

    @Test func unknownModelNamesTheCache() throws {
        try Self.expectCleanFailure(["inspect", "no-such-model"], mentions: ["no-such-model", "setup.sh"])
    }

    @Test func truncatedGGUFSaysSo() throws {
        let real = try ModelStore().resolve(ModelCommandTests.model).url
        let bytes = try FileHandle(forReadingFrom: real).read(upToCount: 3_000_000) ?? Data()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, cut) in [("header.gguf", 20), ("metadata.gguf", 500_000), ("data.gguf", 3_000_000)] {
            let file = folder.appendingPathComponent(name)
            try bytes.prefix(cut).write(to: file)
            try Self.expectCleanFailure(["inspect", file.path], mentions: [name, "truncated"])
        }
    }

    @Test func notAModelFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-\(UUID().uuidString).gguf")
        try Data("this is not a model\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try Self.expectCleanFailure(["run", file.path, "--prompt", "hi"], mentions: [file.lastPathComponent])
    }

    @Test func promptLongerThanTheContext() throws {
        let long = String(repeating: "word ", count: 8_300)  // > 8192 tokens
        try Self.expectCleanFailure(["logits", ModelCommandTests.model, "--text", long, "--top", "1"], mentions: ["context"])
        try Self.expectCleanFailure(["run", ModelCommandTests.model, "--prompt", long, "--max-tokens", "1"], mentions: ["context"])
    }

    @Test func badOptionsAreUsageErrors() throws {
        try Self.expectCleanFailure(["run", ModelCommandTests.model], mentions: ["--prompt"])
        try Self.expectCleanFailure(["bench", ModelCommandTests.model, "--batch", "0,x"], mentions: ["--batch"])
        try Self.expectCleanFailure(["run", ModelCommandTests.model, "--prompt", "x", "--chat-template", "nope"], mentions: ["nope"])
    }
}
