import Foundation
import Transformer
import Tokenizers
import Traces

/// How traces become training rows.
public struct TrainingDataOptions: Sendable, Equatable {
    /// Tokens per row; longer examples are cut to it.
    public var sequenceLength: Int
    public var heldOut: HeldOutTraces
    /// The data order's seed: epoch `e` is the training split shuffled with a seed derived
    /// from it and `e`.
    public var seed: UInt64
    /// Logit distillation: train on the teacher's own token ids and carry its top-k.
    public var usesTeacherTopK: Bool

    public init(sequenceLength: Int, heldOut: HeldOutTraces = .defaultFraction, seed: UInt64 = 0,
                objective: TrainingObjective = TrainingObjective()) {
        self.sequenceLength = sequenceLength
        self.heldOut = heldOut
        self.seed = seed
        self.usesTeacherTopK = objective.kdWeight > 0
    }
}

/// What one split holds, for the run's summary.
public struct TrainingDataCounts: Sendable, Equatable {
    public var examples = 0
    /// Tokens of the examples as packed (after truncation).
    public var tokens = 0
    /// Completion tokens: what the SFT loss averages over.
    public var targetTokens = 0
    /// Examples longer than the sequence length, cut to it.
    public var truncated = 0
    /// Examples with no completion token left after the cut, not trained on.
    public var dropped = 0
}

/// The traces of a run, split, tokenised and ready to pack: the training split as an
/// endless stream of rows (epoch after epoch, each shuffled from the seed) that the trainer
/// indexes by optimizer step, and the held-out split in fixed order.
public struct TrainingData: Sendable {
    public let sequenceLength: Int
    public let seed: UInt64
    /// Alternatives per position in the batches; 0 for SFT.
    public let teacherTopK: Int
    public let train: [TrainingExample]
    public let eval: [TrainingExample]
    public let trainCounts: TrainingDataCounts
    public let evalCounts: TrainingDataCounts

    /// Examples are cut to `sequenceLength` and dropped when no target is left; those with
    /// teacher data are brought to one top-k width.
    public init(train: [TrainingExample], eval: [TrainingExample], sequenceLength: Int, seed: UInt64) throws {
        guard sequenceLength >= 2 else {
            throw TrainingError.invalidSetting("the sequence length is \(sequenceLength); it must be at least 2")
        }
        let k = (train + eval).map(\.teacherTopK).max() ?? 0
        func prepare(_ examples: [TrainingExample]) -> ([TrainingExample], TrainingDataCounts) {
            var counts = TrainingDataCounts()
            var kept: [TrainingExample] = []
            for example in examples {
                let cut = example.truncated(to: sequenceLength)
                if cut.tokens.count < example.tokens.count { counts.truncated += 1 }
                guard cut.targetCount > 0 else {
                    counts.dropped += 1
                    continue
                }
                kept.append(k > 0 ? cut.withTeacherTopK(k) : cut)
                counts.examples += 1
                counts.tokens += cut.tokens.count
                counts.targetTokens += cut.targetCount
            }
            return (kept, counts)
        }
        (self.train, self.trainCounts) = prepare(train)
        (self.eval, self.evalCounts) = prepare(eval)
        self.sequenceLength = sequenceLength
        self.seed = seed
        self.teacherTopK = k
    }

    // MARK: The training stream

    /// Epoch `epoch`'s rows: the training split shuffled, then packed next-fit. Each row is a
    /// list of indices into `train`.
    public func rows(ofEpoch epoch: Int) -> [[Int]] {
        // The epoch's seed is SplitMix64's mix of seed + (epoch + 1)·γ, so two runs whose
        // seeds differ by a small number do not share epochs (seed + epoch would).
        var mixer = SplitMix64(seed: seed &+ UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15)
        let order = SplitMix64.permutation(of: train.count, seed: mixer.next())
        return SequencePacker.pack(lengths: train.map(\.tokens.count), order: order, sequenceLength: sequenceLength)
    }

    public func rowCount(ofEpoch epoch: Int) -> Int { rows(ofEpoch: epoch).count }

    /// The rows of optimizer step `step` (from 0): rows `step·rowsPerStep ..< (step+1)·rowsPerStep`
    /// of the stream of epoch 0's rows, then epoch 1's, and so on. A step can span two
    /// epochs. It depends on nothing but the step, so a resumed run continues with exactly
    /// the rows it would have seen.
    public func rows(ofStep step: Int, rowsPerStep: Int) -> [StreamRow] {
        guard !train.isEmpty, rowsPerStep > 0, step >= 0 else { return [] }
        var first = step * rowsPerStep
        var epoch = 0
        var rows = self.rows(ofEpoch: 0)
        while first >= rows.count {
            first -= rows.count
            epoch += 1
            rows = self.rows(ofEpoch: epoch)
        }
        var out: [StreamRow] = []
        out.reserveCapacity(rowsPerStep)
        var r = first
        while out.count < rowsPerStep {
            if r == rows.count {
                epoch += 1
                rows = self.rows(ofEpoch: epoch)
                r = 0
            }
            out.append(StreamRow(epoch: epoch, examples: rows[r]))
            r += 1
        }
        return out
    }

    /// Step `step` as micro-batches of at most `rowsPerBatch` rows, for gradient accumulation.
    public func batches(ofStep step: Int, rowsPerStep: Int, rowsPerBatch: Int) -> [TrainingBatch] {
        let rows = self.rows(ofStep: step, rowsPerStep: rowsPerStep).map(\.examples)
        return stride(from: 0, to: rows.count, by: max(rowsPerBatch, 1)).map {
            batch(trainRows: Array(rows[$0..<min($0 + max(rowsPerBatch, 1), rows.count)]))
        }
    }

    /// The batch of these rows of training examples.
    public func batch(trainRows rows: [[Int]]) -> TrainingBatch {
        SequencePacker.batch(rows: rows, examples: train, sequenceLength: sequenceLength, teacherTopK: teacherTopK)
    }

    /// Epochs elapsed after `steps` steps (fractional), for progress and the summary.
    public func epochs(afterSteps steps: Int, rowsPerStep: Int) -> Double {
        guard !train.isEmpty, rowsPerStep > 0 else { return 0 }
        var remaining = steps * rowsPerStep
        var epoch = 0
        while true {
            let count = rowCount(ofEpoch: epoch)
            if remaining < count { return Double(epoch) + Double(remaining) / Double(count) }
            remaining -= count
            epoch += 1
        }
    }

    // MARK: The held-out split

    /// The held-out examples in dataset order, packed next-fit, `rows` rows a batch (the
    /// last may have fewer).
    public func evalBatches(rows: Int) -> [TrainingBatch] {
        let packed = SequencePacker.pack(lengths: eval.map(\.tokens.count), order: Array(eval.indices),
                                         sequenceLength: sequenceLength)
        return stride(from: 0, to: packed.count, by: max(rows, 1)).map {
            SequencePacker.batch(rows: Array(packed[$0..<min($0 + max(rows, 1), packed.count)]), examples: eval,
                                 sequenceLength: sequenceLength, teacherTopK: teacherTopK)
        }
    }
}

/// One row of the training stream: the epoch it belongs to and the `train` indices packed in it.
public struct StreamRow: Sendable, Equatable {
    public var epoch: Int
    public var examples: [Int]
}
