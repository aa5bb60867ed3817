import Foundation

/// Splits a `text/event-stream` body into events' data, fed in whatever chunks the network
/// delivers (WHATWG HTML §9.2.6): `data:` lines join with newlines, a blank line ends the
/// event, lines starting with `:` are comments (keep-alives), other fields (`event:`, `id:`,
/// `retry:`) do not matter to a chat completion stream.
struct ServerSentEventDecoder {
    private var buffer: [UInt8] = []
    private var data: [String] = []

    /// The data of every event completed by `bytes`.
    mutating func feed(_ bytes: Data) -> [String] {
        buffer.append(contentsOf: bytes)
        var events: [String] = []
        var lineStart = 0
        while let newline = buffer[lineStart...].firstIndex(of: 0x0A) {
            var lineEnd = newline
            if lineEnd > lineStart, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = String(decoding: buffer[lineStart..<lineEnd], as: UTF8.self)
            lineStart = newline + 1
            if let event = take(line) { events.append(event) }
        }
        buffer.removeFirst(lineStart)
        return events
    }

    /// The last event when the body ends without its blank line (some servers do).
    mutating func finish() -> [String] {
        var events: [String] = []
        if !buffer.isEmpty, let event = take(String(decoding: buffer, as: UTF8.self)) { events.append(event) }
        buffer = []
        if let event = take("") { events.append(event) }
        return events
    }

    private mutating func take(_ line: String) -> String? {
        if line.isEmpty {
            defer { data = [] }
            return data.isEmpty ? nil : data.joined(separator: "\n")
        }
        if line.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = line[...]
            value = ""
        }
        if field == "data" { data.append(String(value)) }
        return nil
    }
}
