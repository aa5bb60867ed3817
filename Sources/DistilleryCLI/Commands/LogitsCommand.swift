import ArgumentParser
import ModelLoading

struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logits",
        abstract: "Run text through a model and print the highest next-token logits at the last position.")

    @OptionGroup var options: ModelOptions

    @Option(help: "The text to run.")
    var text: String

    @Option(help: "How many of the highest logits to print.")
    var top = 10

    @Flag(help: "Print {\"ids\": [...], \"top\": [[id, logit], ...]}.")
    var json = false

    struct Output: Encodable {
        var ids: [Int32]
        var top: [[Double]]
    }

    func run() throws {
        guard top > 0 else { throw ValidationError("--top must be at least 1") }
        let model = try options.load()
        let ids = model.encode(text)
        guard !ids.isEmpty else { throw ValidationError("the text tokenises to nothing; give some text") }
        let logits = try model.decoder.lastLogits(of: ids)
        let best = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }.prefix(top)
        if json {
            try printJSON(Output(ids: ids, top: best.map { [Double($0), Double(logits[$0])] }))
        } else {
            for id in best {
                print(id, String(reflecting: model.tokenizer.decode([Int32(id)])), logits[id])
            }
        }
    }
}
