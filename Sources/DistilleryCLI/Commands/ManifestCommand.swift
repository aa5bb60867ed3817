import ArgumentParser
import Foundation
import Provenance

struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Record and check a model's or trace folder's manifest.json: license, lineage, files, declarations.",
        subcommands: [ManifestInit.self, ManifestAddParent.self, ManifestShow.self, ManifestDeclare.self, ManifestHash.self,
                      ManifestExport.self, ManifestKeygen.self, ManifestSign.self, ManifestVerify.self]
    )
}

/// `--kb DIR`, shared by every command that reads the knowledge base.
struct KnowledgeBaseOption: ParsableArguments {
    @Option(name: .customLong("kb"), help: "Knowledge base folder (default: $DISTILLERY_KB, else the bundled manifests/).")
    var directory: String?

    func load() throws -> LicenseKnowledgeBase { try LicenseKnowledgeBase.locate(explicit: directory) }
}
