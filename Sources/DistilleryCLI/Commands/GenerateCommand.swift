import ArgumentParser
import Foundation
import ModelLoading
import Provenance
import Teachers
import Tokenizers

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Ask a teacher to answer a prompt file and write its traces into MDS shards; rerun to resume.",
        discussion: """
        The teacher is a local model (a .gguf file, a Hugging Face folder or a cached name), run with \
        continuous batching, or an OpenAI-compatible endpoint (http(s)://HOST/v1 with --teacher-model). \
        Prompts are JSONL ({"messages": [...]} or {"prompt": "..."}, optional "id" and "answer") or plain \
        text, one prompt per line.
        """)

    @Option(help: "A local model, or an OpenAI-compatible base URL (http(s)://HOST/v1).")
    var teacher: String

    @Option(help: "The prompt file (.jsonl, or plain text with one prompt per line).")
    var prompts: String

    @Option(help: "The dataset folder to write (or to resume).")
    var out: String

    @Option(help: "Traces per prompt.")
    var samplesPerPrompt = 1

    @Option(help: "Stop each completion after this many tokens.")
    var maxTokens = 1024

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0.6

    @Option(help: "Top-p (nucleus) cut-off (1 = off).")
    var topP: Float = 0.95

    @Option(help: "Run seed: each trace's seed is derived from it and the trace id.")
    var seed: UInt64 = 0

    @Option(name: .customLong("logprobs"), help: "Keep the top K alternatives of every generated token (0 = none; endpoints allow up to 20).")
    var topLogprobs = 0

    @Option(help: "Check answers against the prompts' reference \"answer\": numeric, exact or boxed.")
    var verify: String?

    @Option(help: "all, or correct: sample again until the answer verifies (rejection sampling).")
    var keep = "all"

    @Option(help: "Attempts per sample with --keep correct.")
    var maxAttempts = 4

    @Option(help: "What to do with a prompt line that is not valid: skip (and report) or fail.")
    var onBadLine = "fail"

    @Option(help: "Raw bytes per shard, e.g. 64mb (the MDS default), 512kb.")
    var shardSize = "64mb"

    @Option(help: "zstd level of the shards, 1…22; 0 writes them uncompressed.")
    var zstdLevel = 3

    @Option(help: "Local teacher: sequences generated at once (KV cache slots).")
    var batch = 8

    @Option(help: "Local teacher: engine threads (default: all cores).")
    var threads: Int?

    @Option(help: "Local teacher: use this chat template instead of the model's: \(ChatTemplate.names.joined(separator: ", ")).")
    var chatTemplate: String?

    @OptionGroup(title: "Endpoint teacher") var endpoint: HTTPTeacherOptions

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    func run() throws {
        guard let policy = BadLinePolicy(rawValue: onBadLine) else {
            throw ValidationError("--on-bad-line must be skip or fail")
        }
        guard keep == "all" || keep == "correct" else { throw ValidationError("--keep must be all or correct") }
        guard (0...22).contains(zstdLevel) else { throw ValidationError("--zstd-level must be 0…22") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        let file = try PromptFile(contentsOf: URL(fileURLWithPath: prompts), onBadLine: policy)
        for skipped in file.skipped { printError("skipped \(skipped)") }

        var settings = GenerateSettings()
        settings.samplesPerPrompt = samplesPerPrompt
        settings.maxTokens = maxTokens
        settings.temperature = temperature
        settings.topP = topP
        settings.seed = seed
        settings.topLogprobs = topLogprobs
        settings.verify = verify
        settings.keepOnlyCorrect = keep == "correct"
        settings.maxAttempts = maxAttempts
        settings.shardSizeLimit = try ByteSize.parse(shardSize, option: "--shard-size")
        settings.compressionLevel = zstdLevel == 0 ? nil : zstdLevel

        let chosenTeacher = try makeTeacher(prompts: file.prompts)
        let run = try GenerateRun(prompts: file.prompts, teacher: chosenTeacher, settings: settings,
                                  output: URL(fileURLWithPath: out))
        let display = ProgressLine()
        let summary: GenerateSummary
        do {
            summary = try run.run { display.show($0) }
        } catch {
            display.finish()
            reportEndpoint(chosenTeacher)
            throw error
        }
        display.finish()
        report(summary)
        reportEndpoint(chosenTeacher)
        if json { try printJSON(summary) }
    }

    private func makeTeacher(prompts: [PromptRecord]) throws -> Teacher {
        if teacher.hasPrefix("http://") || teacher.hasPrefix("https://") {
            return HTTPTeacher(configuration: try endpoint.configuration(baseURL: teacher))
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        let model = try LoadedModel.load(teacher, threads: threads ?? LoadedModel.defaultThreadCount)
        var identity = TeacherIdentity(model: model.location.url.deletingPathExtension().lastPathComponent)
        if case .gguf(let url) = model.location { identity.sha256 = try FileDigest.sha256(of: url).hex }
        return try LocalTeacher.sized(model: model, template: try model.chatTemplate(override: chatTemplate),
                                      identity: identity, slots: batch, prompts: prompts, maxTokens: maxTokens)
    }

    /// Requests, retries and tokens of an endpoint teacher, with the cost when priced.
    private func reportEndpoint(_ teacher: Teacher) {
        guard let http = teacher as? HTTPTeacher else { return }
        for line in http.summary.lines(pricing: http.configuration.pricing) { printError(line) }
    }

    private func report(_ summary: GenerateSummary) {
        if summary.tracesFoundDone > 0 { printError("resumed: \(summary.tracesFoundDone) traces were already done") }
        var line = "wrote \(summary.tracesWritten) traces of \(summary.prompts) prompts to \(out) in \(String(format: "%.1f", summary.seconds)) s"
        line += String(format: " (%d completion tokens, %.1f tok/s)", summary.completionTokens, summary.completionTokensPerSecond)
        printError(line)
        if summary.verifiedCorrect + summary.verifiedIncorrect > 0 {
            printError("verified: \(summary.verifiedCorrect) correct, \(summary.verifiedIncorrect) incorrect; \(summary.samplesWithoutCorrectAnswer) samples without a correct answer")
        }
        if summary.duplicateSamples > 0 { printError("\(summary.duplicateSamples) samples repeat an earlier prompt and were asked once") }
        if !summary.failures.isEmpty {
            printError("\(summary.failures.count) samples failed (rerun the same command to try them again):")
            for failure in summary.failures.prefix(20) { printError("  \(failure)") }
            if summary.failures.count > 20 { printError("  … and \(summary.failures.count - 20) more (see --json)") }
        }
    }
}
