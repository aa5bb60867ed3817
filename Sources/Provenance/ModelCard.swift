import Foundation

/// README.md for the Hugging Face Hub: YAML front matter the Hub model tree reads (license,
/// base_model, base_model_relation, datasets) and a body with the lineage, training data,
/// quantisation and the attributions the ancestors' licenses require.
public enum ModelCard {
    /// Renders the card for the artefact at `path` (a folder with manifest.json).
    public static func render(for path: URL, knowledgeBase: LicenseKnowledgeBase) throws(ProvenanceError) -> String {
        let manifest = try Manifest.load(from: path)
        let graph = LineageGraph(paths: [path], knowledgeBase: knowledgeBase)
        guard let root = graph.roots.first else { return "" }
        let context = AuditContext(graph: graph, root: root, subject: path.path, kb: knowledgeBase, intendedUse: nil)
        return frontMatter(manifest, knowledgeBase) + body(manifest, context)
    }

    /// Writes README.md beside the manifest (temporary file, then rename).
    @discardableResult
    public static func write(for folder: URL, knowledgeBase: LicenseKnowledgeBase) throws(ProvenanceError) -> URL {
        let text = try render(for: folder, knowledgeBase: knowledgeBase)
        let url = folder.appendingPathComponent("README.md")
        try Manifest.atomicWrite(Data(text.utf8), to: url)
        return url
    }

    /// The Hub knows `adapter`, `merge`, `quantized`, `finetune` only (hub-docs, LICENSES.md §1):
    /// a distilled or pruned student is shown as a finetune and the card body names the teacher.
    static func hubRelation(_ bases: [Parent]) -> String? {
        guard let first = bases.first else { return nil }
        if bases.count > 1 || first.relation == .merge { return "merge" }
        switch first.relation {
        case .quantized: return "quantized"
        case .adapter: return "adapter"
        default: return "finetune"
        }
    }

    static func frontMatter(_ m: Manifest, _ kb: LicenseKnowledgeBase) -> String {
        var y = "---\n"
        if let entry = kb.license(m.license) {
            y += "license: \(entry.hubLicense)\n"
            if entry.hubLicense == "other" {
                y += "license_name: \(entry.hubLicenseName ?? entry.id)\n"
                y += "license_link: \(yamlString(entry.link))\n"
            }
        } else {
            y += "license: other\nlicense_name: \(yamlString(m.license))\n"
        }
        let bases = m.parents.filter { $0.role == .base }
        let hubBases = bases.map(\.id).filter { $0.contains("/") }
        if !hubBases.isEmpty {
            y += "base_model:\n" + hubBases.map { "- \(yamlString($0))\n" }.joined()
            if let relation = hubRelation(bases) { y += "base_model_relation: \(relation)\n" }
        }
        let datasets = m.parents.filter { $0.role == .dataset }.map(\.id).filter { $0.contains("/") }
        if !datasets.isEmpty { y += "datasets:\n" + datasets.map { "- \(yamlString($0))\n" }.joined() }
        var tags = ["distillery"]
        if m.parents.contains(where: { $0.role == .teacher || $0.relation == .distillation }) { tags.append("distillation") }
        if m.quantization != nil || m.files.contains(where: { $0.path.hasSuffix(".gguf") }) { tags.append("gguf") }
        if bases.count > 1 { tags.append("merge") }
        y += "tags:\n" + tags.map { "- \($0)\n" }.joined()
        y += "pipeline_tag: text-generation\n---\n\n"
        return y
    }

