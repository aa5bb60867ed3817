import Foundation

/// Audits artefacts against the licenses of their whole lineage. Library entry point of
/// `distillery audit`; the pipeline calls it before publishing.
public struct Auditor: Sendable {
    public let knowledgeBase: LicenseKnowledgeBase

    public init(knowledgeBase: LicenseKnowledgeBase) { self.knowledgeBase = knowledgeBase }

    /// `paths`: model or trace folders (with or without manifest.json), `.gguf` files, or manifest files.
    /// `intendedUse` overrides the manifests' `intended_use` declaration.
    public func audit(paths: [URL], intendedUse: Declarations.IntendedUse? = nil) -> AuditReport {
        let graph = LineageGraph(paths: paths, knowledgeBase: knowledgeBase)
        var findings = graph.findings
        for (n, root) in graph.roots.enumerated() {
            let subject = paths.count == graph.roots.count ? paths[n].path : graph.nodes[root].displayID
            let context = AuditContext(graph: graph, root: root, subject: subject, kb: knowledgeBase, intendedUse: intendedUse)
            findings += AuditRuleIntegrity.check(context)
            findings += AuditRuleDeclaredLicense.check(context)
            findings += AuditRuleObligations.check(context)
            findings += AuditRuleUseRestrictions.check(context)
            findings += AuditRuleMetadata.check(context)
        }
        return AuditReport(findings: findings)
    }
}
