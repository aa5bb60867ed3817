import Foundation
import Testing
@testable import Traces

/// The writer's JSON check agrees with Foundation's parser (an implementation we did not
/// write) on valid and broken texts; where they differ on purpose, the case says why.
@Suite struct JSONSyntaxTests {
    static let texts: [String] = [
        "{}", "[]", "0", "-0", "1.5e-3", "-12E+4", "\"\"", "true", "false", "null", " \n\t{ \"a\" : [1, 2, {\"b\": null}] } \r\n",
        #"{"k":"é✓🙂 \" \\ \/ \b \f \n \r \t \u00fC"}"#, #"[1,"x",true,false,null,{"y":[]}]"#,
        #"{"messages":[{"content":"What is 6×7?","role":"user"}],"source":"gsm8k","n":-3.25e10}"#,
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "-", "+1", "1e", "0x10",
        "tru", "nul", "[1 2]", "\"unterminated", "\"bad \\x escape\"", "\"\\u12G4\"", "\"tab\tinside\"", "{} {}", "[]]",
        "NaN", "Infinity", "'single'",
    ]

    /// swift-foundation's parser takes a trailing comma; Python's `json.loads`, which the
    /// reference reader decodes with, refuses it (checked by hand), so the writer must too.
    /// Before JSONSyntax the writer let these through.
    static let foundationLenient: Set<String> = ["[1,]", "{\"a\":1,}"]

    @Test(arguments: texts) func agreesWithFoundation(_ text: String) {
        let foundation = (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil
        #expect(JSONSyntax.isValid(text) == (foundation && !Self.foundationLenient.contains(text)), "\(text)")
    }

    @Test func deepNestingIsRefusedNotACrash() {
        #expect(JSONSyntax.isValid(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)))
        #expect(!JSONSyntax.isValid(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)))
    }

    /// A sample refused half-way (bad JSON in a later column) leaves nothing behind.
    @Test func refusedSampleLeavesTheShardClean() throws {
        let dir = try temporaryDirectory("refused")
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try MDSShardWriter(directory: dir, columns: [MDSColumn("a", .str), MDSColumn("z", .json)])
        try writer.write(["a": .string("one"), "z": .json("{}")])
        #expect(throws: TracesError.self) { try writer.write(["a": .string("two"), "z": .json("{oops")]) }
        try writer.write(["a": .string("three"), "z": .json("[1]")])
        try writer.finish()
        #expect(try readAll(try MDSDataset(directory: dir)) == [
            ["a": .string("one"), "z": .json("{}")], ["a": .string("three"), "z": .json("[1]")],
        ])
    }
}
