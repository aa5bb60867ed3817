import ArgumentParser
import ModelLoading

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenise text with a model's tokenizer (special tokens parsed, BOS as the model says).")

    @OptionGroup var options: ModelOptions

    @Option(help: "The text to tokenise.")
    var text: String

    @Flag(help: "Print {\"ids\": [...]} instead of one id and piece per line.")
    var json = false

    func run() throws {
        let model = try options.load()
        let ids = model.encode(text)
        if json {
            try printJSON(["ids": ids])
        } else {
            for id in ids { print(id, String(reflecting: model.tokenizer.decode([id]))) }
        }
    }
}
