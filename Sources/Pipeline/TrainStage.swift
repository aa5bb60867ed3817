import Foundation
import ModelLoading
import Training

/// What the train stage reports: held-out figures before and after, and the run's size.
public struct TrainResult: Codable, Sendable, Equatable {
    public struct Figures: Codable, Sendable, Equatable {
        public var loss: Double
        public var perplexity: Double
        public var kl: Double?
        public var top1Agreement: Double?
    }

    public var layers: Int
    public var parameters: Int
    public var steps: Int
    public var trainTraces: Int
    public var heldOutTraces: Int
    public var targetTokens: Int
    public var before: Figures?
    public var after: Figures
    public var modelBytes: Int
}

/// Stage 2: the student is made (pretrained, pruned or fresh) and trained on the traces
/// (`distillery train`). The run, its checkpoints and metrics live in `work/train`; the
/// finished model's files are then published into the model folder.
struct TrainStage {
    let spec: PipelineSpec
    let threads: Int
    let traces: URL
    let workFolder: URL
    let modelFolder: URL

    /// The traces, the student's starting point and the training settings.
    func fingerprint(tracesDigest: String, models: ModelDigestCache) throws -> String {
        let s = spec.student
        var start = try ContentDigest.settings(s)
        if let pretrained = s.pretrained { start += " " + (try ContentDigest.model(pretrained, cache: models)) }
        if s.isPruned { start += " " + (try ContentDigest.model(spec.teacher.model, cache: models)) }
        if let config = s.config {
            start += " " + (try ContentDigest.file(URL(fileURLWithPath: config)))
            start += " " + (try ContentDigest.model(tokenizerModel, cache: models))
        }
        return ContentDigest.combine(["train", tracesDigest, start, try ContentDigest.settings(spec.train)])
    }

    /// The model whose tokenizer and chat template the student uses.
    private var tokenizerModel: String { spec.student.pretrained ?? spec.student.tokenizer ?? spec.teacher.model }

    func run(resume: Bool, progress: (TrainingProgress) -> Void) throws -> TrainResult {
        let settings = spec.trainingSettings(threads: threads)
        let student = try makeStudent()
        let tokenizerSource = try LoadedModel.load(tokenizerModel, threads: 1)
        var options = TrainingDataOptions(sequenceLength: settings.sequenceLength, seed: settings.seed, objective: settings.objective)
        options.heldOut = .fraction(spec.train.evalFraction)
        let data = try TrainingData.load(traces: traces, options: options, template: try tokenizerSource.chatTemplate(),
                                         tokenizer: tokenizerSource.tokenizer)
        let trainer = try Trainer(student: student, data: data, settings: settings, output: workFolder, resume: resume)
        let summary = try trainer.run(progress: progress)
        try publish()
        let before = try summary.before.map(Self.figures) ?? firstEvaluation()
        return TrainResult(layers: student.config.layerCount, parameters: student.layout.totalCount, steps: summary.steps,
                           trainTraces: data.trainCounts.examples, heldOutTraces: data.evalCounts.examples,
                           targetTokens: data.trainCounts.targetTokens, before: before, after: Self.figures(summary.after),
                           modelBytes: try Self.bytes(of: modelFolder))
    }

    private func makeStudent() throws -> Student {
        let s = spec.student
        if let pretrained = s.pretrained { return try Student.pretrained(reference: pretrained) }
        if let config = s.config {
            return try Student.fresh(configFile: URL(fileURLWithPath: config), tokenizerFrom: tokenizerModel, seed: spec.train.seed)
        }
        let layers: [Int]
        if let keep = s.keepLayers {
            layers = keep
        } else {
            let count = try LoadedModel.load(spec.teacher.model, threads: 1).config.layerCount
            layers = try Student.everyKthLayer(s.keepEvery ?? 1, layerCount: count)
        }
        return try Student.pruned(teacher: spec.teacher.model, keepLayers: layers)
    }

    /// The model files of the finished run (not its checkpoints, metrics or curve), hard-linked
    /// into a fresh folder that is renamed into place whole.
    private func publish() throws {
        let fm = FileManager.default
        let staging = modelFolder.deletingLastPathComponent().appendingPathComponent(".\(modelFolder.lastPathComponent).partial")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        let kept: Set<String> = ["metrics.jsonl", "loss.svg"]
        for url in try fm.contentsOfDirectory(at: workFolder, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                  !kept.contains(url.lastPathComponent) else { continue }
            let target = staging.appendingPathComponent(url.lastPathComponent)
            do { try fm.linkItem(at: url, to: target) } catch { try fm.copyItem(at: url, to: target) }
        }
        if fm.fileExists(atPath: modelFolder.path) { try fm.removeItem(at: modelFolder) }
        try fm.moveItem(at: staging, to: modelFolder)
    }

    /// The step-0 evaluation of a run that was resumed, from its metrics log.
    private func firstEvaluation() throws -> TrainResult.Figures? {
        let records = try MetricsLog.records(in: workFolder.appendingPathComponent(MetricsLog.fileName))
        guard let first = records.first(where: { $0.split == .eval && $0.step == 0 }) else { return nil }
        return TrainResult.Figures(loss: first.loss, perplexity: first.perplexity ?? exp(first.loss), kl: first.kl, top1Agreement: first.top1)
    }

    private static func figures(_ f: EvaluationFigures) -> TrainResult.Figures {
        TrainResult.Figures(loss: f.loss, perplexity: f.perplexity, kl: f.kl, top1Agreement: f.top1Agreement)
    }

    static func bytes(of folder: URL) throws -> Int {
        let fm = FileManager.default
        return try fm.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.fileSizeKey]).reduce(0) {
            $0 + ((try? $1.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
        }
    }
}
