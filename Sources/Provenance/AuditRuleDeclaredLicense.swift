import Foundation

/// Is the declared license one every ancestor allows? Weights under a license that grants no
/// right to relicense derivatives (Llama, Qwen, Tongyi, Qwen Research, MNPL) stay under it; a
/// permissive one (MIT, Apache-2.0 §4 last paragraph, Gemma §3.1, RAIL §4) lets the derivative
/// carry other terms, with that license's own conditions still attached.
enum AuditRuleDeclaredLicense {
    static func check(_ c: AuditContext) -> [AuditFinding] {
        guard let own = c.ownLicense else { return [] }  // unknown or missing: a graph finding already
        var out: [AuditFinding] = []
        var binding: [(node: LineageGraph.Node, license: LicenseEntry)] = []
        for node in c.weightAncestors {
            guard let license = c.kb.license(node.manifest.license), !license.permits(.relicenseDerivatives),
                  !binding.contains(where: { $0.license.id == license.id }) else { continue }
            binding.append((node, license))
        }
        if binding.count > 1 {
            let names = binding.map { "\($0.node.displayID) (\($0.license.name))" }.joined(separator: " and ")
            out.append(AuditFinding(severity: .fail, rule: "incompatible-ancestors", ancestor: binding[0].node.displayID,
                section: binding.map { "\($0.license.name) \(distributionSection($0.license))" }.joined(separator: "; "),
                message: "\(c.manifest.name) contains weights of \(names); each license requires derivatives to stay under it, so no single license covers the combination",
                fix: "Drop one parent, or obtain a license from one licensor that permits the combination.", subject: c.subject))
        }
        for (node, license) in binding where license.id != own.id {
            out.append(AuditFinding(severity: .fail, rule: "declared-license", ancestor: node.displayID,
                section: "\(license.name) \(distributionSection(license))",
                message: "\(c.manifest.name) declares '\(c.manifest.license)' but contains weights of \(node.displayID), licensed under the \(license.name), which grants no right to relicense derivative works",
                fix: "Declare the inherited license: \"license\": \"\(license.id)\" in manifest.json and `\(hubFrontMatter(license))` in the README front matter.",
                subject: c.subject))
        }
        // A permissive license over research-only or non-commercial ancestry misleads recipients.
        if own.permits(.commercialUse) {
            for inherited in c.clauses(.fieldOfUse) {
                out.append(c.finding(.warn, "declared-license", inherited,
                    "\(c.manifest.name) declares \(own.name), which permits commercial use, but \(inherited.ancestor) (\(inherited.license.name)) allows \(inherited.clause.text ?? "restricted") use only",
                    fix: "Declare a license that carries the restriction (e.g. \(inherited.license.id)), or state the restriction prominently in the card."))
            }
        }
        return out
    }

    static func distributionSection(_ license: LicenseEntry) -> String {
        license.clause(.shipLicenseCopy)?.section ?? license.clause(.distribution)?.section ?? ""
    }

    static func hubFrontMatter(_ license: LicenseEntry) -> String {
        if license.hubLicense == "other", let name = license.hubLicenseName {
            return "license: other, license_name: \(name), license_link: \(license.link)"
        }
        return "license: \(license.hubLicense)"
    }
}
