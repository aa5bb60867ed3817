import Foundation

/// Writes to standard error: progress, speeds and summaries, so standard output stays data.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Writes `value` as one line of JSON with sorted keys (stable output for scripts and tests).
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

/// Writes text to standard output immediately (streamed generation).
func printStreamed(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
