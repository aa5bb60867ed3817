import ArgumentParser
import Foundation
import Training

struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-train",
        abstract: "Measure training tokens/s on a model shape with random weights (median of several steps).")

    @Option(help: "Model shape: smollm2 (30 layers), student10 (10 layers), tiny (4 layers, width 256, 49k vocabulary).")
    var shape = "tiny"

    @Option(help: "Sequences per step.")
    var batch = 4

    @Option(help: "Tokens per sequence.")
    var seqLen = 512

    @Option(help: "Timed steps; the median is reported (two untimed warm-up steps run first).")
    var steps = 5

    @Option(help: "Compute threads.")
    var threads = 2

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Output: Encodable {
        var shape: String
        var tokens_per_s: Double
        var step_seconds: [Double]
        var gflops_per_s: Double
        var peak_rss_mb: Double
    }

    func run() throws {
        guard let config = TrainingBenchmark.shape(named: shape) else {
            throw ValidationError("--shape is one of smollm2, student10, tiny")
        }
        guard batch > 0, seqLen > 1, steps > 0, threads > 0 else {
            throw ValidationError("--batch, --steps and --threads must be positive and --seq-len above 1")
        }
        var benchmark = TrainingBenchmark(config: config)
        benchmark.rows = batch
        benchmark.sequenceLength = seqLen
        benchmark.steps = steps
        benchmark.threads = threads
        let result = try benchmark.run()
        let output = Output(shape: shape, tokens_per_s: result.tokensPerSecond, step_seconds: result.stepSeconds,
                            gflops_per_s: result.gigaflopsPerSecond, peak_rss_mb: ProcessMemory.peakResidentMegabytes())
        if json {
            try printJSON(output)
        } else {
            print(String(format: "%@: %.0f tok/s, %.1f GFLOP/s, peak RSS %.0f MB", shape, output.tokens_per_s,
                         output.gflops_per_s, output.peak_rss_mb))
        }
    }
}
