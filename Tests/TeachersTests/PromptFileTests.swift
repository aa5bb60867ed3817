import Foundation
import Testing
import Tokenizers
@testable import Teachers

/// Prompt files as users write them: real files on disk, every line rule of issue 4.
@Suite struct PromptFileTests {
    static func write(_ bytes: [UInt8], name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("prompts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    static func write(_ text: String, name: String) throws -> URL { try write(Array(text.utf8), name: name) }

    @Test func jsonlFieldsBecomeRecords() throws {
        let url = try Self.write("""
            {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}], "id": "q1", "answer": "4"}
            {"prompt": "Natalia sold clips to 48 of her friends...", "id": 17, "answer": 72, "source": "gsm8k", "level": 2}

            {"prompt": [{"role": "user", "content": "Half of 3?"}], "answer": 1.5, "tags": {"b": [1, true, null], "a": "x/y"}}
            """, name: "prompts.jsonl")
        let file = try PromptFile(contentsOf: url, onBadLine: .fail)
        #expect(file.skipped.isEmpty)
        #expect(file.prompts == [
            PromptRecord(index: 0, lineNumber: 1, id: "q1",
                         messages: [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "2+2?")],
                         referenceAnswer: "4", metadata: "{}"),
            PromptRecord(index: 1, lineNumber: 2, id: "17",
                         messages: [ChatMessage(role: "user", content: "Natalia sold clips to 48 of her friends...")],
                         referenceAnswer: "72", metadata: #"{"level":2,"source":"gsm8k"}"#),
            PromptRecord(index: 2, lineNumber: 4, id: nil, messages: [ChatMessage(role: "user", content: "Half of 3?")],
                         referenceAnswer: "1.5", metadata: #"{"tags":{"a":"x/y","b":[1,true,null]}}"#),
        ])
    }

    @Test func byteOrderMarkAndCRLF() throws {
        let url = try Self.write([0xEF, 0xBB, 0xBF] + Array("{\"prompt\": \"a\"}\r\n{\"prompt\": \"b\"}\r\n".utf8), name: "win.jsonl")
        let file = try PromptFile(contentsOf: url, onBadLine: .fail)
        #expect(file.prompts.map(\.messages.first?.content) == ["a", "b"])
        #expect(file.prompts.map(\.lineNumber) == [1, 2])
    }

    @Test func plainTextOnePromptPerLine() throws {
        let url = try Self.write([0xEF, 0xBB, 0xBF] + Array("What is 2+2?\r\n\r\n   \nName a prime  \nlast line without newline".utf8), name: "prompts.txt")
        let file = try PromptFile(contentsOf: url, onBadLine: .fail)
        #expect(file.prompts.map(\.messages) == [
            [ChatMessage(role: "user", content: "What is 2+2?")], [ChatMessage(role: "user", content: "Name a prime  ")],
            [ChatMessage(role: "user", content: "last line without newline")],
        ])
        #expect(file.prompts.map(\.lineNumber) == [1, 4, 5])
        #expect(file.prompts.map(\.index) == [0, 1, 2])
        #expect(file.prompts.allSatisfy { $0.id == nil && $0.referenceAnswer == nil && $0.metadata == "{}" })
    }

    @Test func braceFirstLineMeansJSONLWhateverTheExtension() throws {
        let url = try Self.write("\n  {\"prompt\": \"x\", \"id\": \"a\"}\n", name: "prompts.txt")
        #expect(try PromptFile(contentsOf: url, onBadLine: .fail).prompts.first?.id == "a")
    }

    /// Each bad line, the reason it gets, and the line number reported.
    static let badLines: [(String, String)] = [
        (#"{"prompt": "ok"#, "not valid JSON"),
        (#"["prompt"]"#, "a JSON array"),
        (#""just a string""#, "not a JSON object"),
        (#"{"id": "x"}"#, "neither \"messages\" nor \"prompt\""),
        (#"{"prompt": "a", "messages": [{"role": "user", "content": "b"}]}"#, "both"),
        (#"{"prompt": ""}"#, "\"prompt\" is empty"),
        (#"{"prompt": 5}"#, "\"prompt\" is a number"),
        (#"{"messages": []}"#, "empty list"),
        (#"{"messages": {"role": "user"}}"#, "give a list of messages"),
        (#"{"messages": ["hi"]}"#, "messages[0] is a string"),
        (#"{"messages": [{"role": "human", "content": "hi"}]}"#, "role \"human\""),
        (#"{"messages": [{"role": "user"}]}"#, "messages[0] has no string \"content\""),
        (#"{"messages": [{"role": "user", "content": null}]}"#, "no string \"content\""),
        (#"{"messages": [{"content": "hi"}]}"#, "no string \"role\""),
        (#"{"prompt": "a", "id": true}"#, "\"id\" is a boolean"),
        (#"{"prompt": "a", "id": 1.5}"#, "\"id\" is a number"),
        (#"{"prompt": "a", "answer": [1]}"#, "\"answer\" is an array"),
    ]

    @Test func badLinesAreSkippedWithTheirLineNumbers() throws {
        var lines = [#"{"prompt": "first good"}"#]
        lines += Self.badLines.map(\.0)
        lines.append(#"{"prompt": "last good"}"#)
        var bytes = Array(lines.joined(separator: "\n").utf8) + Array("\n".utf8)
        bytes += [UInt8(ascii: "{")] + Array(#""prompt": "caf"#.utf8) + [0xC3, 0x28] + Array("\"}\n".utf8)  // invalid UTF-8
        let url = try Self.write(bytes, name: "mixed.jsonl")
        let file = try PromptFile(contentsOf: url, onBadLine: .skip)
        #expect(file.prompts.map(\.messages.first?.content) == ["first good", "last good"])
        #expect(file.prompts.map(\.index) == [0, 1])
        #expect(file.prompts.map(\.lineNumber) == [1, Self.badLines.count + 2])
        #expect(file.skipped.count == Self.badLines.count + 1)
        for (i, (line, reason)) in Self.badLines.enumerated() {
            let error = file.skipped[i]
            #expect(error.line == i + 2, "\(line)")
            #expect(error.file == "mixed.jsonl")
            #expect(error.reason.contains(reason), "\(line): \(error.reason)")
        }
        #expect(file.skipped.last?.reason.contains("UTF-8") == true)
        #expect(file.skipped.last?.line == Self.badLines.count + 3)
    }

    @Test func failStopsAtTheFirstBadLine() throws {
        let url = try Self.write("{\"prompt\": \"a\"}\n{\"prompt\": \"b\"}\n{\"role\": \"user\"}\n{oops\n", name: "prompts.jsonl")
        let error = #expect(throws: PromptLineError.self) { try PromptFile(contentsOf: url, onBadLine: .fail) }
        #expect(error?.line == 3)
        #expect(error?.description == "prompts.jsonl:3: has neither \"messages\" nor \"prompt\"")
    }

    @Test func invalidUTF8InPlainTextIsABadLine() throws {
        let url = try Self.write(Array("ok\n".utf8) + [0xFF, 0xFE, 0x41] + Array("\nalso ok\n".utf8), name: "p.txt")
        let file = try PromptFile(contentsOf: url, onBadLine: .skip)
        #expect(file.prompts.map(\.lineNumber) == [1, 3])
        #expect(file.skipped == [PromptLineError(file: "p.txt", line: 2, reason: "not valid UTF-8; save the file as UTF-8")])
    }

    @Test func hugeLine() throws {
        let long = String(repeating: "reason step by step ", count: 400_000)  // 8 MB
        let url = try Self.write("{\"prompt\": \"\(long)\", \"id\": \"big\"}\n{\"prompt\": \"small\"}\n", name: "big.jsonl")
        let file = try PromptFile(contentsOf: url, onBadLine: .fail)
        #expect(file.prompts.count == 2)
        #expect(file.prompts[0].messages[0].content.utf8.count == long.utf8.count)
    }

    @Test func missingFileNamesThePath() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).jsonl")
        let error = #expect(throws: PromptFileError.self) { try PromptFile(contentsOf: url, onBadLine: .fail) }
        #expect(error?.description.contains(url.lastPathComponent) == true)
    }

    @Test func emptyFileHasNoPrompts() throws {
        let file = try PromptFile(contentsOf: try Self.write("", name: "empty.jsonl"), onBadLine: .fail)
        #expect(file.prompts.isEmpty && file.skipped.isEmpty)
    }
}
