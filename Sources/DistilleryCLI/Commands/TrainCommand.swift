import ArgumentParser
import Foundation
import ModelLoading
import Training

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a student on teacher traces: SFT on the assistant tokens, plus logit distillation when the traces kept top-k logprobs.",
        discussion: "The student is a pretrained model (--student), a depth-pruned teacher (--teacher with --keep-every or --keep-layers), or a fresh model (--config). --out receives the trained model as a Hugging Face folder, checkpoint-N folders, metrics.jsonl and loss.svg (see docs/train.md).")

    @Option(help: "The trace folder `distillery generate` wrote.")
    var traces: String

    @Option(help: "The folder to write the trained model, checkpoints and metrics into.")
    var out: String

    @Option(help: "A pretrained student: a .gguf file, a Hugging Face folder, or a cached model name.")
    var student: String?

    @Option(help: "The teacher to prune a student from (with --keep-every or --keep-layers), or to take a --config student's tokenizer from.")
    var teacher: String?

    @Option(help: "Keep the teacher's layers 0, K, 2K, …")
    var keepEvery: Int?

    @Option(help: "Keep these teacher layers, comma-separated, e.g. 0,3,6,9.")
    var keepLayers: String?

    @Option(help: "A Hugging Face config.json for a freshly initialised student (its tokenizer comes from --teacher).")
    var config: String?

    @Option(help: "Optimiser steps (default: as many as --epochs takes).")
    var steps: Int?

    @Option(help: "Passes over the training traces, when --steps is not given.")
    var epochs: Double = 1

    @Option(help: "Peak learning rate.")
    var lr: Float = 1e-4

    @Option(help: "Linear warm-up steps (default: 5% of the run).")
    var warmupSteps: Int?

    @Option(help: "AdamW weight decay (not applied to norms and biases).")
    var weightDecay: Float = 0.01

    @Option(help: "Clip the gradient's global norm to this (0: no clipping).")
    var maxGradNorm: Float = 1

    @Option(help: "Tokens per packed sequence; longer traces are cut.")
    var seqLen = 512

    @Option(help: "Tokens per optimiser step; gradients accumulate over micro-batches of --batch-rows sequences.")
    var tokensPerStep = 8192

    @Option(help: "Sequences per forward pass (memory grows with it).")
    var batchRows = 4

    @Option(help: "Logit-distillation weight α: loss = (1 − α)·SFT + α·T²·KD. Needs traces with top-k logprobs and the teacher's tokenizer.")
    var kdWeight: Float = 0

    @Option(help: "Distillation temperature T.")
    var kdTemperature: Float = 1

    @Option(help: "A separate trace folder to evaluate on (default: a held-out share of --traces).")
    var evalTraces: String?

    @Option(help: "Share of --traces held out for evaluation, chosen by trace id.")
    var evalFraction = 0.05

    @Option(help: "Evaluate every N steps (and before and after training; 0: only then).")
    var evalEvery = 0

    @Option(help: "Write a checkpoint every N steps (and at the end; 0: only at the end).")
    var saveEvery = 0

    @Option(help: "Checkpoints to keep.")
    var keepCheckpoints = 2

    @Option(help: "Seed of the data order (and of a fresh student's weights).")
    var seed: UInt64 = 0

    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Continue from the newest checkpoint in --out.")
    var resume = false

    @Flag(help: "Print the summary as one line of JSON.")
    var json = false

    func validate() throws {
        let ways = [student != nil, keepEvery != nil || keepLayers != nil, config != nil].filter { $0 }.count
        guard ways == 1 else {
            throw ValidationError("give exactly one student: --student MODEL, --teacher MODEL with --keep-every K or --keep-layers L, or --config FILE")
        }
        if keepEvery != nil || keepLayers != nil, teacher == nil { throw ValidationError("--keep-every and --keep-layers need --teacher") }
        if config != nil, teacher == nil { throw ValidationError("--config needs --teacher to take the tokenizer from") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard evalFraction > 0, evalFraction < 1 else { throw ValidationError("--eval-fraction must be between 0 and 1") }
    }

    func run() throws {
        var settings = TrainingSettings()
        settings.steps = steps
        settings.epochs = epochs
        settings.learningRate = lr
        settings.warmupSteps = warmupSteps
        settings.weightDecay = weightDecay
        settings.maxGradientNorm = maxGradNorm
        settings.sequenceLength = seqLen
        settings.tokensPerStep = tokensPerStep
        settings.batchRows = batchRows
        settings.kdWeight = kdWeight
        settings.kdTemperature = kdTemperature
        settings.evalEvery = evalEvery
        settings.saveEvery = saveEvery
        settings.keepCheckpoints = keepCheckpoints
        settings.seed = seed
        settings.threads = threads ?? LoadedModel.defaultThreadCount
        try settings.validate()

        let initialStudent = try makeStudent()
        let tokenizerSource = try LoadedModel.load(student ?? teacher ?? "", threads: 1)
        var options = TrainingDataOptions(sequenceLength: seqLen, seed: seed, objective: settings.objective)
        options.heldOut = evalTraces.map { .directory(URL(fileURLWithPath: $0)) } ?? .fraction(evalFraction)
        let data = try TrainingData.load(traces: URL(fileURLWithPath: traces), options: options,
                                         template: try tokenizerSource.chatTemplate(), tokenizer: tokenizerSource.tokenizer)
        let counts = data.trainCounts
        printError("train: \(counts.examples) traces, \(counts.targetTokens) target tokens; held out: \(data.evalCounts.examples) traces"
            + (counts.truncated > 0 ? "; \(counts.truncated) cut to --seq-len \(seqLen)" : ""))
        let trainer = try Trainer(student: initialStudent, data: data, settings: settings,
                                  output: URL(fileURLWithPath: out), resume: resume)
        let line = TrainingProgressLine()
        let summary = try trainer.run { line.show($0) }
        line.finish()
        if json {
            try printJSON(summary)
        } else {
            if let before = summary.before { print(Self.describe("before", before)) }
            print(Self.describe("after", summary.after))
            print(String(format: "%d steps, %d tokens in %.0f s; model, checkpoints, metrics.jsonl and loss.svg in %@",
                         summary.steps, summary.trainedTokens, summary.seconds, summary.output))
        }
    }

    private func makeStudent() throws -> Student {
        if let student { return try Student.pretrained(reference: student) }
        guard let teacher else { throw ValidationError("--teacher is missing") }
        if let config {
            return try Student.fresh(configFile: URL(fileURLWithPath: config), tokenizerFrom: teacher, seed: seed)
        }
        let layers: [Int]
        if let keepLayers {
            let parsed = keepLayers.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--keep-layers takes layer numbers separated by commas, e.g. 0,3,6")
            }
            layers = parsed.compactMap { $0 }
        } else {
            let count = try LoadedModel.load(teacher, threads: 1).config.layerCount
            layers = try Student.everyKthLayer(keepEvery ?? 1, layerCount: count)
        }
        return try Student.pruned(teacher: teacher, keepLayers: layers)
    }

    static func describe(_ label: String, _ f: EvaluationFigures) -> String {
        var text = String(format: "%@: held-out loss %.4f, perplexity %.2f", label, f.loss, f.perplexity)
        if let kl = f.kl { text += String(format: ", KL to teacher %.4f", kl) }
        if let top1 = f.top1Agreement { text += String(format: ", top-1 agreement %.1f%%", top1 * 100) }
        return text + " (\(f.tokens) tokens)"
    }
}

/// Step, loss, learning rate, tokens/s and ETA on a terminal; nothing in a log.
final class TrainingProgressLine {
    private let enabled = isatty(STDERR_FILENO) != 0

    func show(_ p: TrainingProgress) {
        guard enabled else { return }
        let line = String(format: "\rstep %d/%d  loss %.4f  lr %.2e  %.0f tok/s  ETA %@", p.step, p.totalSteps, p.loss,
                          Double(p.learningRate), p.tokensPerSecond, ProgressLine.duration(p.secondsRemaining))
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
