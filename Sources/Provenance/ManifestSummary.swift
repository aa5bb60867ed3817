import Foundation

extension Manifest {
    /// What `distillery manifest show` prints: the manifest as a person reads it.
    public func summary(knowledgeBase: LicenseKnowledgeBase?) -> String {
        var s = "name:      \(name)\(id.map { " (\($0))" } ?? "")\n"
        let licenseName = knowledgeBase?.license(license)?.name ?? "not in the knowledge base"
        s += "license:   \(license) — \(licenseName)\n"
        s += "kind:      \(kind?.rawValue ?? "-")\(version.map { ", version \($0)" } ?? "")\n"
        if let created { s += "created:   \(created)\(tool.map { " by \($0)" } ?? "")\n" }
        s += parents.isEmpty ? "parents:   none\n" : "parents:\n"
        for p in parents {
            let role = p.role.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
            let relation = p.relation.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
            s += "  \(role) \(relation) \(p.id)  \(p.license ?? "license not recorded")\(p.path.map { "  (\($0))" } ?? "")\n"
        }
        if let t = training { s += "training:  \(t.method) \(t.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))\n" }
        if let q = quantization { s += "quantized: \(q.type)\(q.bitsPerWeight.map { ", \($0) bits/weight" } ?? "")\(q.calibrationData.map { ", calibration \($0)" } ?? "")\n" }
        let bytes = files.reduce(UInt64(0)) { $0 + $1.size }
        s += "files:     \(files.count) (\(bytes) bytes)\n"
        for f in files { s += "  \(f.sha256.prefix(12))…  \(f.size)  \(f.path)\n" }
        let declared = declarationPairs()
        s += "declared:  \(declared.isEmpty ? "nothing" : declared.map { "\($0.0)=\($0.1)" }.joined(separator: " "))\n"
        s += "signed:    \(signature.map { "yes, ed25519 key \($0.publicKey)" } ?? "no")\n"
        return s
    }

    /// The declarations that are set, as KEY, VALUE in the schema's order.
    func declarationPairs() -> [(String, String)] {
        let d = declarations
        let all: [(String, String?)] = [
            ("distributed", d.distributed.map { "\($0)" }), ("intended_use", d.intendedUse?.rawValue),
            ("licensee_mau_at_base_release", d.licenseeMAUAtBaseRelease.map { "\($0)" }),
            ("licensee_mau_current", d.licenseeMAUCurrent.map { "\($0)" }), ("licensee_domicile", d.licenseeDomicile),
            ("outputs_generated_by", d.outputsGeneratedBy?.rawValue),
            ("competes_with_output_provider", d.competesWithOutputProvider.map { "\($0)" }), ("terms_version", d.termsVersion),
            ("teacher_access", d.teacherAccess?.rawValue), ("use_restrictions_passed_on", d.useRestrictionsPassedOn),
            ("aup_referenced", d.aupReferenced), ("modification_notice", d.modificationNotice),
            ("dataset_attribution", d.datasetAttribution), ("base_weights_redistributed", d.baseWeightsRedistributed.map { "\($0)" }),
            ("model_type", d.modelType),
        ]
        return all.compactMap { key, value in value.map { (key, $0) } }
    }
}
