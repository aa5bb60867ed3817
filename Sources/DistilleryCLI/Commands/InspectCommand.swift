import ArgumentParser
import ModelLoading

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a model's architecture, parameter count, tensor types, context length, license and chat template.")

    @OptionGroup var options: ModelOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let summary = try ModelSummary(of: options.load())
        if json {
            try printJSON(summary)
        } else {
            print(summary.text)
        }
    }
}
