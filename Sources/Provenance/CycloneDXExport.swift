import Crypto
import Foundation

/// A CycloneDX 1.6 ML-BOM of an artefact and its resolved lineage: components of type
/// `machine-learning-model` and `data`, the parents in `pedigree.ancestors` and `dependencies`,
/// the files as hashed sub-components, and Distillery's roles/relations as properties
/// (CycloneDX has no teacher or distillation field; LICENSES.md §4).
public enum CycloneDXExport {
    public static func bom(for path: URL, knowledgeBase: LicenseKnowledgeBase) throws(ProvenanceError) -> Data {
        let manifest = try Manifest.load(from: path)
        let graph = LineageGraph(paths: [path], knowledgeBase: knowledgeBase)
        guard let root = graph.roots.first else { return Data() }
        func ref(_ n: Int) -> String { n == root ? "root" : graph.nodes[n].displayID }
        func component(_ n: Int, withRef: Bool) -> [String: Any] {
            let node = graph.nodes[n]
            var c: [String: Any] = ["type": node.manifest.kind == .dataset || node.manifest.kind == .traces ? "data" : "machine-learning-model",
                                    "name": node.displayID]
            if withRef { c["bom-ref"] = ref(n) }
            if let v = node.manifest.version { c["version"] = v }
            if let entry = knowledgeBase.license(node.manifest.license) {
                // SPDX ids go in `id`; everything else (LicenseRef, Llama, Gemma…) by name and URL.
                let isSPDX = entry.spdx.map { !$0.hasPrefix("LicenseRef-") } ?? false
                c["licenses"] = [["license": isSPDX ? ["id": entry.spdx ?? entry.id] : ["name": entry.name, "url": entry.link]]]
            } else if !node.manifest.license.isEmpty {
                c["licenses"] = [["license": ["name": node.manifest.license]]]
            }
            return c
        }
        var rootComponent = component(root, withRef: true)
        rootComponent["components"] = manifest.files.map { f -> [String: Any] in
            ["type": "file", "name": f.path, "hashes": [["alg": "SHA-256", "content": f.sha256]]]
        }
        rootComponent["pedigree"] = ["ancestors": graph.nodes[root].edges.map { component($0.parent, withRef: false) }]
        let datasets = graph.nodes[root].edges.filter { $0.record.role == .dataset }.map { ["ref": ref($0.parent)] }
        var parameters: [String: Any] = [:]
        if !datasets.isEmpty { parameters["datasets"] = datasets }
        if let method = manifest.training?.method { parameters["approach"] = ["type": method == "sft" ? "supervised" : method] }
        if !parameters.isEmpty { rootComponent["modelCard"] = ["modelParameters": parameters] }
        rootComponent["properties"] = graph.nodes[root].edges.flatMap { e -> [[String: String]] in
            [["name": "distillery:parent:\(e.record.id):role", "value": e.record.role.rawValue],
             ["name": "distillery:parent:\(e.record.id):relation", "value": e.record.relation.rawValue]]
        }
        let others = graph.nodes.indices.filter { $0 != root }
        var bom: [String: Any] = [
            "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "serialNumber": serialNumber(for: manifest),
            "metadata": ["tools": ["components": [["type": "application", "name": "distillery", "version": Manifest.toolVersion]]],
                         "component": rootComponent] as [String: Any],
            "components": others.map { component($0, withRef: true) },
            "dependencies": graph.nodes.indices.map { n in ["ref": ref(n), "dependsOn": graph.nodes[n].edges.map { ref($0.parent) }] },
        ]
        if let created = manifest.created, var metadata = bom["metadata"] as? [String: Any] {
            metadata["timestamp"] = created
            bom["metadata"] = metadata
        }
        do {
            return try JSONSerialization.data(withJSONObject: bom, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw .writeFailed(path: path.path, reason: "CycloneDX encoding: \(error)")
        }
    }

    /// Same manifest, same serial number: a UUID built from the manifest's SHA-256.
    static func serialNumber(for manifest: Manifest) -> String {
        var b = Array(SHA256.hash(data: ManifestSigning.canonicalData(manifest))).prefix(16).map { $0 }
        b[6] = (b[6] & 0x0F) | 0x50  // version 5 (name-based, SHA)
        b[8] = (b[8] & 0x3F) | 0x80  // RFC 4122 variant
        let hex = b.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return "urn:uuid:" + parts.joined(separator: "-")
    }
}
