import Foundation

/// Obligations that propagate to a distributed derivative: license copy, NOTICE line, attribution
/// string, name prefix, use restrictions passed on, AUP reference, change notice, dataset
/// attribution, ShareAlike. Checked against what the folder ships and what the publisher declared.
enum AuditRuleObligations {
    static func check(_ c: AuditContext) -> [AuditFinding] {
        guard c.distributed else {
            return c.inherited.isEmpty ? [] : [c.finding(.info, "not-distributed", nil,
                "\(c.manifest.name) is declared not distributed: obligations that attach to distribution are not checked",
                fix: "")]
        }
        let ev = c.evidence
        var out: [AuditFinding] = []
        for i in c.inherited {
            let clause = i.clause
            switch clause.kind {
            case .shipLicenseCopy:
                guard !(ev?.shippedLicenses.contains(i.license.id) ?? false) else { continue }
                out.append(c.finding(.fail, "license-copy", i,
                    "the folder ships no copy of the \(i.license.name) required by \(i.ancestor)"
                        + (ev?.licenseFileNames.isEmpty == false ? " (found: \(ev?.licenseFileNames.joined(separator: ", ") ?? ""))" : ""),
                    fix: "Add the full text from \(i.license.link) as LICENSE-\(i.license.id) (or append it to LICENSE)."))
            case .noticeLine:
                guard let line = clause.text, !(ev?.mentions(line) ?? false) else { continue }
                out.append(c.finding(.fail, "notice-line", i,
                    "no NOTICE file or card text carries the line the \(i.license.name) requires: \"\(line)\"",
                    fix: "Add a NOTICE file containing: \(line)"))
            case .attributionDisplay:
                let options = [clause.text].compactMap { $0 } + (clause.alternatives ?? [])
                guard !options.isEmpty, !options.contains(where: { ev?.mentions($0) ?? false }) else { continue }
                out.append(c.finding(.warn, "attribution", i,
                    "the card does not display \(options.map { "\"\($0)\"" }.joined(separator: " or ")) (it may be on a website or product page, which the audit cannot see)",
                    fix: "Add \"\(options[0])\" to README.md (`distillery card` writes it)."))
            case .namePrefix:
                guard let prefix = clause.text else { continue }
                let name = c.manifest.modelName
                guard !hasNamePrefix(name, prefix) else { continue }
                out.append(c.finding(.fail, "name-prefix", i,
                    "model name '\(name)' does not begin with \"\(prefix)\"; \(i.ancestor)'s \(i.channel == .outputs ? "outputs were" : "weights were") used to make it and the \(i.license.name) requires the prefix",
                    fix: "Rename it, e.g. '\(suggestedName(name, prefix))', in manifest.json (name/id) and where it is published."))
            case .passUseRestrictions:
                let carried = Declarations.affirms(c.declarations.useRestrictionsPassedOn) || c.manifest.license == i.license.id
                    || c.kb.license(c.manifest.license)?.id == i.license.id
                guard !carried else { continue }
                out.append(c.finding(.fail, "use-restrictions", i,
                    "\(c.manifest.name) is a derivative of \(i.ancestor) (by \(i.channel == .outputs ? "distillation from its outputs" : "its weights")) but its license '\(c.manifest.license)' does not carry the \(i.license.name) use restrictions as an enforceable provision",
                    fix: "Include the use restrictions in your license or terms of use, then `distillery manifest declare DIR use_restrictions_passed_on=<where, e.g. LICENSE §5>`."))
            case .referenceAUP:
                guard !Declarations.affirms(c.declarations.aupReferenced), !(ev?.mentions("Acceptable Use Policy") ?? false) else { continue }
                out.append(c.finding(.warn, "acceptable-use-policy", i,
                    "nothing in the folder refers users to the \(i.license.name) Acceptable Use Policy",
                    fix: "Link the Acceptable Use Policy in README.md, then `distillery manifest declare DIR aup_referenced=README.md`."))
            case .changeNotice:
                let named = ev?.mentions(i.ancestor) == true || ev?.mentions(baseName(i.ancestor)) == true
                guard !Declarations.affirms(c.declarations.modificationNotice), !named else { continue }
                out.append(c.finding(.warn, "change-notice", i,
                    "no notice says the files were modified from \(i.ancestor)",
                    fix: "State in README.md that the weights were modified from \(i.ancestor) (`distillery card` does), or `distillery manifest declare DIR modification_notice=<where>`."))
            case .attributeSource:
                guard !Declarations.affirms(c.declarations.datasetAttribution), !(ev?.mentions(i.ancestor) ?? false) else { continue }
                out.append(c.finding(.warn, "dataset-attribution", i,
                    "training data \(i.ancestor) (\(i.license.name)) is not credited",
                    fix: "Credit the creator and link the dataset and license in README.md, then `distillery manifest declare DIR dataset_attribution=README.md`."))
            case .shareAlike:
                guard c.ownLicense?.id != clause.text else { continue }
                out.append(c.finding(.warn, "share-alike", i,
                    "\(i.ancestor) is ShareAlike; whether weights trained on it are Adapted Material is unsettled, and the conservative reading requires \(clause.text ?? "the same license") for \(c.manifest.name)",
                    fix: "License the model under \(clause.text ?? "the ShareAlike license"), or record why the weights are not Adapted Material."))
            default:
                continue
            }
        }
        return out
    }

    /// Hub names cannot hold spaces, so "Llama-3-8B-…" satisfies a "Llama 3" prefix; case matters.
    static func hasNamePrefix(_ name: String, _ prefix: String) -> Bool {
        let spaced = name.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")
        return spaced.hasPrefix(prefix)
    }

    static func suggestedName(_ name: String, _ prefix: String) -> String {
        prefix.replacingOccurrences(of: " ", with: "-") + "-" + name
    }

    static func baseName(_ id: String) -> String {
        id.split(separator: "/").last.map(String.init) ?? id
    }
}
