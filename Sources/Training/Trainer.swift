#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Tensors
import Transformer

/// Held-out figures at one point of a run.
public struct EvaluationFigures: Sendable, Equatable, Codable {
    public var step: Int
    /// Mean cross-entropy over the held-out targets, and its exponential.
    public var loss: Double
    public var perplexity: Double
    /// Mean KL from the teacher's renormalised top-k to the student (temperature 1), and how
    /// often the student's argmax is the teacher's top-1; nil without teacher logprobs.
    public var kl: Double?
    public var top1Agreement: Double?
    public var tokens: Int
}

/// One line of progress: what a terminal shows after every step.
public struct TrainingProgress: Sendable {
    public var step: Int
    public var totalSteps: Int
    public var loss: Double
    public var learningRate: Float
    public var tokensPerSecond: Double
    public var secondsRemaining: Double
}

public struct TrainingSummary: Sendable, Codable {
    public var steps: Int
    public var resumedFrom: Int?
    public var trainedTokens: Int
    public var seconds: Double
    public var before: EvaluationFigures?
    public var after: EvaluationFigures
    public var output: String
}

/// The training loop: data by step, gradient accumulation, clipping, AdamW on a warm-up +
/// cosine schedule, held-out evaluation, metrics, checkpoints, and exact resume.
public final class Trainer {
    public let student: Student
    public let data: TrainingData
    public let settings: TrainingSettings
    public let output: URL
    private let graph: DecoderGraph
    private let gradients: FloatBuffer
    private var optimizer: AdamW
    private var startStep = 0
    private var resumedFrom: Int?

    /// With `resume`, continues from the newest complete checkpoint in `output` (parameters,
    /// moments and step), and from the start when there is none.
    public init(student: Student, data: TrainingData, settings: TrainingSettings, output: URL, resume: Bool) throws {
        try settings.validate()
        guard data.sequenceLength == settings.sequenceLength else {
            throw TrainingError.invalidSetting("the data was packed for \(data.sequenceLength) tokens, the settings say \(settings.sequenceLength)")
        }
        guard settings.kdWeight == 0 || data.teacherTopK > 0 else {
            throw TrainingError.invalidSetting("--kd-weight \(settings.kdWeight) needs traces with teacher logprobs; these have none. Use --kd-weight 0 or generate with --top-logprobs")
        }
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var student = student
        var moments: (FloatBuffer, FloatBuffer)?
        var updates = 0
        let latest = Checkpoint.latestCheckpoint(in: output)
        if !resume, let latest {
            throw TrainingError.checkpoint(path: latest.path, why: "the output folder already holds a run; pass --resume to continue it or choose another --out")
        }
        if resume, let latest {
            let checkpoint = try Checkpoint.load(folder: latest)
            guard let stateData = checkpoint.trainerState else {
                throw TrainingError.checkpoint(path: latest.path, why: "it has no trainer_state.json")
            }
            let state = try TrainerState.decode(stateData, path: latest.path)
            guard checkpoint.student.layout == student.layout else {
                throw TrainingError.checkpoint(path: latest.path, why: "its model does not have the student's shape; give the same student options as the run you resume")
            }
            student = checkpoint.student
            moments = checkpoint.optimizerMoments
            updates = state.optimizerUpdates
            startStep = state.step
            resumedFrom = state.step
        }
        self.student = student
        self.data = data
        self.settings = settings
        self.output = output
        graph = try DecoderGraph(config: student.config, capacity: settings.batchRows * settings.sequenceLength,
                                 threads: settings.threads)
        gradients = try FloatBuffer(count: student.layout.totalCount)
        optimizer = try AdamW(layout: student.layout,
                              settings: .init(weightDecay: settings.weightDecay),
                              firstMoment: moments?.0, secondMoment: moments?.1, updates: updates)
    }

    /// Steps of the whole run: `steps`, or enough for `epochs` passes over the training rows.
    public var totalSteps: Int {
        if let steps = settings.steps { return steps }
        let rows = Double(data.rowCount(ofEpoch: 0)) * settings.epochs
        return max(1, Int((rows / Double(settings.rowsPerStep)).rounded(.up)))
    }

