import Foundation

/// Everything the rules need about one audited artefact.
struct AuditContext {
    /// A clause of an ancestor's license that reaches the audited artefact.
    struct InheritedClause {
        var ancestor: String
        var license: LicenseEntry
        var clause: LicenseClause
        /// The channel the clause arrived by (the strongest the ancestor reaches the root with).
        var channel: Channel
        var citation: String { "\(license.name) \(clause.section)" }
    }

    let graph: LineageGraph
    let root: Int
    let subject: String
    let kb: LicenseKnowledgeBase
    let intendedUse: Declarations.IntendedUse?
    /// Nearest first.
    let ancestors: [(node: Int, channels: UInt8)]
    let inherited: [InheritedClause]

    var node: LineageGraph.Node { graph.nodes[root] }
    var manifest: Manifest { node.manifest }
    var declarations: Declarations { manifest.declarations }
    var evidence: ShippedEvidence? { node.evidence }
    var ownLicense: LicenseEntry? { kb.license(manifest.license) }
    /// Undeclared counts as distributed: the conservative reading for obligations on distribution.
    var distributed: Bool { declarations.distributed ?? true }

    init(graph: LineageGraph, root: Int, subject: String, kb: LicenseKnowledgeBase, intendedUse: Declarations.IntendedUse?) {
        self.graph = graph
        self.root = root
        self.subject = subject
        self.kb = kb
        self.intendedUse = intendedUse ?? graph.nodes[root].manifest.declarations.intendedUse
        ancestors = graph.ancestors(of: root)
        // One clause per (license, kind): a Llama base and a Llama instruct model impose one naming rule.
        var seen: Set<String> = []
        var list: [InheritedClause] = []
        for (n, channels) in ancestors {
            let ancestor = graph.nodes[n]
            guard let license = kb.license(ancestor.manifest.license) else { continue }
            for clause in license.obligations + license.restrictions {
                guard let channel = Channel.allCases.first(where: { channels & $0.bit != 0 && clause.through.contains($0) }),
                      seen.insert("\(license.id)/\(clause.kind.rawValue)").inserted else { continue }
                list.append(InheritedClause(ancestor: ancestor.displayID, license: license, clause: clause, channel: channel))
            }
        }
        inherited = list
    }

    func clauses(_ kind: LicenseClause.Kind) -> [InheritedClause] { inherited.filter { $0.clause.kind == kind } }

    /// Ancestors whose weights are inside the artefact.
    var weightAncestors: [LineageGraph.Node] {
        ancestors.filter { $0.channels & Channel.weights.bit != 0 }.map { graph.nodes[$0.node] }
    }

    func finding(_ severity: Severity, _ rule: String, _ inherited: InheritedClause?, _ message: String, fix: String) -> AuditFinding {
        AuditFinding(severity: severity == .info ? .info : (inherited?.clause.severity ?? severity), rule: rule, ancestor: inherited?.ancestor,
                     section: inherited?.citation, message: message, fix: fix, subject: subject)
    }
}
