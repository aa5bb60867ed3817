import ArgumentParser
import Foundation
import Traces

struct TracesInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Samples, shards, raw and stored bytes, and one sample of any MDS dataset; tokens, teachers and verification of a trace dataset.")

    @Argument(help: "Dataset folder (holds index.json).") var dir: String
    @Flag(help: "Print one JSON object: samples, shards, raw_bytes, compressed_bytes, ratio, columns, sample, trace.")
    var json = false

    struct Output: Encodable {
        var samples: Int
        var shards: Int
        var raw_bytes: Int
        var compressed_bytes: Int
        var ratio: Double
        var compression: [String]
        var columns: [String]
        var sample: [String: String]
        var trace: Trace?
        struct Trace: Encodable {
            var prompt_tokens: Int
            var completion_tokens: Int
            var stored_token_ids: Int
            var teachers: [String: Int]
            var correct: Int
            var incorrect: Int
            var unverified: Int
            var finish_reasons: [String: Int]
            var with_reasoning: Int
        }
    }

    func run() throws {
        let s = try DatasetSummary(dataset: try MDSDataset(directory: URL(fileURLWithPath: dir)))
        if json {
            try printJSON(Output(
                samples: s.samples, shards: s.shards, raw_bytes: s.rawBytes, compressed_bytes: s.compressedBytes,
                ratio: (s.ratio * 1000).rounded() / 1000, compression: s.compressions, columns: s.columns, sample: s.firstSample,
                trace: s.trace.map { t in
                    Output.Trace(prompt_tokens: t.promptTokens, completion_tokens: t.completionTokens,
                                 stored_token_ids: t.storedTokenIDs, teachers: t.teachers, correct: t.correct,
                                 incorrect: t.incorrect, unverified: t.unverified, finish_reasons: t.finishReasons,
                                 with_reasoning: t.withReasoning)
                }))
            return
        }
        func mb(_ n: Int) -> String {
            n < 1_000_000 ? String(format: "%.1f kB", Double(n) / 1_000) : String(format: "%.2f MB", Double(n) / 1_000_000)
        }
        print("\(s.samples) samples in \(s.shards) shards")
        print("raw \(mb(s.rawBytes)), stored \(mb(s.compressedBytes)) (\(s.compressions.isEmpty ? "uncompressed" : s.compressions.joined(separator: ", "))), ratio \(String(format: "%.2f", s.ratio))×")
        if let t = s.trace {
            func counts(_ d: [String: Int]) -> String {
                d.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
            }
            print("tokens: \(t.promptTokens) prompt, \(t.completionTokens) completion, \(t.storedTokenIDs) token ids stored")
            print("teachers: \(counts(t.teachers))")
            print("finish: \(counts(t.finishReasons)); \(t.withReasoning) with reasoning")
            print("verification: \(t.correct) correct, \(t.incorrect) incorrect, \(t.unverified) unverified")
        } else {
            print("columns: \(s.columns.joined(separator: " "))")
        }
        guard !s.firstSample.isEmpty else { return }
        print("sample 0:")
        for key in s.firstSample.keys.sorted() { print("  \(key): \(s.firstSample[key] ?? "")") }
    }
}
