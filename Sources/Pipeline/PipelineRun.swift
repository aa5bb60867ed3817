import Foundation
import ModelLoading
import Provenance
import Teachers
import Training

/// What a run does with a stage.
public enum StageAction: String, Codable, Sendable {
    /// Its record matches its inputs and its outputs are intact: skipped.
    case upToDate = "up to date"
    /// A killed run left it unfinished on the same inputs: it continues.
    case resume
    /// It runs from the start (first run, or its inputs changed).
    case run
}

/// Progress and messages of a run, for a terminal or a log.
public struct PipelineEvents {
    public var stageStarted: (String, StageAction) -> Void = { _, _ in }
    public var note: (String) -> Void = { _ in }
    public var generate: (GenerateProgress) -> Void = { _ in }
    public var train: (TrainingProgress) -> Void = { _ in }
    public init() {}
}

/// `distillery distill`: generate → train → quantize → provenance (manifest, card, audit), each
/// stage skipped when its record says it already ran on the same inputs and its outputs are
/// intact, resumed when a killed run left it unfinished, and rerun when its inputs changed
/// (the outputs it replaces are moved to `.distill/replaced/`, not deleted).
public final class PipelineRun {
    public let spec: PipelineSpec
    public let output: URL
    let threads: Int
    let knowledgeBase: LicenseKnowledgeBase
    let records: StageRecordStore
    let modelDigests: ModelDigestCache

    public static let stageNames = ["generate", "train", "quantize", "provenance"]

    public init(spec: PipelineSpec, knowledgeBase: LicenseKnowledgeBase) {
        self.spec = spec
        output = URL(fileURLWithPath: spec.output).standardizedFileURL
        threads = spec.threads ?? LoadedModel.defaultThreadCount
        self.knowledgeBase = knowledgeBase
        records = StageRecordStore(folder: output.appendingPathComponent(".distill"))
        modelDigests = ModelDigestCache(url: records.folder.appendingPathComponent("model-digests.json"))
    }

    var tracesFolder: URL { output.appendingPathComponent("traces") }
    var trainFolder: URL { output.appendingPathComponent("work/train") }
    var modelFolder: URL { output.appendingPathComponent(spec.name) }

    /// What the train stage wrote into the model folder: not the `ship` files and the card
    /// and manifest the provenance stage adds later.
    func modelFolderDigest() throws -> String {
        try ContentDigest.folder(modelFolder, excluding: Set(spec.ship.map { URL(fileURLWithPath: $0).lastPathComponent }))
    }

    var generateStage: GenerateStage { GenerateStage(spec: spec, threads: threads, folder: tracesFolder) }
    var trainStage: TrainStage {
        TrainStage(spec: spec, threads: threads, traces: tracesFolder, workFolder: trainFolder, modelFolder: modelFolder)
    }
    var quantizeStage: QuantizeStage {
        QuantizeStage(spec: spec, threads: threads, output: output, modelFolder: modelFolder, traces: tracesFolder)
    }

    public func run(events: PipelineEvents = PipelineEvents()) throws -> DistillSummary {
        let started = Date()
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var stages: [DistillSummary.Stage] = []

        let generate = try execute("generate", fingerprint: try generateStage.fingerprint(models: modelDigests), outputs: [tracesFolder],
                                   digest: { try ContentDigest.folder(self.tracesFolder) }, events: events) { _ in
            try self.generateStage.run(progress: events.generate, note: events.note)
        }
        stages.append(generate.stage)

        let train = try execute("train", fingerprint: try trainStage.fingerprint(tracesDigest: generate.digest, models: modelDigests),
                                outputs: [trainFolder, modelFolder], digest: { try self.modelFolderDigest() },
                                events: events) { resume in
            try self.trainStage.run(resume: resume, progress: events.train)
        }
        stages.append(train.stage)

        let quantizeFiles = quantizeStage.files()
        let quantize = try execute("quantize", fingerprint: try quantizeStage.fingerprint(modelDigest: train.digest, tracesDigest: generate.digest),
                                   outputs: quantizeFiles.map { $0.deletingLastPathComponent() },
                                   digest: { ContentDigest.combine(try quantizeFiles.map(ContentDigest.file)) },
                                   events: events) { _ in
            try self.quantizeStage.run(note: events.note)
        }
        stages.append(quantize.stage)

        let provenanceStage = ProvenanceStage(
            spec: spec, knowledgeBase: knowledgeBase, traces: tracesFolder, modelFolder: modelFolder,
            quantized: quantize.result.outputs.map { ($0.type, URL(fileURLWithPath: $0.path).deletingLastPathComponent(), $0.bitsPerWeight) })
        let written = [tracesFolder, modelFolder] + quantizeFiles.map { $0.deletingLastPathComponent() }
        let provenance = try execute("provenance",
                                     fingerprint: try provenanceStage.fingerprint(inputs: [generate.digest, train.digest, quantize.digest]),
                                     outputs: [], digest: { try Self.provenanceDigest(written) }, events: events) { _ in
            let teacherSHA = self.spec.teacher.isEndpoint || !self.spec.student.isPruned ? nil : try self.teacherFileSHA256()
            return try provenanceStage.run(train: train.result, teacherSHA256: teacherSHA)
        }
        stages.append(provenance.stage)

        let summary = DistillSummary(name: spec.name, output: output.path, traces: tracesFolder.path, model: modelFolder.path,
                                     trainingRun: trainFolder.path, stages: stages, generate: generate.result, train: train.result,
                                     quantize: quantize.result, provenance: provenance.result,
                                     seconds: Date().timeIntervalSince(started))
        try summary.write(to: output)
        return summary
    }

