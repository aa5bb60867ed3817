import ArgumentParser
import Evaluation
import Foundation
import ModelLoading

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Compare a model with a reference on the completions of teacher traces: perplexity, KL divergence, top-1 agreement.",
        discussion: "The figures of llama.cpp's perplexity --kl-divergence, over the assistant tokens of each chat-templated trace (prompt tokens are context only). See docs/eval.md.")

    @OptionGroup var options: ModelOptions

    @Option(help: "The reference model (the original, e.g. F32 or the teacher) with the same tokenizer.")
    var reference: String

    @Option(help: "A trace dataset folder (from distillery generate).")
    var traces: String

    @Option(help: "Evaluate at most this many traces.")
    var maxSequences: Int?

    @Option(help: "Cut each trace to its first N tokens (prompt included).")
    var maxTokensPerSequence: Int?

    @Option(help: "Write the token ids and completion masks as JSONL (for scripts/bench/eval_peer.py).")
    var dumpTokens: String?

    @Flag(help: "Print the report as one line of JSON.")
    var json = false

    func run() throws {
        let model = try options.load()
        let referenceModel = try LoadedModel.load(reference, threads: options.threads ?? LoadedModel.defaultThreadCount)
        let limits = EvaluationLimits(maxSequences: maxSequences, maxTokensPerSequence: maxTokensPerSequence)
        let sequences = try QualityEvaluation.sequences(model: model, reference: referenceModel,
                                                        traces: URL(fileURLWithPath: traces), limits: limits)
        if let dumpTokens { try TokenDump.write(sequences, to: URL(fileURLWithPath: dumpTokens)) }
        let report = try QualityEvaluation.compare(model: model, reference: referenceModel, sequences: sequences,
                                                   chunkSize: limits.chunkSize)
        if json {
            try printJSON(report)
        } else {
            print(Self.table(report))
        }
    }

    static func table(_ r: QualityReport) -> String {
        let modelFile = URL(fileURLWithPath: r.model.path).lastPathComponent
        let width = max(14, modelFile.count + 2)
        func row(_ label: String, _ a: String, _ b: String) -> String {
            label.padding(toLength: 18, withPad: " ", startingAt: 0) + a.padding(toLength: width, withPad: " ", startingAt: 0) + b
        }
        func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        let kl = r.klDivergence
        return [
            row("", "model", "reference"),
            row("file", modelFile, URL(fileURLWithPath: r.reference.path).lastPathComponent),
            row("size", mib(r.model.fileBytes), mib(r.reference.fileBytes)),
            row("bits per weight", String(format: "%.3f", r.model.bitsPerWeight), String(format: "%.3f", r.reference.bitsPerWeight)),
            row("perplexity", String(format: "%.4f", r.model.perplexity), String(format: "%.4f", r.reference.perplexity)),
            "",
            "PPL(model)/PPL(reference)  \(String(format: "%.5f", r.perplexityRatio))",
            "KL(reference ‖ model)      mean \(String(format: "%.6f", kl.mean)), median \(String(format: "%.6f", kl.median)), "
                + "99% \(String(format: "%.6f", kl.p99)), max \(String(format: "%.6f", kl.max)) nats/token",
            "top-1 agreement            \(String(format: "%.3f", r.top1Agreement * 100)) %",
            "scored                     \(r.tokens) completion tokens of \(r.sequences) traces in \(String(format: "%.1f", r.seconds)) s",
        ].joined(separator: "\n")
    }
}
