import ArgumentParser
import Foundation
import Serving

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model over an OpenAI-compatible API: /v1/chat/completions and /v1/models.",
        discussion: "Prints 'listening on http://HOST:PORT' to stderr once requests are answered. See docs/serve.md.")

    @OptionGroup var options: ModelOptions

    @Option(help: "Address to listen on. The API has no authentication: keep loopback unless the network is trusted.")
    var host = "127.0.0.1"

    @Option(help: "TCP port; 0 picks a free one (read it from the 'listening on' line).")
    var port = 8080

    @Option(help: "Requests decoded together in one batch; more wait their turn.")
    var slots = 8

    @Option(help: "Tokens per request, prompt and completion together (KV cache per slot).")
    var context = 2048

    @Option(help: "The model id that /v1/models lists (default: the MODEL argument).")
    var modelName: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0…65535") }
        guard slots >= 1 else { throw ValidationError("--slots must be at least 1") }
        guard context >= 2 else { throw ValidationError("--context must be at least 2") }
    }

    func run() throws {
        let model = try options.load()
        var serverOptions = ModelServer.Options(modelName: modelName ?? options.model)
        serverOptions.host = host
        serverOptions.port = port
        serverOptions.slots = slots
        serverOptions.context = context
        let server = try ModelServer(model: model, options: serverOptions)
        printError("listening on \(server.baseURL)")
        // Serve until killed: SIGINT and SIGTERM end the process, which is all a stop needs.
        dispatchMain()
    }
}
