import Evaluation
import Foundation
import ModelLoading
import Quantization

/// One GGUF file the quantize stage wrote, and how close it stays to the trained student.
public struct QuantizedOutput: Codable, Sendable, Equatable {
    public var type: String
    public var path: String
    /// Quantised with importance weights from the traces (`calibrate: true`).
    public var calibrated: Bool
    public var bytes: Int
    public var bitsPerWeight: Double
    /// Mean KL from the student (F32) to this file, top-1 agreement and perplexity ratio on traces.
    public var klMean: Double
    public var top1Agreement: Double
    public var perplexityRatio: Double
}

public struct QuantizeResult: Codable, Sendable, Equatable {
    public var outputs: [QuantizedOutput]
    public var evaluatedTokens: Int
}

/// Stage 3: the trained student becomes one GGUF file per type, each in its own folder
/// (`NAME-TYPE-GGUF/NAME-TYPE.gguf`, the Hub's naming), and each is measured against the
/// student on the traces (`distillery quantize --eval`).
struct QuantizeStage {
    let spec: PipelineSpec
    let threads: Int
    let output: URL
    let modelFolder: URL
    let traces: URL

    func fingerprint(modelDigest: String, tracesDigest: String) throws -> String {
        ContentDigest.combine(["quantize", modelDigest, tracesDigest, try ContentDigest.settings(spec.quantize)])
    }

    static func fileName(name: String, type: String) -> String { "\(name)-\(type).gguf" }

    func folder(type: String) -> URL { output.appendingPathComponent("\(spec.name)-\(type)-GGUF") }

    func files() -> [URL] {
        spec.quantize.types.map { folder(type: $0.uppercased()).appendingPathComponent(Self.fileName(name: spec.name, type: $0.uppercased())) }
    }

    func run(note: (String) -> Void) throws -> QuantizeResult {
        let reference = try LoadedModel.load(modelFolder.path, threads: threads)
        let calibration = try spec.quantize.calibrate ? Calibration(
            importance: ActivationStatistics.collect(model: reference, traces: traces, maxTokens: spec.quantize.calibrationTokens),
            dataset: traces.lastPathComponent, tokens: spec.quantize.calibrationTokens) : nil
        var outputs: [QuantizedOutput] = []
        var tokens = 0
        for (type, file) in zip(spec.quantize.types.map { $0.uppercased() }, files()) {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let summary = try Quantizer.quantize(model: modelFolder.path, type: type, output: file, calibration: calibration)
            for warning in summary.warnings { note("\(type): warning: \(warning)") }
            let quantised = try LoadedModel.load(file.path, threads: threads)
            let limits = EvaluationLimits(maxSequences: spec.quantize.evalSequences)
            let report = try QualityEvaluation.compare(model: quantised, reference: reference, traces: traces, limits: limits)
            tokens = report.tokens
            outputs.append(QuantizedOutput(type: type, path: file.path, calibrated: summary.calibrated, bytes: summary.bytes,
                                           bitsPerWeight: report.model.bitsPerWeight, klMean: report.klDivergence.mean,
                                           top1Agreement: report.top1Agreement, perplexityRatio: report.perplexityRatio))
            note(String(format: "%@: %@, KL %.5f, top-1 %.1f%%", type, ByteCount.text(summary.bytes), report.klDivergence.mean,
                        report.top1Agreement * 100))
        }
        return QuantizeResult(outputs: outputs, evaluatedTokens: tokens)
    }
}

/// Sizes as people read them: 1.2 GB, 35.0 MB, 812 kB.
enum ByteCount {
    static func text(_ bytes: Int) -> String {
        let b = Double(bytes)
        if b >= 1e9 { return String(format: "%.2f GB", b / 1e9) }
        if b >= 1e6 { return String(format: "%.1f MB", b / 1e6) }
        if b >= 1e3 { return String(format: "%.0f kB", b / 1e3) }
        return "\(bytes) B"
    }
}
