import ArgumentParser
import Foundation
import Pipeline
import Provenance

struct DistillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Run a whole pipeline from one file: generate → train → quantize → manifest, card and audit; rerun to resume.",
        discussion: """
        With no file it runs the built-in default (examples/default.yaml): SmolLM2-135M-Instruct from the model \
        cache teaches a student of every third layer on examples/prompts.jsonl, then Q8_0 and Q4_K_M files are \
        written. A stage whose record matches its inputs and whose outputs are intact is skipped; a killed run \
        continues where it stopped. The audit's verdict sets the exit status (1 on fail). See docs/distill.md.
        """)

    @Argument(help: "The pipeline file (YAML). Default: the built-in pipeline.")
    var pipeline: String?

    @Option(help: "Write into this folder instead of the file's `output`.")
    var out: String?

    @Option(help: "Compute threads instead of the file's `threads` (default: all cores).")
    var threads: Int?

    @Flag(help: "Check the file and show what each stage would do, and the audit of the planned lineage; run nothing.")
    var plan = false

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    @OptionGroup var kb: KnowledgeBaseOption

    func run() throws {
        var spec = try pipeline.map { try PipelineSpec.load(from: URL(fileURLWithPath: $0)) } ?? BuiltInPipeline.load()
        if let out { spec.output = out }
        if let threads {
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
            spec.threads = threads
        }
        let run = PipelineRun(spec: spec, knowledgeBase: try kb.load())
        if plan {
            print(try run.plan().text(), terminator: "")
            return
        }
        let summary = try run.run(events: Self.terminalEvents())
        if json {
            try printJSON(summary)
        } else {
            print("\n" + summary.table(), terminator: "")
        }
        if summary.provenance.verdict == AuditVerdict.fail.rawValue {
            printError("\nthe audit failed; the full report:\n" + summary.provenance.report)
            throw ExitCode(1)
        }
    }

    /// Stage headings and notes on stderr; the progress lines only on a terminal.
    static func terminalEvents() -> PipelineEvents {
        var events = PipelineEvents()
        let generateLine = ProgressLine()
        let trainLine = TrainingProgressLine()
        var current = ""
        events.stageStarted = { name, action in
            if current == "generate" { generateLine.finish() }
            if current == "train" { trainLine.finish() }
            current = name
            printError("▶ \(name): \(action.rawValue)")
        }
        events.note = { printError("  " + $0) }
        events.generate = { generateLine.show($0) }
        events.train = { trainLine.show($0) }
        return events
    }
}
