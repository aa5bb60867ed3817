/// Applies OpenAI's `stop` strings to streamed text: the text ends just before the first
/// occurrence of any of them, which is not returned. Text that could still turn into a stop
/// string is held back until the next piece decides it, so a stream never shows a stop
/// string's beginning. Works on UTF-8 bytes; it only cuts before a stop string's first byte
/// (a lead byte) or at the end of a piece, so it never splits a character.
struct StopSequenceMatcher {
    private let stops: [[UInt8]]
    private var held: [UInt8] = []
    private(set) var stopped = false

    init(_ stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// Adds a piece of text; returns the text now certain to be output. After a stop string
    /// is found, `stopped` is set and everything from it on is dropped.
    mutating func append(_ text: String) -> String {
        guard !stopped else { return "" }
        if stops.isEmpty { return text }
        held.append(contentsOf: text.utf8)
        if let cut = firstStop() {
            stopped = true
            defer { held.removeAll() }
            return String(decoding: held[..<cut], as: UTF8.self)
        }
        let keep = longestSuffixThatStartsAStop()
        let out = String(decoding: held[..<(held.count - keep)], as: UTF8.self)
        held.removeFirst(held.count - keep)
        return out
    }

    /// At the end of generation the held text was not a stop string after all.
    mutating func finish() -> String {
        defer { held.removeAll() }
        return stopped ? "" : String(decoding: held, as: UTF8.self)
    }

    private func firstStop() -> Int? {
        var best: Int?
        for stop in stops where stop.count <= held.count {
            for start in 0...(held.count - stop.count) where best.map({ start < $0 }) ?? true {
                if held[start..<(start + stop.count)].elementsEqual(stop) { best = start; break }
            }
        }
        return best
    }

    private func longestSuffixThatStartsAStop() -> Int {
        var longest = 0
        for stop in stops {
            for length in stride(from: min(stop.count - 1, held.count), to: longest, by: -1)
            where held[(held.count - length)...].elementsEqual(stop[..<length]) {
                longest = length
                break
            }
        }
        return longest
    }
}
