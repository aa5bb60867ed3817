import Foundation
import Provenance

/// What the provenance stage reports: the audit's verdict and where the cards are.
public struct ProvenanceResult: Codable, Sendable, Equatable {
    public var verdict: String
    public var fails: Int
    public var warnings: Int
    public var infos: Int
    /// `SEVERITY rule: message`, worst first.
    public var findings: [String]
    public var cards: [String]
    public var report: String
}

/// Stage 4: manifest, audit and card. Each folder gets a `manifest.json` with its license,
/// lineage (teacher, base, traces, quantisation source) and file hashes; the model folders get
/// a Hugging Face card; then the audit checks every model against its whole lineage.
struct ProvenanceStage {
    let spec: PipelineSpec
    let knowledgeBase: LicenseKnowledgeBase
    let traces: URL
    let modelFolder: URL
    /// GGUF folders by type.
    let quantized: [(type: String, folder: URL, bitsPerWeight: Double?)]

    func fingerprint(inputs: [String]) throws -> String {
        let shipped = try spec.ship.map { try ContentDigest.file(URL(fileURLWithPath: $0)) }
        return ContentDigest.combine(["provenance", try ContentDigest.settings(spec), knowledgeBase.root.path] + inputs + shipped)
    }

    func run(train: TrainResult?, teacherSHA256: String?) throws -> ProvenanceResult {
        do {
            try shipFiles()
            try writeTracesManifest()
            try writeModelManifest(train: train, teacherSHA256: teacherSHA256)
            for q in quantized { try writeQuantizedManifest(q) }
            var cards: [String] = []
            for folder in [modelFolder] + quantized.map(\.folder) {
                cards.append(try ModelCard.write(for: folder, knowledgeBase: knowledgeBase).path)
            }
            let report = Auditor(knowledgeBase: knowledgeBase).audit(paths: [modelFolder] + quantized.map(\.folder))
            let count = { (s: Severity) in report.findings.filter { $0.severity == s }.count }
            return ProvenanceResult(verdict: report.verdict.rawValue, fails: count(.fail), warnings: count(.warn), infos: count(.info),
                                    findings: report.findings.map { "\($0.severity.rawValue.uppercased()) \($0.rule): \($0.message)" },
                                    cards: cards, report: report.text())
        } catch let error as ProvenanceError {
            throw PipelineError.stageFailed(stage: "provenance", why: "\(error)")
        }
    }

    /// `ship:` files into every model folder, before the manifests record the folders' files.
    private func shipFiles() throws {
        let fm = FileManager.default
        // Resolved first: copying a symlink (examples/ links into the bundle) would copy the link.
        for source in spec.ship.map({ URL(fileURLWithPath: $0).resolvingSymlinksInPath() }) {
            guard fm.fileExists(atPath: source.path) else {
                throw PipelineError.stageFailed(stage: "provenance", why: "ship: \(source.path) does not exist")
            }
            for folder in [modelFolder] + quantized.map(\.folder) {
                let target = folder.appendingPathComponent(source.lastPathComponent)
                try? fm.removeItem(at: target)
                try fm.copyItem(at: source, to: target)
            }
        }
    }

    /// The teacher as a lineage parent: its Hub id when given, its license from the file or the knowledge base.
    var teacherParent: Parent {
        let id = spec.teacher.id ?? spec.teacher.model
        return Parent(id: id, role: .teacher, relation: .distillation,
                      license: spec.teacher.license ?? knowledgeBase.model(id)?.license)
    }

    var tracesName: String { "\(spec.name)-traces" }

    private func declared(_ manifest: inout Manifest) throws {
        for (key, value) in spec.declarations.sorted(by: { $0.key < $1.key }) { try manifest.declare(key, value) }
    }

    private func writeTracesManifest() throws {
        var m = Manifest(name: tracesName, license: spec.license, id: spec.id.map { "\($0)-traces" }, kind: .traces,
                         created: Manifest.timestamp())
        try m.addParent(teacherParent)
        try declared(&m)
        try m.recordFiles(in: traces)
        try m.write(to: traces)
    }

    private func writeModelManifest(train: TrainResult?, teacherSHA256: String?) throws {
        var m = Manifest(name: spec.name, license: spec.license, id: spec.id, kind: .model, created: Manifest.timestamp())
        let s = spec.student
        if s.isPruned {
            let teacher = teacherParent
            try m.addParent(Parent(id: teacher.id, role: .base, relation: .pruned, license: teacher.license, sha256: teacherSHA256))
        } else if s.pretrained != nil {
            let id = s.baseId ?? s.pretrained ?? ""
            try m.addParent(Parent(id: id, role: .base, relation: .finetune, license: s.baseLicense ?? knowledgeBase.model(id)?.license))
        }
        try m.addParent(teacherParent)
        try m.addParent(Parent(id: spec.id.map { "\($0)-traces" } ?? tracesName, role: .dataset, relation: .distillation,
                               license: spec.license, path: relativePath(from: modelFolder, to: traces)))
        m.training = trainingRecord(train)
        try declared(&m)
        try m.recordFiles(in: modelFolder)
        try m.write(to: modelFolder)
    }

    private func writeQuantizedManifest(_ q: (type: String, folder: URL, bitsPerWeight: Double?)) throws {
        var m = Manifest(name: "\(spec.name)-\(q.type)", license: spec.license, id: spec.id.map { "\($0)-\(q.type)-GGUF" },
                         kind: .model, created: Manifest.timestamp())
        try m.addParent(Parent(id: spec.id ?? spec.name, role: .base, relation: .quantized, license: spec.license,
                               path: relativePath(from: q.folder, to: modelFolder)))
        m.quantization = QuantizationRecord(type: q.type, bitsPerWeight: q.bitsPerWeight,
                                            calibrationData: spec.quantize.calibrate ? tracesName : nil, tool: Manifest.toolVersion)
        try declared(&m)
        try m.recordFiles(in: q.folder)
        try m.write(to: q.folder)
    }

    private func trainingRecord(_ train: TrainResult?) -> TrainingRecord {
        let t = spec.train
        var settings: [String: String] = [
            "lr": "\(t.lr)", "seq_len": "\(t.seqLen)", "tokens_per_step": "\(t.tokensPerStep)",
            "kd_weight": "\(t.kdWeight)", "kd_temperature": "\(t.kdTemperature)", "seed": "\(t.seed)",
        ]
        if let steps = train?.steps { settings["steps"] = "\(steps)" }
        if let k = spec.student.keepEvery { settings["keep_every"] = "\(k)" }
        if let layers = spec.student.keepLayers { settings["keep_layers"] = layers.map(String.init).joined(separator: ",") }
        var figures: [String: Double] = [:]
        if let train {
            figures["eval_loss"] = train.after.loss
            if let kl = train.after.kl { figures["eval_kl_to_teacher"] = kl }
            if let before = train.before {
                figures["eval_loss_before"] = before.loss
                if let kl = before.kl { figures["eval_kl_to_teacher_before"] = kl }
            }
        }
        return TrainingRecord(method: t.kdWeight > 0 ? "sft+kd" : "sft", settings: settings, figures: figures)
    }

    /// `to` relative to `from` when both sit in the same output folder (the usual case).
    private func relativePath(from: URL, to: URL) -> String {
        let a = from.standardizedFileURL.deletingLastPathComponent().path
        let b = to.standardizedFileURL.deletingLastPathComponent().path
        return a == b ? "../" + to.lastPathComponent : to.standardizedFileURL.path
    }
}
