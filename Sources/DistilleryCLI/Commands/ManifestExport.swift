import ArgumentParser
import Foundation
import Provenance

struct ManifestExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export the manifest and its resolved lineage as a CycloneDX 1.6 ML-BOM.")

    enum Format: String, ExpressibleByArgument { case cyclonedx }

    @Argument(help: "Folder holding manifest.json.") var dir: String
    @Option(help: "cyclonedx") var format: Format = .cyclonedx
    @Option(name: .shortAndLong, help: "Write here instead of standard output.") var output: String?
    @OptionGroup var kb: KnowledgeBaseOption

    func run() throws {
        let data = try CycloneDXExport.bom(for: URL(fileURLWithPath: dir), knowledgeBase: try kb.load())
        if let output {
            try data.write(to: URL(fileURLWithPath: output), options: .atomic)
            print("wrote \(output)")
        } else {
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
