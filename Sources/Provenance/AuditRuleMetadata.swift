import Foundation

/// Metadata a recipient and the Hub rely on: a manifest exists, the card and GGUF keys agree with
/// it, quantised artefacts say how they were quantised, the Hub model tree can link the parents.
enum AuditRuleMetadata {
    static func check(_ c: AuditContext) -> [AuditFinding] {
        var out: [AuditFinding] = []
        func warn(_ rule: String, _ message: String, _ fix: String) {
            out.append(AuditFinding(severity: .warn, rule: rule, ancestor: nil, section: nil, message: message, fix: fix, subject: c.subject))
        }
        if case .shippedMetadata = c.node.origin {
            warn("manifest-missing", "no \(Manifest.fileName): lineage was read from the model card, GGUF metadata and the knowledge base",
                 "Record it: `distillery manifest init DIR --name \(c.manifest.name) --license \(c.manifest.license.isEmpty ? "ID" : c.manifest.license)` and `manifest add-parent`.")
        }
        for problem in c.evidence?.problems ?? [] {
            warn("metadata-unreadable", problem, "Fix or regenerate the file (`distillery card` writes valid front matter).")
        }
        if c.manifest.parents.contains(where: { $0.relation == .quantized }), c.manifest.quantization == nil, case .manifest = c.node.origin {
            warn("quantization-record", "\(c.manifest.name) is quantized from a parent but records no quantization (type, bits per weight, calibration data, tool)",
                 "Add a \"quantization\" object to manifest.json.")
        }
        let own = c.ownLicense
        if let card = c.evidence?.card {
            if let cardLicense = card.effectiveLicense, let cardEntry = c.kb.license(cardLicense) {
                if let own, cardEntry.id != own.id {
                    warn("card-license", "README.md front matter says license '\(cardLicense)' but the manifest says '\(c.manifest.license)'",
                         "Regenerate the card with `distillery card` so both say the same.")
                }
            } else if card.license == nil, own != nil {
                warn("card-license", "README.md front matter has no license", "Regenerate the card with `distillery card`.")
            }
            // Only Hub ids (org/name) can be in the model tree; `distillery card` writes just those.
            let weightParents = c.manifest.parents.filter { $0.role == .base }.map(\.id).filter { $0.contains("/") }
            let missing = weightParents.filter { !card.baseModels.contains($0) }
            if !missing.isEmpty {
                warn("card-base-model", "README.md front matter lacks base_model \(missing.joined(separator: ", ")), so the Hub model tree does not link it to its parents",
                     "Regenerate the card with `distillery card`.")
            }
        }
        if let ggufLicense = c.evidence?.ggufLicense, let own, let entry = c.kb.license(ggufLicense), entry.id != own.id {
            warn("gguf-license", "\(c.evidence?.ggufFile ?? "GGUF") says general.license '\(ggufLicense)' but the manifest says '\(c.manifest.license)'",
                 "Re-export the GGUF with general.license = \(own.spdx ?? own.id).")
        }
        return out
    }
}
