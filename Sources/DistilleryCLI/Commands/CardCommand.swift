import ArgumentParser
import Foundation
import Provenance

struct CardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Write README.md with Hugging Face front matter, the lineage tree, training data, quantisation and required attributions."
    )

    @Argument(help: "Folder holding manifest.json.") var path: String
    @Flag(help: "Print the card instead of writing README.md.") var stdout = false
    @OptionGroup var kb: KnowledgeBaseOption

    func run() throws {
        let folder = URL(fileURLWithPath: path)
        if stdout {
            print(try ModelCard.render(for: folder, knowledgeBase: try kb.load()), terminator: "")
        } else {
            let url = try ModelCard.write(for: folder, knowledgeBase: try kb.load())
            print("wrote \(url.path)")
        }
    }
}
