import Foundation
import Provenance

/// `distillery distill --plan`: what each stage would do, and the audit of the lineage the
/// pipeline will record, before any teacher time is spent. A name that breaks a base model's
/// naming rule, say, shows here rather than after the run.
public struct PipelinePlan: Sendable {
    public struct Stage: Sendable, Equatable {
        public var name: String
        /// nil: it runs once an earlier stage has run (its inputs are not known yet).
        public var action: StageAction?
        /// Why it could not run now (an input is missing), if so.
        public var problem: String?
    }

    public var name: String
    public var output: String
    public var stages: [Stage]
    public var audit: AuditReport
    /// `ship:` files that are not there yet.
    public var missingShippedFiles: [String]

    public func text() -> String {
        var out = "pipeline \(name) → \(output)\n"
        for stage in stages {
            out += "  " + stage.name.padding(toLength: 12, withPad: " ", startingAt: 0)
                + (stage.action?.rawValue ?? "run (after an earlier stage)") + "\n"
            if let problem = stage.problem { out += "              cannot start yet: \(problem)\n" }
        }
        for file in missingShippedFiles { out += "  ship: \(file) does not exist yet\n" }
        out += "\naudit of the planned lineage (files are not there yet, so file checks are left out):\n"
        out += audit.text()
        return out
    }
}

extension PipelineRun {
    public func plan() throws -> PipelinePlan {
        modelDigests.persists = false
        var stages: [PipelinePlan.Stage] = []
        var generateDigest: String?
        var trainDigest: String?
        var quantizeDigest: String?
        do {
            generateDigest = try planned("generate", fingerprint: try generateStage.fingerprint(models: modelDigests), as: GenerateResult.self,
                                         digest: { try ContentDigest.folder(self.tracesFolder) }, into: &stages)
        } catch {
            stages.append(.init(name: "generate", action: .run, problem: "\(error)"))
        }
        if let g = generateDigest {
            do {
                trainDigest = try planned("train", fingerprint: try trainStage.fingerprint(tracesDigest: g, models: modelDigests), as: TrainResult.self,
                                          digest: { try self.modelFolderDigest() }, into: &stages)
            } catch {
                stages.append(.init(name: "train", action: .run, problem: "\(error)"))
            }
        } else { stages.append(.init(name: "train", action: nil)) }
        if let g = generateDigest, let t = trainDigest {
            let files = quantizeStage.files()
            quantizeDigest = try planned("quantize", fingerprint: try quantizeStage.fingerprint(modelDigest: t, tracesDigest: g),
                                         as: QuantizeResult.self, digest: { ContentDigest.combine(try files.map(ContentDigest.file)) },
                                         into: &stages)
        } else { stages.append(.init(name: "quantize", action: nil)) }
        if let g = generateDigest, let t = trainDigest, let q = quantizeDigest {
            let folders = [tracesFolder, modelFolder] + quantizeStage.files().map { $0.deletingLastPathComponent() }
            let stage = ProvenanceStage(spec: spec, knowledgeBase: knowledgeBase, traces: tracesFolder, modelFolder: modelFolder, quantized: [])
            do {
                _ = try planned("provenance", fingerprint: try stage.fingerprint(inputs: [g, t, q]), as: ProvenanceResult.self,
                                digest: { try Self.provenanceDigest(folders) }, into: &stages)
            } catch {
                stages.append(.init(name: "provenance", action: .run, problem: "\(error)"))
            }
        } else { stages.append(.init(name: "provenance", action: nil)) }
        let missing = spec.ship.filter { !FileManager.default.fileExists(atPath: $0) }
        return PipelinePlan(name: spec.name, output: output.path, stages: stages, audit: try plannedAudit(),
                            missingShippedFiles: missing)
    }

    /// The stage's action, and its output digest when it is up to date (so later stages can be judged).
    private func planned<Result: Codable>(_ name: String, fingerprint: String, as: Result.Type, digest: () throws -> String,
                                          into stages: inout [PipelinePlan.Stage]) throws -> String? {
        let record = try records.load(name, as: Result.self)
        if let record, record.complete, record.fingerprint == fingerprint, let current = try? digest(), current == record.outputDigest {
            stages.append(.init(name: name, action: .upToDate))
            return current
        }
        let resuming = record.map { !$0.complete && $0.fingerprint == fingerprint } ?? false
        stages.append(.init(name: name, action: resuming ? .resume : .run))
        return nil
    }

    /// Writes the manifests and cards the run would write, into a scratch folder with no
    /// model files, and audits them.
    private func plannedAudit() throws -> AuditReport {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("distill-plan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let traces = scratch.appendingPathComponent("traces")
        let model = scratch.appendingPathComponent(spec.name)
        var quantized: [(type: String, folder: URL, bitsPerWeight: Double?)] = []
        for type in spec.quantize.types.map({ $0.uppercased() }) {
            quantized.append((type, scratch.appendingPathComponent("\(spec.name)-\(type)-GGUF"), nil))
        }
        for folder in [traces, model] + quantized.map(\.folder) {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        var present = spec
        present.ship = spec.ship.filter { FileManager.default.fileExists(atPath: $0) }
        let stage = ProvenanceStage(spec: present, knowledgeBase: knowledgeBase, traces: traces, modelFolder: model, quantized: quantized)
        _ = try stage.run(train: nil, teacherSHA256: nil)
        let report = Auditor(knowledgeBase: knowledgeBase).audit(paths: [model] + quantized.map(\.folder))
        return AuditReport(findings: report.findings.filter { !Self.fileRules.contains($0.rule) }.map {
            var finding = $0
            finding.subject = finding.subject.map { $0.replacingOccurrences(of: scratch.path + "/", with: "") }
            return finding
        })
    }

    /// Findings about the files themselves, which a plan cannot have yet.
    static let fileRules: Set<String> = ["file-hash", "signature"]
}
