/// A syntax check of JSON text (RFC 8259), for the writer's `json` columns: the reference
/// reader decodes them with Python's `json.loads` (MDS.md §4), so text it would reject must
/// not reach a shard. Checking syntax alone, without building Foundation objects, keeps the
/// check off the shard-writing profile (it was a fifth of the writer's time with
/// `JSONSerialization`; BENCHMARKS.md). Like `json.loads` in its default strict mode it refuses
/// control characters inside strings; unlike it, it refuses `NaN`/`Infinity`, which other
/// JSON readers of the traces (TRL, `datasets`) do not take.
enum JSONSyntax {
    /// Deeper nesting than this is refused rather than risk the stack; Python stops near 1000.
    static let maxDepth = 512

    static func isValid(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var p = Parser(bytes: bytes)
            p.skipSpace()
            guard p.value(depth: 0) else { return false }
            p.skipSpace()
            return p.at == bytes.count
        }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

        mutating func skipSpace() {
            while let c = peek, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { at += 1 }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard at + n <= bytes.count else { return false }
            for i in 0..<n where bytes[at + i] != word.utf8Start[i] { return false }
            at += n
            return true
        }

        mutating func value(depth: Int) -> Bool {
            guard depth < JSONSyntax.maxDepth, let c = peek else { return false }
            switch c {
            case UInt8(ascii: "{"): return container(close: UInt8(ascii: "}"), keyed: true, depth: depth)
            case UInt8(ascii: "["): return container(close: UInt8(ascii: "]"), keyed: false, depth: depth)
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        mutating func container(close: UInt8, keyed: Bool, depth: Int) -> Bool {
            at += 1
            skipSpace()
            if peek == close { at += 1; return true }
            while true {
                if keyed {
                    guard peek == UInt8(ascii: "\""), string() else { return false }
                    skipSpace()
                    guard peek == UInt8(ascii: ":") else { return false }
                    at += 1
                    skipSpace()
                }
                guard value(depth: depth + 1) else { return false }
                skipSpace()
                guard let c = peek else { return false }
                at += 1
                if c == close { return true }
                guard c == UInt8(ascii: ",") else { return false }
                skipSpace()
            }
        }

        mutating func string() -> Bool {
            at += 1
            while let c = peek {
                at += 1
                switch c {
                case UInt8(ascii: "\""): return true
                case UInt8(ascii: "\\"):
                    guard let e = peek else { return false }
                    at += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                         UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        continue
                    case UInt8(ascii: "u"):
                        for _ in 0..<4 {
                            guard let h = peek, isHex(h) else { return false }
                            at += 1
                        }
                    default: return false
                    }
                case 0..<0x20: return false
                default: continue
                }
            }
            return false
        }

        mutating func number() -> Bool {
            if peek == UInt8(ascii: "-") { at += 1 }
            guard let first = peek, isDigit(first) else { return false }
            at += 1
            if first != UInt8(ascii: "0") { digits() }
            if peek == UInt8(ascii: ".") {
                at += 1
                guard let d = peek, isDigit(d) else { return false }
                digits()
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                at += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { at += 1 }
                guard let d = peek, isDigit(d) else { return false }
                digits()
            }
            return true
        }

        mutating func digits() { while let d = peek, isDigit(d) { at += 1 } }
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66) }
    }
}
