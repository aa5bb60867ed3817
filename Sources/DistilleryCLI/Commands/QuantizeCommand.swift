import ArgumentParser
import Foundation
import Quantization

struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Write a model as a GGUF file of one type (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1).",
        discussion: "Norms and other 1-D tensors stay F32; the output head of a Q4/Q5 file gets Q8_0 (see docs/quantize.md).")

    @Argument(help: "A .gguf file, a Hugging Face folder (llama, mistral, qwen2), or a cached model name (e.g. smollm2-135m-instruct).")
    var model: String

    @Option(help: "The file type: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0 or Q5_1.")
    var type: String

    @Option(help: "The .gguf file to write (written whole or not at all).")
    var out: String

    @Flag(help: "Print the summary as one line of JSON.")
    var json = false

    func run() throws {
        let summary = try Quantizer.quantize(model: model, type: type, output: URL(fileURLWithPath: out))
        for warning in summary.warnings { printError("warning: " + warning) }
        if json {
            try printJSON(summary)
        } else {
            let types = summary.tensorTypes.keys.sorted().map { "\($0) \(summary.tensorTypes[$0] ?? 0)" }.joined(separator: ", ")
            print("wrote \(summary.output): \(summary.type), \(summary.bytes) bytes, tensors \(types)")
            printError(String(format: "quantized in %.1f s; source sha256 %@", summary.seconds, summary.sourceSHA256))
        }
    }
}
