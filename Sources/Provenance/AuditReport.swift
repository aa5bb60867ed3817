import Foundation

/// One thing the audit found: what, who imposes it, where the license says so, and how to fix it.
public struct AuditFinding: Codable, Equatable, Sendable {
    public var severity: Severity
    /// A stable rule id, e.g. `name-prefix`, `file-hash`, `lineage-cycle`.
    public var rule: String
    /// The ancestor (model, dataset or teacher id) whose license imposes the rule.
    public var ancestor: String?
    /// License name and section, e.g. "Llama 3.1 Community License Agreement §1.b.i".
    public var section: String?
    public var message: String
    public var fix: String
    /// The audited path this finding is about (nil for graph-wide findings).
    public var subject: String?

    enum CodingKeys: String, CodingKey { case severity, rule, ancestor, section, message, fix, subject }

    /// `ancestor` and `section` are written as null rather than left out: the report's consumers
    /// read a fixed set of keys (issue 3 §4).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(severity, forKey: .severity)
        try c.encode(rule, forKey: .rule)
        try c.encode(ancestor, forKey: .ancestor)
        try c.encode(section, forKey: .section)
        try c.encode(message, forKey: .message)
        try c.encode(fix, forKey: .fix)
        try c.encodeIfPresent(subject, forKey: .subject)
    }
}

public enum AuditVerdict: String, Codable, Sendable { case pass, warn, fail }

public struct AuditReport: Codable, Equatable, Sendable {
    public var verdict: AuditVerdict
    public var findings: [AuditFinding]

    public init(findings: [AuditFinding]) {
        self.findings = findings.sorted {
            $0.severity.rank != $1.severity.rank ? $0.severity.rank > $1.severity.rank : $0.rule < $1.rule
        }
        let worst = findings.map(\.severity).max() ?? .info
        verdict = worst == .fail ? .fail : worst == .warn ? .warn : .pass
    }

    public func findings(rule: String) -> [AuditFinding] { findings.filter { $0.rule == rule } }
    public func has(_ severity: Severity, _ rule: String) -> Bool { findings.contains { $0.severity == severity && $0.rule == rule } }

    /// `{"verdict", "findings": [{"severity", "rule", "ancestor", "message", "fix", …}]}` (issue 3 §4).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    public func text() -> String {
        var out = ""
        for f in findings {
            out += "\(f.severity.rawValue.uppercased()) \(f.rule)"
            let source = [f.ancestor, f.section].compactMap { $0 }.joined(separator: ", ")
            if !source.isEmpty { out += " [\(source)]" }
            out += "\n  \(f.message)\n"
            if !f.fix.isEmpty { out += "  fix: \(f.fix)\n" }
        }
        let count = { (s: Severity) in self.findings.filter { $0.severity == s }.count }
        out += "verdict: \(verdict.rawValue) (\(count(.fail)) fail, \(count(.warn)) warn, \(count(.info)) info)\n"
        return out
    }

    /// SARIF 2.1.0, for code-scanning dashboards: one result per finding.
    public func sarif() -> String {
        func level(_ s: Severity) -> String { s == .fail ? "error" : s == .warn ? "warning" : "note" }
        let rules = Set(findings.map(\.rule)).sorted().map { ["id": $0] }
        let results: [[String: Any]] = findings.map { f in
            var r: [String: Any] = [
                "ruleId": f.rule, "level": level(f.severity),
                "message": ["text": f.message + (f.fix.isEmpty ? "" : " Fix: " + f.fix)],
            ]
            if let subject = f.subject {
                r["locations"] = [["physicalLocation": ["artifactLocation": ["uri": subject]]]]
            }
            var props: [String: String] = [:]
            if let a = f.ancestor { props["ancestor"] = a }
            if let s = f.section { props["section"] = s }
            if !props.isEmpty { r["properties"] = props }
            return r
        }
        let doc: [String: Any] = [
            "version": "2.1.0",
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "runs": [["tool": ["driver": ["name": "distillery", "version": Manifest.toolVersion, "rules": rules]],
                      "results": results]],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
