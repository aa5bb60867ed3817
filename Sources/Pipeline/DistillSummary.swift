import Foundation

/// What `distillery distill` reports at the end, also written to `OUTPUT/summary.json`.
public struct DistillSummary: Codable, Sendable {
    public struct Stage: Codable, Sendable, Equatable {
        public var name: String
        public var action: StageAction
        /// Seconds the stage's work took, over all the runs that made it.
        public var seconds: Double
    }

    public var name: String
    public var output: String
    public var traces: String
    public var model: String
    public var trainingRun: String
    public var stages: [Stage]
    public var generate: GenerateResult
    public var train: TrainResult
    public var quantize: QuantizeResult
    public var provenance: ProvenanceResult
    /// Wall time of this invocation.
    public var seconds: Double

    public static let fileName = "summary.json"

    func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: folder.appendingPathComponent(Self.fileName), options: .atomic)
    }

    /// The closing table: one block per stage, then where everything is (paths under the
    /// current directory shown relative to it).
    public func table(relativeTo directory: String = FileManager.default.currentDirectoryPath) -> String {
        func shown(_ path: String) -> String {
            let prefix = directory.hasSuffix("/") ? directory : directory + "/"
            return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
        }
        var lines: [String] = []
        func row(_ label: String, _ value: String) { lines.append(label.padding(toLength: 22, withPad: " ", startingAt: 0) + value) }
        let took = stages.map { "\($0.name) \(Self.duration($0.seconds))\($0.action == .upToDate ? " (up to date)" : "")" }
        lines.append("distill \(name): done in \(Self.duration(seconds)) — " + took.joined(separator: ", "))
        lines.append("")
        let g = generate
        row("traces", "\(g.traces) from \(g.prompts) prompts; \(g.promptTokens) prompt + \(g.completionTokens) completion tokens")
        row("teacher", String(format: "%@, %.1f tok/s", g.teacher, g.teacherTokensPerSecond)
            + (g.keptLogprobs > 0 ? ", top-\(g.keptLogprobs) logprobs kept" : ""))
        if g.verifiedCorrect + g.verifiedIncorrect > 0 {
            row("teacher answers", "\(g.verifiedCorrect) of \(g.verifiedCorrect + g.verifiedIncorrect) verifiable answers correct")
        }
        let t = train
        row("student", String(format: "%d layers, %.1fM parameters; %d steps on %d traces (%d target tokens)",
                              t.layers, Double(t.parameters) / 1e6, t.steps, t.trainTraces, t.targetTokens))
        row("held-out (\(t.heldOutTraces) traces)", "before → after")
        if let before = t.before {
            row("  loss", String(format: "%.3f → %.3f", before.loss, t.after.loss))
            if let kl0 = before.kl, let kl1 = t.after.kl { row("  KL to teacher", String(format: "%.3f → %.3f", kl0, kl1)) }
            if let a0 = before.top1Agreement, let a1 = t.after.top1Agreement {
                row("  top-1 agreement", String(format: "%.1f%% → %.1f%%", a0 * 100, a1 * 100))
            }
        } else {
            row("  loss", String(format: "%.3f", t.after.loss))
        }
        lines.append("")
        lines.append("outputs".padding(toLength: 22, withPad: " ", startingAt: 0)
                     + "size       bits/w  KL vs student  top-1    PPL ratio")
        row("  HF folder (F32)", ByteCount.text(t.modelBytes))
        row("", shown(model))
        for q in quantize.outputs {
            let figures = String(format: "%@%6.2f  %13.5f  %5.1f%%  %9.4f", ByteCount.text(q.bytes).padding(toLength: 11, withPad: " ", startingAt: 0),
                                 q.bitsPerWeight, q.klMean, q.top1Agreement * 100, q.perplexityRatio)
            row("  \(q.type)", figures)
            row("", shown(q.path))
        }
        lines.append("")
        row("audit", "\(provenance.verdict) (\(provenance.fails) fail, \(provenance.warnings) warn, \(provenance.infos) info)")
        for finding in provenance.findings.prefix(6) where !finding.hasPrefix("INFO") { row("", finding) }
        row("cards", provenance.cards.map(shown).joined(separator: "\n" + String(repeating: " ", count: 22)))
        row("traces (MDS)", shown(traces))
        row("training run", "\(shown(trainingRun)) (checkpoints, metrics.jsonl, loss.svg)")
        row("summary", "\(shown(output))/\(Self.fileName)")
        return lines.joined(separator: "\n") + "\n"
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m \(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
