import ArgumentParser
import ModelLoading

/// The model argument and engine settings every model command takes.
struct ModelOptions: ParsableArguments {
    @Argument(help: "A .gguf file, a Hugging Face folder, or a cached model name (e.g. smollm2-135m-instruct).")
    var model: String

    @Option(help: "Threads for the engine (default: all cores).")
    var threads: Int?

    func load() throws -> LoadedModel {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        return try LoadedModel.load(model, threads: threads ?? LoadedModel.defaultThreadCount)
    }
}
