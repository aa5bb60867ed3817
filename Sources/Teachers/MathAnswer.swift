import Foundation

/// Reading a final answer out of model text and a reference: the last `\boxed{}`, the last
/// number, and a LaTeX normalisation after Hendrycks et al.'s MATH `strip_string` (as
/// lm-evaluation-harness's `hendrycks_math` task applies it), written anew.
enum MathAnswer {
    /// The reference as the answer to compare: what follows GSM8K's last `####`, else the
    /// last `\boxed{}` of a MATH-style worked solution, else the whole text.
    static func referenceText(_ reference: String) -> String {
        if let marker = reference.range(of: "####", options: .backwards) {
            return String(reference[marker.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return lastBoxed(in: reference) ?? reference
    }

    /// Content of the last `\boxed{…}` / `\fbox{…}` (braces balanced), or of `\boxed 5`
    /// (up to `$` or the end of the line, as lm-eval's `last_boxed_only_string` allows). nil
    /// when there is none or the last one never closes: a completion cut off inside its box
    /// has no answer, even if an earlier box had one.
    static func lastBoxed(in text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        var best: Int? = nil
        var nameEnd = 0
        for name in ["\\boxed", "\\fbox"] {
            let pattern = Array(name.unicodeScalars)
            var i = scalars.count - pattern.count
            while i >= 0 {
                if scalars[i..<i + pattern.count].elementsEqual(pattern) {
                    // `\boxedfoo` is another macro, not a box.
                    let next = i + pattern.count
                    if next == scalars.count || !(scalars[next].properties.isAlphabetic) {
                        if best == nil || i > best! { best = i; nameEnd = next }
                        break
                    }
                }
                i -= 1
            }
        }
        guard best != nil else { return nil }
        var at = nameEnd
        while at < scalars.count, scalars[at] == " " { at += 1 }
        guard at < scalars.count else { return nil }
        if scalars[at] == "{" {
            var depth = 0
            for j in at..<scalars.count {
                if scalars[j] == "{" { depth += 1 }
                if scalars[j] == "}" {
                    depth -= 1
                    if depth == 0 { return String(String.UnicodeScalarView(scalars[(at + 1)..<j])) }
                }
            }
            return nil
        }
        guard at > nameEnd else { return nil }  // `\boxed5` is not the spaced form
        let rest = String(String.UnicodeScalarView(scalars[at...]))
        let cut = rest.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "$" || $0 == "\n" }).first ?? ""
        let value = cut.trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }

    /// True when the normalised texts are equal, or both are numbers equal within 1e-6.
    static func equivalent(_ a: String, _ b: String) -> Bool {
        let na = normalized(a), nb = normalized(b)
        if !na.isEmpty && na == nb { return true }
        if let x = number(na), let y = number(nb) { return sameNumber(x, y) }
        return false
    }

    static func sameNumber(_ a: Double, _ b: Double) -> Bool {
        a == b || abs(a - b) <= 1e-6 * max(abs(a), abs(b))
    }

    /// MATH's `strip_string` rules, in its order where order matters: drop `\left`/`\right`,
    /// `\!` and other LaTeX spacing, `$`, degrees, percent signs, a trailing unit written
    /// `\text{ cm}`; unwrap `\text{…}`; `\dfrac`/`\tfrac` → `\frac`; `\frac12` → `\frac{1}{2}`;
    /// `\sqrt3` → `\sqrt{3}`; remove whitespace, a trailing period, a short `x =` in front,
    /// thousands separators; `.5` → `0.5`.
    static func normalized(_ input: String) -> String {
        var s = unicodeMinus(input).replacingOccurrences(of: "\n", with: "")
        s = s.replacingOccurrences(of: "\\\\", with: "\\")
        for spacing in ["\\!", "\\,", "\\;", "\\:", "\\ "] { s = s.replacingOccurrences(of: spacing, with: "") }
        s = replacing(#"\\(left|right)(?![A-Za-z])"#, in: s, with: "")
        s = s.replacingOccurrences(of: "\\dfrac", with: "\\frac").replacingOccurrences(of: "\\tfrac", with: "\\frac")
        for degree in ["^{\\circ}", "^\\circ", "°"] { s = s.replacingOccurrences(of: degree, with: "") }
        s = s.replacingOccurrences(of: "\\$", with: "").replacingOccurrences(of: "$", with: "")
        // A unit after the value: MATH writes `10\text{ inches}`; the leading space marks it.
        s = replacing(#"\\(text|mbox|mathrm)\{ [^{}]*\}\s*$"#, in: s, with: "")
        // Unwrap until none is left: `\text{\textbf{A}}`.
        while true {
            let next = replacing(#"\\(text|textbf|mathrm|mbox|mathbf)\{([^{}]*)\}"#, in: s, with: "$2")
            if next == s { break }
            s = next
        }
        s = s.replacingOccurrences(of: "\\%", with: "").replacingOccurrences(of: "%", with: "")
        s = s.filter { !$0.isWhitespace }
        while s.hasSuffix(".") { s.removeLast() }
        s = replacing(#"\\frac(\d)(\d)"#, in: s, with: "\\\\frac{$1}{$2}")
        s = replacing(#"\\frac\{([^{}]*)\}(\d)"#, in: s, with: "\\\\frac{$1}{$2}")
        s = replacing(#"\\sqrt(\d)"#, in: s, with: "\\\\sqrt{$1}")
        // `k=5` → `5`, only for a short left side, as MATH does (`x+y=5` stays an equation).
        let sides = s.split(separator: "=", omittingEmptySubsequences: false)
        if sides.count == 2, sides[0].count <= 2, !sides[1].isEmpty { s = String(sides[1]) }
        if matches(#"^-?\d{1,3}(,\d{3})+(\.\d+)?$"#, s) { s = s.replacingOccurrences(of: ",", with: "") }
        if s.hasPrefix(".") { s = "0" + s }
        if s.hasPrefix("-.") { s = "-0" + s.dropFirst() }
        return s
    }

    /// The value of a whole normalised answer: a decimal, `a/b`, or `\frac{a}{b}` with an
    /// optional minus sign. nil for anything else (expressions, intervals, text).
    static func number(_ s: String) -> Double? {
        var t = Substring(s)
        var sign = 1.0
        if t.hasPrefix("-") { sign = -1; t = t.dropFirst() } else if t.hasPrefix("+") { t = t.dropFirst() }
        if let d = decimal(t) { return sign * d }
        if let groups = captures(#"^\\frac\{(-?[0-9.]+)\}\{(-?[0-9.]+)\}$"#, String(t)) ?? captures(#"^(-?[0-9.]+)/(-?[0-9.]+)$"#, String(t)),
           let a = decimal(Substring(groups[0])), let b = decimal(Substring(groups[1])), b != 0 {
            return sign * a / b
        }
        return nil
    }

    /// Digits with at most one point, as Python's `float()` would take them (no exponents:
    /// a model writing `1e5` as a final answer is rare and `2e` is a common typo).
    private static func decimal(_ t: Substring) -> Double? {
        var s = t
        let negative = s.hasPrefix("-")
        if negative { s = s.dropFirst() }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              s.filter({ $0 == "." }).count <= 1, s != "." else { return nil }
        guard let d = Double(s.hasPrefix(".") ? "0" + s : String(s)) else { return nil }
        return negative ? -d : d
    }

    /// The number a completion ends on: inside its last box when it has one (the whole box
    /// if it is a number, `\frac{3}{4}` included, else the box's last number), else the
    /// text's last number. Returns the text as written and its value.
    static func finalNumber(in answer: String) -> (text: String, value: Double)? {
        if let boxed = lastBoxed(in: answer) {
            if let value = number(normalized(boxed)) { return (boxed.trimmingCharacters(in: .whitespaces), value) }
            return lastNumber(in: boxed)
        }
        return lastNumber(in: answer)
    }

    /// The last number in free text, as lm-eval's GSM8K "flexible-extract" takes it, plus
    /// thousands separators (`1,234`), `a/b` fractions and `\frac{a}{b}`. A minus sign counts
    /// only when it does not follow a word or digit (`5-3` ends on 3, not -3).
    static func lastNumber(in input: String) -> (text: String, value: Double)? {
        let text = unicodeMinus(input)
        let pattern = #"(?:(?<![0-9A-Za-z)\]}])-)?(?:\\[dt]?frac\{-?[0-9.]+\}\{-?[0-9.]+\}|(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:/\d+(?:\.\d+)?)?|\.\d+)"#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
        let range = NSRange(text.startIndex..., in: text)
        guard let match = regex.matches(in: text, range: range).last, let r = Range(match.range, in: text) else { return nil }
        let found = String(text[r])
        guard let value = number(normalized(found)) else { return nil }
        return (found, value)
    }

    /// U+2212 MINUS SIGN, which models trained on typeset text write for negatives.
    private static func unicodeMinus(_ s: String) -> String {
        s.replacingOccurrences(of: "\u{2212}", with: "-")
    }

    private static func replacing(_ pattern: String, in s: String, with template: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return s }
        return regex.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: template)
    }

    private static func matches(_ pattern: String, _ s: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    private static func captures(_ pattern: String, _ s: String) -> [String]? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let m = regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) else { return nil }
        return (1..<m.numberOfRanges).compactMap { Range(m.range(at: $0), in: s).map { String(s[$0]) } }
    }
}