    public func run(progress: (TrainingProgress) -> Void = { _ in }) throws -> TrainingSummary {
        let total = totalSteps
        let schedule = LearningRateSchedule(peak: settings.learningRate,
                                            warmupSteps: settings.warmupSteps ?? max(1, total / 20),
                                            totalSteps: total, minimumRatio: settings.minimumLearningRateRatio)
        let metricsURL = output.appendingPathComponent(MetricsLog.fileName)
        if resumedFrom == nil { try? FileManager.default.removeItem(at: metricsURL) }
        let metrics = try MetricsLog(url: metricsURL, resumingAt: resumedFrom)
        let started = Date()
        var before: EvaluationFigures?
        if startStep == 0 {
            before = try evaluate(step: 0)
            if let before { try metrics.append(record(before)) }
        }
        var trainedTokens = 0
        var stepSeconds: [Double] = []
        for step in startStep ..< total {
            let stepStart = Date()
            let batches = data.batches(ofStep: step, rowsPerStep: settings.rowsPerStep, rowsPerBatch: settings.batchRows)
            let targets = batches.reduce(0) { $0 + $1.targetCount }
            let teacherPositions = settings.kdWeight > 0 ? batches.reduce(0) { $0 + $1.teacherPositionCount } : 0
            gradients.pointer.update(repeating: 0, count: gradients.count)
            var sums = LossSums()
            for batch in batches {
                let use = settings.kdWeight > 0 ? batch : batch.withoutTeacher()
                sums = sums + (try graph.accumulateGradients(use, parameters: student.parameters.pointer,
                                                             gradients: gradients.pointer, objective: settings.objective,
                                                             targetTotal: targets, teacherTotal: teacherPositions))
            }
            let alpha = Double(settings.kdWeight), t = Double(settings.kdTemperature)
            let sft = targets > 0 ? sums.crossEntropy / Double(targets) : 0
            let kd = teacherPositions > 0 ? sums.kl / Double(teacherPositions) : 0
            let loss = (1 - alpha) * sft + alpha * t * t * kd
            guard loss.isFinite else { throw TrainingError.nonFiniteLoss(step: step + 1, loss: Float(loss)) }
            let norm = GradientClipping.clip(gradients.pointer, count: gradients.count,
                                             maximum: settings.maxGradientNorm, pool: graph.pool)
            guard norm.isFinite else { throw TrainingError.nonFiniteLoss(step: step + 1, loss: norm) }
            let lr = schedule.rate(at: step)
            optimizer.step(parameters: student.parameters.pointer, gradients: gradients.pointer, lr: lr, pool: graph.pool)

            let tokens = batches.reduce(0) { $0 + $1.tokenCount }
            trainedTokens += tokens
            let seconds = Date().timeIntervalSince(stepStart)
            stepSeconds.append(seconds)
            let recent = stepSeconds.suffix(10).reduce(0, +) / Double(min(stepSeconds.count, 10))
            try metrics.append(MetricsRecord(step: step + 1, split: .train, loss: loss,
                                             kl: teacherPositions > 0 ? kd : nil,
                                             tokensPerSecond: Double(tokens) / max(seconds, 1e-9), learningRate: Double(lr)))
            progress(TrainingProgress(step: step + 1, totalSteps: total, loss: loss, learningRate: lr,
                                      tokensPerSecond: Double(tokens) / max(seconds, 1e-9),
                                      secondsRemaining: recent * Double(total - step - 1)))
            let last = step + 1 == total
            if settings.evalEvery > 0, (step + 1) % settings.evalEvery == 0, !last {
                try metrics.append(record(try evaluate(step: step + 1)))
            }
            if settings.saveEvery > 0, (step + 1) % settings.saveEvery == 0, !last {
                try saveCheckpoint(step: step + 1, total: total)
            }
        }
        let after = try evaluate(step: total)
        if resumedFrom != total { try metrics.append(record(after)) }
        try saveCheckpoint(step: total, total: total)
        try CheckpointWriter.write(student: student, optimizerMoments: nil, trainerState: nil, to: output)
        try LossCurve.write(records: try MetricsLog.records(in: metricsURL),
                            to: output.appendingPathComponent(LossCurve.fileName))
        return TrainingSummary(steps: total, resumedFrom: resumedFrom, trainedTokens: trainedTokens,
                               seconds: Date().timeIntervalSince(started), before: before, after: after, output: output.path)
    }

    /// Held-out loss, perplexity, and agreement with the teacher's stored top-k.
    public func evaluate(step: Int) throws -> EvaluationFigures {
        var sums = LossSums()
        for batch in data.evalBatches(rows: settings.batchRows) {
            sums = sums + (try graph.evaluate(batch, parameters: student.parameters.pointer, temperature: 1))
        }
        guard sums.targets > 0 else {
            throw TrainingError.noTraces(directory: output.path, why: "the held-out split has no target token")
        }
        let loss = sums.crossEntropy / Double(sums.targets)
        let hasTeacher = sums.teacherPositions > 0
        return EvaluationFigures(step: step, loss: loss, perplexity: exp(loss),
                                 kl: hasTeacher ? sums.kl / Double(sums.teacherPositions) : nil,
                                 top1Agreement: hasTeacher ? Double(sums.teacherAgreements) / Double(sums.teacherPositions) : nil,
                                 tokens: sums.targets)
    }

    private func record(_ figures: EvaluationFigures) -> MetricsRecord {
        MetricsRecord(step: figures.step, split: .eval, loss: figures.loss, kl: figures.kl, top1: figures.top1Agreement,
                      perplexity: figures.perplexity)
    }

    private func saveCheckpoint(step: Int, total: Int) throws {
        let state = TrainerState(step: step, optimizerUpdates: optimizer.updates, totalSteps: total, settings: settings)
        try CheckpointWriter.writeCheckpoint(student: student, optimizerMoments: (optimizer.firstMoment, optimizer.secondMoment),
                                             trainerState: try state.encoded(), step: step, in: output,
                                             keep: settings.keepCheckpoints)
    }
}
