import ArgumentParser
import Evaluation
import Foundation
import ModelLoading
import Quantization

struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Write a model as a GGUF file of one type or one of llama.cpp's K mixes.",
        discussion: "Norms and other 1-D tensors stay F32; the output head gets Q6_K (Q8_0 where its rows are not 256-blocks); Q4_K_M and Q5_K_M choose per tensor as llama.cpp does (see docs/quantize.md).")

    @Argument(help: "A .gguf file, a Hugging Face folder (llama, mistral, qwen2), or a cached model name (e.g. smollm2-135m-instruct).")
    var model: String

    @Option(help: "The file type: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q4_K_M or Q5_K_M.")
    var type: String

    @Option(help: "The .gguf file to write (written whole or not at all).")
    var out: String

    @Option(help: "A trace folder to calibrate on: the model runs over it and each column's rounding error is weighed by its mean squared activation (llama.cpp's imatrix).")
    var calibrate: String?

    @Option(help: "Tokens of the calibration traces to run.")
    var calibrationTokens = 16384

    @Option(help: "A trace folder to measure the result on against the source (perplexity, KL, top-1 agreement; as `distillery eval`).")
    var eval: String?

    @Option(help: "Traces of --eval to score.")
    var evalSequences = 64

    @Option(help: "Threads for calibration and evaluation (default: all cores).")
    var threads: Int?

    @Flag(help: "Print the summary as one line of JSON (with an \"eval\" object when --eval is given).")
    var json = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if calibrationTokens < 1 { throw ValidationError("--calibration-tokens must be at least 1") }
        if evalSequences < 1 { throw ValidationError("--eval-sequences must be at least 1") }
    }

    func run() throws {
        let threads = threads ?? LoadedModel.defaultThreadCount
        let calibration = try calibrate.map { traces in
            let start = Date()
            let source = try LoadedModel.load(model, threads: threads)
            let importance = try ActivationStatistics.collect(model: source, traces: URL(fileURLWithPath: traces),
                                                              maxTokens: calibrationTokens)
            printError(String(format: "calibrated on %@: %d weights in %.1f s", traces, importance.count, Date().timeIntervalSince(start)))
            return Calibration(importance: importance, dataset: URL(fileURLWithPath: traces).lastPathComponent, tokens: calibrationTokens)
        }
        let summary = try Quantizer.quantize(model: model, type: type, output: URL(fileURLWithPath: out), calibration: calibration)
        for warning in summary.warnings { printError("warning: " + warning) }
        for note in summary.notes { printError("note: " + note) }
        let report = try eval.map { traces in
            let quantised = try LoadedModel.load(out, threads: threads)
            let source = try LoadedModel.load(model, threads: threads)
            return try QualityEvaluation.compare(model: quantised, reference: source, traces: URL(fileURLWithPath: traces),
                                                 limits: EvaluationLimits(maxSequences: evalSequences))
        }
        if json {
            try printJSON(QuantizeReport(summary: summary, eval: report))
            return
        }
        let types = summary.tensorTypes.keys.sorted().map { "\($0) \(summary.tensorTypes[$0] ?? 0)" }.joined(separator: ", ")
        print("wrote \(summary.output): \(summary.type), \(summary.bytes) bytes, tensors \(types)")
        printError(String(format: "quantized in %.1f s; source sha256 %@", summary.seconds, summary.sourceSHA256))
        if let report { print("\n" + EvalCommand.table(report)) }
    }
}

/// `quantize --json`: the summary's keys, and `eval` when measured.
struct QuantizeReport: Encodable {
    var summary: QuantizeSummary
    var eval: QualityReport?

    enum CodingKeys: String, CodingKey { case eval }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(eval, forKey: .eval)
    }
}
