import Foundation

/// Restrictions on use that travel with weights, outputs or data: field of use (NonCommercial,
/// research-only), user-count thresholds, "do not improve other models", API terms against
/// competing models, and domicile exclusions.
enum AuditRuleUseRestrictions {
    static func check(_ c: AuditContext) -> [AuditFinding] {
        var out: [AuditFinding] = []
        for i in c.inherited {
            switch i.clause.kind {
            case .fieldOfUse: out += fieldOfUse(c, i)
            case .mauThreshold: out += userThreshold(c, i)
            case .noImproveOtherModels: out += noImprove(c, i)
            case .noCompetingModels: out += noCompeting(c, i)
            case .domicileExclusion: out += domicile(c, i)
            default: continue
            }
        }
        return out
    }

    static func fieldOfUse(_ c: AuditContext, _ i: AuditContext.InheritedClause) -> [AuditFinding] {
        let allowed = i.clause.text ?? "restricted"
        let via = i.channel == .data ? "was trained on" : i.channel == .outputs ? "learned from the outputs of" : "contains the weights of"
        switch c.intendedUse {
        case .commercial?:
            return [c.finding(.fail, "field-of-use", i,
                "intended use is commercial, but \(c.manifest.name) \(via) \(i.ancestor), licensed under the \(i.license.name) for \(allowed) use only",
                fix: "Remove \(i.ancestor) from the lineage and retrain, obtain a commercial license from its licensor, or release for research use only (`--intended-use research`).")]
        case nil:
            return [c.finding(.warn, "field-of-use", i,
                "\(c.manifest.name) \(via) \(i.ancestor) (\(i.license.name): \(allowed) use only) and no intended use is declared",
                fix: "`distillery manifest declare DIR intended_use=research` (or pass --intended-use), and say so in the card.")]
        case .research?, .internal?:
            return [c.finding(.info, "field-of-use", i,
                "\(i.ancestor) allows \(allowed) use only; the declared use (\(c.intendedUse?.rawValue ?? "")) fits if it is not commercial",
                fix: "")]
        }
    }

    static func userThreshold(_ c: AuditContext, _ i: AuditContext.InheritedClause) -> [AuditFinding] {
        guard let limit = i.clause.limit else { return [] }
        let measured = i.clause.date == nil ? c.declarations.licenseeMAUCurrent : c.declarations.licenseeMAUAtBaseRelease
        let when = i.clause.date.map { "in the calendar month before \($0)" } ?? "now"
        let key = i.clause.date == nil ? "licensee_mau_current" : "licensee_mau_at_base_release"
        guard let mau = measured else {
            return [c.finding(.info, "user-threshold", i,
                "\(i.license.name) requires a separate license above \(grouped(limit)) monthly active users \(when); not declared",
                fix: "`distillery manifest declare DIR \(key)=N`")]
        }
        guard mau > limit else { return [] }
        return [c.finding(.fail, "user-threshold", i,
            "declared \(grouped(mau)) monthly active users \(when) exceeds the \(grouped(limit)) the \(i.license.name) allows without a separate license",
            fix: "Obtain a license from the licensor of \(i.ancestor) before use or distribution.")]
    }

    /// Llama 2/3 §1.b.v and Tongyi §5b exempt derivatives of the same family.
    static func noImprove(_ c: AuditContext, _ i: AuditContext.InheritedClause) -> [AuditFinding] {
        let sameFamily = c.ownLicense?.id == i.license.id
            || c.weightAncestors.contains { c.kb.license($0.manifest.license)?.id == i.license.id }
        guard !sameFamily else { return [] }
        return [c.finding(.fail, "no-improve-other-models", i,
            "\(c.manifest.name) was improved with the \(i.channel == .weights ? "weights" : "outputs") of \(i.ancestor), whose \(i.license.name) forbids using them to improve any other large language model",
            fix: "Use a teacher whose license permits training other models (e.g. Llama 3.1+, Apache-2.0, MIT), or make the student a derivative of the same family.")]
    }

    static func noCompeting(_ c: AuditContext, _ i: AuditContext.InheritedClause) -> [AuditFinding] {
        var out: [AuditFinding] = []
        if let declared = c.declarations.termsVersion, declared != i.license.version {
            out.append(c.finding(.warn, "terms-version", i,
                "outputs were generated under terms version \(declared), but the knowledge base holds \(i.license.version)",
                fix: "Re-read the provider's terms for the version you accepted and update manifests/licenses/\(i.license.id).json."))
        }
        switch (c.declarations.competesWithOutputProvider, c.declarations.outputsGeneratedBy) {
        case (true?, .thirdParty?):
            out.append(c.finding(.warn, "no-competing-models", i,
                "\(c.manifest.name) competes with the provider of \(i.ancestor); the outputs were generated by a third party, whom the terms bind (their reach to you is uncertain)",
                fix: "Check how the third party's dataset license passes the provider's terms on before commercial release."))
        case (true?, _):
            out.append(c.finding(.fail, "no-competing-models", i,
                "\(c.manifest.name) is trained on outputs of \(i.ancestor) and competes with its provider, which the \(i.license.name) forbids",
                fix: "Replace the teacher with one whose terms allow training competing models (open weights under MIT/Apache-2.0/Llama 3.1+), or obtain the provider's written approval."))
        case (nil, _):
            out.append(c.finding(.warn, "no-competing-models", i,
                "\(c.manifest.name) is trained on outputs of \(i.ancestor), whose \(i.license.name) forbids building competing models; whether it competes is not declared",
                fix: "`distillery manifest declare DIR competes_with_output_provider=false` (or true) after checking the terms."))
        case (false?, _):
            out.append(c.finding(.info, "no-competing-models", i,
                "declared not to compete with the provider of \(i.ancestor)", fix: ""))
        }
        return out
    }

    static let euMembers: Set<String> = ["EU", "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
                                         "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"]

    static func domicile(_ c: AuditContext, _ i: AuditContext.InheritedClause) -> [AuditFinding] {
        let types = Set((i.clause.modelTypes ?? []).map { $0.lowercased() })
        let modelTypes = ([c.manifest] + c.weightAncestors.map(\.manifest)).compactMap { $0.declarations.modelType?.lowercased() }
        guard types.isEmpty || modelTypes.contains(where: types.contains) else { return [] }
        guard let where_ = c.declarations.licenseeDomicile?.uppercased() else {
            return [c.finding(.info, "domicile", i, "the \(i.license.name) withholds rights for this model type from licensees domiciled in the \(i.clause.text ?? "excluded region"); domicile not declared",
                              fix: "`distillery manifest declare DIR licensee_domicile=CC` (ISO country code)")]
        }
        guard i.clause.text == "EU" ? euMembers.contains(where_) : where_ == i.clause.text?.uppercased() else { return [] }
        return [c.finding(.fail, "domicile", i,
            "the licensee is domiciled in \(where_), where the \(i.license.name) grants no rights for \(types.sorted().joined(separator: "/")) models",
            fix: "Use a text-only base model, or have a licensee outside the excluded region publish it.")]
    }
}

/// 700000000 → "700,000,000": the figure as the license text writes it.
func grouped(_ n: Int) -> String {
    let digits = Array(String(n))
    var out = ""
    for (i, d) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(d)
    }
    return out
}
