import ArgumentParser
import Foundation
import Provenance

struct ManifestDeclare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "declare",
        abstract: "Record what only the publisher knows (distribution, intended use, user counts, teacher terms…).",
        discussion: "Keys: \(Declarations.knownKeys.joined(separator: ", "))."
    )

    @Argument(help: "Folder holding manifest.json.") var dir: String
    @Argument(help: "KEY=VALUE pairs.") var assignments: [String]

    func run() throws {
        let folder = URL(fileURLWithPath: dir)
        var manifest = try Manifest.load(from: folder)
        for assignment in assignments { try manifest.declare(assignment: assignment) }
        try manifest.write(to: folder)
        print("declared \(assignments.joined(separator: " "))")
    }
}
