import ArgumentParser
import Foundation
import Provenance

struct ManifestAddParent: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add-parent", abstract: "Record a base model, teacher or dataset the artefact was made from.")

    @Argument(help: "Folder holding manifest.json.") var dir: String
    @Option(help: "Parent id: Hub id (org/name) or a local name.") var id: String
    @Option(help: "base (weights inside), teacher (outputs used) or dataset (training data, trace shards).") var role: ParentRole
    @Option(help: "distillation, finetune, quantized, merge, adapter or pruned.") var relation: Relation
    @Option(help: "Parent's license id (default: from the knowledge base when it knows the parent).") var license: String?
    @Option(help: "SHA-256 of the parent's weights or data.") var sha256: String?
    @Option(help: "Revision (git commit) of the parent.") var revision: String?
    @Option(help: "Local folder of the parent, relative to DIR, holding its own manifest.json.") var path: String?
    @OptionGroup var kb: KnowledgeBaseOption

    func run() throws {
        let folder = URL(fileURLWithPath: dir)
        var manifest = try Manifest.load(from: folder)
        // Read the license off the knowledge base rather than leave it blank (LICENSES.md §5.1).
        let inferred = license ?? (try? kb.load())?.model(id)?.license
        try manifest.addParent(Parent(id: id, role: role, relation: relation, license: inferred, revision: revision, sha256: sha256, path: path))
        try manifest.write(to: folder)
        print("added \(role.rawValue) \(id) (\(relation.rawValue), license \(inferred ?? "not recorded"))")
    }
}
