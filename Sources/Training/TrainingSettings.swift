/// How a run trains: the options of `distillery train`, with the defaults a user gets.
public struct TrainingSettings: Sendable, Equatable, Codable {
    /// Optimiser steps; when nil, `epochs` decides.
    public var steps: Int?
    public var epochs: Double = 1
    public var learningRate: Float = 1e-4
    /// Linear warm-up steps; nil means 5% of the run.
    public var warmupSteps: Int?
    /// Cosine decay ends at this fraction of the peak rate.
    public var minimumLearningRateRatio: Float = 0.1
    public var weightDecay: Float = 0.01
    public var maxGradientNorm: Float = 1
    public var sequenceLength = 512
    /// Tokens (rows × sequence length) per optimiser step; gradients accumulate over micro-batches.
    public var tokensPerStep = 8192
    /// Rows per forward pass: the memory knob.
    public var batchRows = 4
    /// Evaluate every N steps (and before the first and after the last); 0 only before and after.
    public var evalEvery = 0
    /// Checkpoint every N steps (and at the end); 0 only at the end.
    public var saveEvery = 0
    public var keepCheckpoints = 2
    public var kdWeight: Float = 0
    public var kdTemperature: Float = 1
    public var seed: UInt64 = 0
    public var threads = 2

    public init() {}

    public var objective: TrainingObjective { TrainingObjective(kdWeight: kdWeight, kdTemperature: kdTemperature) }
    public var rowsPerStep: Int { max(1, tokensPerStep / sequenceLength) }

    public func validate() throws {
        func fail(_ why: String) -> TrainingError { .invalidSetting(why) }
        if let steps, steps <= 0 { throw fail("--steps must be positive, found \(steps)") }
        guard epochs > 0, epochs.isFinite else { throw fail("--epochs must be positive, found \(epochs)") }
        guard learningRate > 0, learningRate.isFinite else { throw fail("--lr must be positive, found \(learningRate)") }
        guard sequenceLength >= 2 else { throw fail("--seq-len must be at least 2, found \(sequenceLength)") }
        guard tokensPerStep >= sequenceLength else {
            throw fail("--tokens-per-step (\(tokensPerStep)) must hold at least one sequence of --seq-len \(sequenceLength)")
        }
        guard batchRows > 0, threads > 0, keepCheckpoints > 0, evalEvery >= 0, saveEvery >= 0 else {
            throw fail("--batch-rows, --threads and --keep-checkpoints must be positive; --eval-every and --save-every not negative")
        }
        guard (0...1).contains(kdWeight) else { throw fail("--kd-weight is α in [0, 1], found \(kdWeight)") }
        guard kdTemperature > 0, kdTemperature.isFinite else { throw fail("--kd-temperature must be positive, found \(kdTemperature)") }
        guard weightDecay >= 0, maxGradientNorm >= 0, (0...1).contains(minimumLearningRateRatio) else {
            throw fail("--weight-decay and --max-grad-norm must not be negative")
        }
    }
}
