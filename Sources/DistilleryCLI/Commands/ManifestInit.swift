import ArgumentParser
import Foundation
import Provenance

struct ManifestInit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create manifest.json in DIR (created if missing) and record the files' SHA-256.")

    @Argument(help: "Model or trace folder.") var dir: String
    @Option(help: "Model name as published (license naming rules read it).") var name: String
    @Option(help: "License id: SPDX, Hub or knowledge-base id (e.g. apache-2.0, llama3.1, qwen-research).") var license: String
    @Option(help: "Hub repository id, org/name.") var id: String?
    @Option(help: "Version of the artefact.") var version: String?
    @Option(help: "model, traces or dataset.") var kind: ArtefactKind = .model
    @Flag(help: "Replace an existing manifest.json.") var force = false
    @OptionGroup var kb: KnowledgeBaseOption

    func run() throws {
        let folder = URL(fileURLWithPath: dir)
        // Like `git init`: a manifest can be started before the model files arrive.
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("cannot create \(dir): \(error.localizedDescription)")
        }
        if !force, FileManager.default.fileExists(atPath: folder.appendingPathComponent(Manifest.fileName).path) {
            throw ValidationError("\(dir)/manifest.json exists; use `manifest add-parent`/`declare` to extend it, or --force to replace it.")
        }
        if (try? kb.load())?.license(license) == nil {
            FileHandle.standardError.write(Data("warning: license '\(license)' is not in the knowledge base; the audit will report it as unknown.\n".utf8))
        }
        var manifest = Manifest(name: name, license: license, id: id, version: version, kind: kind, created: Manifest.timestamp())
        try manifest.recordFiles(in: folder)
        try manifest.write(to: folder)
        print("wrote \(dir)/manifest.json (\(manifest.files.count) files hashed)")
    }
}

extension ArtefactKind: ExpressibleByArgument {}
extension ParentRole: ExpressibleByArgument {}
extension Relation: ExpressibleByArgument {}
extension Declarations.IntendedUse: ExpressibleByArgument {}
