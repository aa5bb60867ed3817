import Foundation
import Tokenizers

/// A file of prompts for a generate run (issue 4): JSON Lines with `{"messages": [...]}` or
/// `{"prompt": "..."}` per line, an optional `"id"`, an optional reference `"answer"`, and any
/// other fields kept as metadata; or plain text, one prompt per line.
///
/// JSONL when the extension is `.jsonl`/`.json` or the first non-blank line starts with `{`.
/// A UTF-8 byte-order mark is dropped and `\r\n` endings are accepted, because files saved by
/// Windows editors and Excel have both. A line that is not valid UTF-8 is a bad line, not a
/// failure of the whole file.
public struct PromptFile {
    public let prompts: [PromptRecord]
    /// The bad lines passed over under `.skip`, in file order.
    public let skipped: [PromptLineError]

    /// Reads and validates the whole file. Under `.fail` throws the first bad line's
    /// `PromptLineError`; a file that cannot be read throws `PromptFileError`.
    public init(contentsOf url: URL, onBadLine: BadLinePolicy) throws {
        let name = url.lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PromptFileError(file: url.path, reason: "cannot read the prompt file (\(error.localizedDescription))")
        }
        try self.init(bytes: [UInt8](data), name: name, pathExtension: url.pathExtension, onBadLine: onBadLine)
    }

    init(bytes: [UInt8], name: String, pathExtension: String, onBadLine: BadLinePolicy) throws {
        var lines = Self.splitLines(bytes)
        if let first = lines.first, first.starts(with: [0xEF, 0xBB, 0xBF]) {
            lines[0] = first.dropFirst(3)
        }
        let ext = pathExtension.lowercased()
        let firstText = lines.lazy.map(Self.trimmedASCII).first { !$0.isEmpty }
        let isJSONL = ext == "jsonl" || ext == "json" || firstText?.first == UInt8(ascii: "{")

        var prompts: [PromptRecord] = []
        var skipped: [PromptLineError] = []
        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            if Self.trimmedASCII(line).isEmpty { continue }
            let result = isJSONL
                ? PromptLine.parseJSON(line, index: prompts.count, lineNumber: number)
                : PromptLine.parseText(line, index: prompts.count, lineNumber: number)
            switch result {
            case let .success(record):
                prompts.append(record)
            case let .failure(reason):
                let error = PromptLineError(file: name, line: number, reason: reason.text)
                if onBadLine == .fail { throw error }
                skipped.append(error)
            }
        }
        self.prompts = prompts
        self.skipped = skipped
    }

    /// Lines split at `\n` with a trailing `\r` removed; a final line without `\n` counts.
    static func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for i in bytes.indices where bytes[i] == UInt8(ascii: "\n") {
            lines.append(dropCR(bytes[start..<i]))
            start = i + 1
        }
        if start < bytes.count { lines.append(dropCR(bytes[start...])) }
        return lines
    }

    private static func dropCR(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == UInt8(ascii: "\r") ? line.dropLast() : line
    }

    static func trimmedASCII(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let space: Set<UInt8> = [0x20, 0x09, 0x0D, 0x0B, 0x0C]
        guard let first = line.firstIndex(where: { !space.contains($0) }),
              let last = line.lastIndex(where: { !space.contains($0) }) else { return [] }
        return line[first...last]
    }
}