    /// The teacher GGUF's sha256 for the pruned student's base edge; nil for a folder.
    private func teacherFileSHA256() throws -> String? {
        guard case .gguf(let url) = try ModelStore().resolve(spec.teacher.model) else { return nil }
        return try modelDigests.sha256(of: url)
    }

    /// The manifests and cards the provenance stage writes.
    static func provenanceDigest(_ folders: [URL]) throws -> String {
        var parts: [String] = []
        for folder in folders {
            for name in [Manifest.fileName, "README.md"] {
                let url = folder.appendingPathComponent(name)
                parts.append(FileManager.default.fileExists(atPath: url.path) ? try ContentDigest.file(url) : "missing \(url.path)")
            }
        }
        return ContentDigest.combine(parts)
    }

    struct Outcome<Result> {
        var result: Result
        var digest: String
        var stage: DistillSummary.Stage
    }

    /// Runs one stage unless its record shows it done on these inputs with intact outputs.
    private func execute<Result: Codable>(_ name: String, fingerprint: String, outputs: [URL], digest: () throws -> String,
                                          events: PipelineEvents, body: (Bool) throws -> Result) throws -> Outcome<Result> {
        let record = try records.load(name, as: Result.self)
        if let record, record.complete, record.fingerprint == fingerprint, let result = record.result,
           let current = try? digest(), current == record.outputDigest {
            events.stageStarted(name, .upToDate)
            return Outcome(result: result, digest: current, stage: .init(name: name, action: .upToDate, seconds: record.seconds))
        }
        let resuming = record.map { !$0.complete && $0.fingerprint == fingerprint } ?? false
        if !resuming { try setAside(outputs, stage: name, events: events) }
        events.stageStarted(name, resuming ? .resume : .run)
        let earlier = resuming ? record?.seconds ?? 0 : 0
        try records.save(StageRecord<Result>(stage: name, fingerprint: fingerprint, complete: false, outputDigest: nil,
                                             result: nil, seconds: earlier))
        let started = Date()
        let result: Result
        do {
            result = try body(resuming)
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError.stageFailed(stage: name, why: "\(error)")
        }
        let seconds = earlier + Date().timeIntervalSince(started)
        let written = try digest()
        try records.save(StageRecord(stage: name, fingerprint: fingerprint, complete: true, outputDigest: written,
                                     result: result, seconds: seconds))
        return Outcome(result: result, digest: written, stage: .init(name: name, action: resuming ? .resume : .run, seconds: seconds))
    }

    /// Moves a stage's earlier outputs to `.distill/replaced/<stage>/` (keeping the last set)
    /// rather than deleting them: they may have cost hours of teacher time.
    private func setAside(_ outputs: [URL], stage: String, events: PipelineEvents) throws {
        let fm = FileManager.default
        let existing = outputs.filter { fm.fileExists(atPath: $0.path) }
        guard !existing.isEmpty else { return }
        let shelf = records.folder.appendingPathComponent("replaced/\(stage)")
        do {
            try? fm.removeItem(at: shelf)
            try fm.createDirectory(at: shelf, withIntermediateDirectories: true)
            for url in existing {
                try fm.moveItem(at: url, to: shelf.appendingPathComponent(url.lastPathComponent))
            }
        } catch {
            throw PipelineError.stageFailed(stage: stage, why: "cannot move its earlier outputs aside into \(shelf.path): \(error.localizedDescription)")
        }
        events.note("\(stage): its inputs changed; the earlier outputs were moved to \(shelf.path)")
    }
}
