import ArgumentParser
import Foundation
import ModelLoading
import Transformer

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure prompt processing and decode speed like llama-bench (median of several runs).")

    @OptionGroup var options: ModelOptions

    @Option(help: "Tokens in the prompt-processing test (0 skips it).")
    var promptTokens = 512

    @Option(help: "Tokens each sequence decodes in the generation test.")
    var genTokens = 128

    @Option(help: "Sequences decoded at once, comma-separated.")
    var batch = "1,8,32"

    @Option(help: "Runs per figure; the median is reported.")
    var runs = 3

    @Flag(help: "Print {\"pp_tok_s\": x, \"tg_tok_s\": {\"1\": x, ...}, \"peak_rss_mb\": x}.")
    var json = false

    struct Output: Encodable {
        var pp_tok_s: Double
        var tg_tok_s: [String: Double]
        var peak_rss_mb: Double
    }

    func run() throws {
        let sizes = batch.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--batch takes positive whole numbers separated by commas, e.g. 1,8,32")
        }
        guard runs > 0, promptTokens >= 0, genTokens > 0 else {
            throw ValidationError("--runs and --gen-tokens must be positive, --prompt-tokens not negative")
        }
        let model = try options.load()
        var benchmark = ThroughputBenchmark()
        benchmark.promptTokens = promptTokens
        benchmark.generatedTokens = genTokens
        benchmark.batchSizes = sizes.compactMap { $0 }
        benchmark.runs = runs
        let result = try benchmark.run(on: model.decoder)
        let output = Output(pp_tok_s: result.promptTokensPerSecond,
                            tg_tok_s: Dictionary(uniqueKeysWithValues: result.generationTokensPerSecond.map { (String($0.key), $0.value) }),
                            peak_rss_mb: ProcessMemory.peakResidentMegabytes())
        if json {
            try printJSON(output)
        } else {
            print(String(format: "pp%d: %.1f tok/s", promptTokens, output.pp_tok_s))
            for size in benchmark.batchSizes {
                print(String(format: "tg%d × %d sequences: %.1f tok/s", genTokens, size, output.tg_tok_s[String(size)] ?? 0))
            }
            print(String(format: "peak RSS: %.0f MB", output.peak_rss_mb))
        }
    }
}
