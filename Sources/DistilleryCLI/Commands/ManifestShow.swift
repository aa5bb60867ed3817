import ArgumentParser
import Foundation
import Provenance

struct ManifestShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a manifest.")

    @Argument(help: "Folder holding manifest.json.") var dir: String
    @Flag(help: "Print the JSON as stored.") var json = false
    @OptionGroup var kb: KnowledgeBaseOption

    func run() throws {
        let manifest = try Manifest.load(from: URL(fileURLWithPath: dir))
        if json {
            print(String(decoding: manifest.encoded(), as: UTF8.self))
        } else {
            print(manifest.summary(knowledgeBase: try? kb.load()), terminator: "")
        }
    }
}
