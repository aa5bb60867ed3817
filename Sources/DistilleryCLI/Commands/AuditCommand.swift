import ArgumentParser
import Foundation
import Provenance

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check artefacts against the licenses of their whole lineage; exit 1 on any failing finding."
    )

    enum Format: String, ExpressibleByArgument { case text, json, sarif }

    @Argument(help: "Model or trace folders, .gguf files or manifest.json files.") var paths: [String]
    @Option(name: .customLong("intended-use"), help: "commercial, research or internal (overrides the manifests' intended_use).")
    var intendedUse: Declarations.IntendedUse?
    @Option(help: "text, json or sarif.") var format: Format = .text
    @OptionGroup var kb: KnowledgeBaseOption

    func run() throws {
        let report = Auditor(knowledgeBase: try kb.load()).audit(paths: paths.map { URL(fileURLWithPath: $0) }, intendedUse: intendedUse)
        switch format {
        case .text: print(report.text(), terminator: "")
        case .json: print(report.json())
        case .sarif: print(report.sarif())
        }
        if report.verdict == .fail { throw ExitCode(1) }
    }
}
