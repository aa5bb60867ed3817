import ArgumentParser
import Foundation
import Traces

struct TracesExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a trace dataset as SFT JSONL for TRL, Axolotl or LLaMA-Factory, reasoning inside <think>…</think>.")

    @Argument(help: "Trace dataset folder (holds index.json).") var dir: String
    @Option(help: "messages ({\"messages\": [...]}) or prompt-completion (TRL's conversational prompt/completion).")
    var format: String = TraceExportFormat.messages.rawValue
    @Option(help: "Output file (default: standard output).") var out: String?
    @Flag(help: "Keep only traces verified correct.") var onlyCorrect = false

    func run() throws {
        guard let chosen = TraceExportFormat(rawValue: format) else {
            throw ValidationError("--format takes \(TraceExportFormat.allCases.map(\.rawValue).joined(separator: " or ")), not \(format)")
        }
        let dataset = try MDSDataset(directory: URL(fileURLWithPath: dir))
        let handle: FileHandle
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: nil) else {
                throw ValidationError("cannot create \(out)")
            }
            guard let h = FileHandle(forWritingAtPath: out) else { throw ValidationError("cannot open \(out) for writing") }
            handle = h
        } else {
            handle = FileHandle.standardOutput
        }
        // Lines are gathered into ~1 MB writes: one write(2) per trace would dominate.
        var buffer = Data()
        let counts = try TraceExport.export(dataset, format: chosen, onlyCorrect: onlyCorrect) { line in
            buffer.append(contentsOf: line.utf8)
            if buffer.count >= 1 << 20 {
                handle.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(buffer)
        if out != nil { try handle.close() }
        printError("\(counts.written) traces written" + (onlyCorrect ? ", \(counts.skipped) not verified correct left out" : "")
                   + (out.map { " to \($0)" } ?? ""))
    }
}