    static func body(_ m: Manifest, _ c: AuditContext) -> String {
        var s = "# \(m.name)\n\n"
        if let entry = c.ownLicense { s += "License: [\(entry.name)](\(entry.link)).\n\n" }
        s += "## Lineage\n\n```\n\(m.name)\n" + tree(c.graph, from: c.root) + "```\n\n"
        let teachers = m.parents.filter { $0.role == .teacher }
        let data = m.parents.filter { $0.role == .dataset }
        if !teachers.isEmpty || !data.isEmpty {
            s += "## Training data\n\n"
            for p in teachers { s += "- Outputs of teacher `\(p.id)`\(p.license.map { " (\($0))" } ?? "") by \(p.relation.rawValue).\n" }
            for p in data { s += "- Dataset `\(p.id)`\(p.license.map { " (\($0))" } ?? "")\(p.revision.map { ", revision \($0)" } ?? "").\n" }
            s += "\n"
        }
        if let t = m.training {
            s += "## Training\n\nMethod: \(t.method).\n\n"
            if !t.settings.isEmpty || !t.figures.isEmpty {
                s += "| setting | value |\n|---|---|\n"
                for (k, v) in t.settings.sorted(by: { $0.key < $1.key }) { s += "| \(k) | \(v) |\n" }
                for (k, v) in t.figures.sorted(by: { $0.key < $1.key }) { s += "| \(k) | \(v) |\n" }
                s += "\n"
            }
        }
        if let q = m.quantization {
            s += "## Quantization\n\n| type | bits per weight | calibration data | tool |\n|---|---|---|---|\n"
            s += "| \(q.type) | \(q.bitsPerWeight.map { String($0) } ?? "") | \(q.calibrationData ?? "") | \(q.tool ?? "") |\n\n"
        }
        s += attributions(m, c)
        return s
    }

    static func tree(_ g: LineageGraph, from root: Int) -> String {
        var out = ""
        var seen: Set<Int> = [root]
        // Depth-limited: the card is for people, and a 10,000-deep chain must not exhaust the stack.
        func walk(_ n: Int, _ indent: String, _ depth: Int) {
            let edges = g.nodes[n].edges
            if depth == 12, !edges.isEmpty { out += indent + "└─ …\n"; return }
            for (k, (p, record)) in edges.enumerated() {
                let last = k == edges.count - 1
                let license = g.nodes[p].manifest.license.isEmpty ? "license unknown" : g.nodes[p].manifest.license
                out += indent + (last ? "└─ " : "├─ ") + "\(g.nodes[p].displayID) [\(record.role.rawValue), \(record.relation.rawValue), \(license)]"
                guard seen.insert(p).inserted else { out += " (see above)\n"; continue }
                out += "\n"
                walk(p, indent + (last ? "   " : "│  "), depth + 1)
            }
        }
        walk(root, "", 0)
        return out
    }

    /// The statements the ancestors' licenses ask a distributed derivative to make.
    static func attributions(_ m: Manifest, _ c: AuditContext) -> String {
        var lines: [String] = []
        for i in c.inherited {
            let cite = "(\(i.citation), via \(i.ancestor))"
            switch i.clause.kind {
            case .attributionDisplay: if let t = i.clause.text { lines.append("\(t). \(cite)") }
            case .noticeLine: if let t = i.clause.text { lines.append("\(t) \(cite)") }
            case .shipLicenseCopy:
                // State the terms; claim the copy ships only when the folder holds it.
                let shipped = c.evidence?.shippedLicenses.contains(i.license.id) == true
                lines.append("Subject to the [\(i.license.name)](\(i.license.link))" + (shipped ? ", a copy of which accompanies this model. " : "; a copy must accompany every distributed copy. ") + cite)
            case .changeNotice: lines.append("The weights of \(i.ancestor) were modified to make this model. \(cite)")
            case .referenceAUP: lines.append("Use is subject to the \(i.license.name) Acceptable Use Policy. \(cite)")
            case .passUseRestrictions: lines.append("Use of this model is subject to the use restrictions of the [\(i.license.name)](\(i.license.link)), which apply to anyone who receives it. \(cite)")
            case .attributeSource: lines.append("Trained on [\(i.ancestor)](https://huggingface.co/datasets/\(i.ancestor)), licensed under the [\(i.license.name)](\(i.license.link)). \(cite)")
            case .fieldOfUse: lines.append("Restricted to \(i.clause.text ?? "restricted") use by the \(i.license.name). \(cite)")
            default: continue
            }
        }
        guard !lines.isEmpty else { return "" }
        return "## License and attributions\n\n" + lines.map { "- \($0)\n" }.joined() + "\n"
    }

    static func yamlString(_ s: String) -> String {
        let plain = s.allSatisfy { $0.isLetter || $0.isNumber || "-_./:".contains($0) } && !s.isEmpty
        return plain ? s : "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
