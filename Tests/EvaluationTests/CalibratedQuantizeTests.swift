import Foundation
import Quantization
import Testing
import ModelLoading
@testable import Evaluation

/// `quantize --calibrate`: statistics gathered on one set of SmolLM2 traces make a quantised
/// SmolLM2 closer to its source on another set than the same type without them.
///
/// Fixtures/calibration_traces and Fixtures/heldout_traces are real traces of the teacher
/// (`distillery generate`, 256 tokens at most, on scripts/bench/calibration_prompts.txt with
/// seed 11 and scripts/bench/prompts.txt with seed 7); no prompt is in both.
@Suite(.serialized)
struct CalibratedQuantizeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test(arguments: ["Q4_K_M", "Q4_0"])
    func calibrationLowersTheDivergenceOnHeldOutTraces(_ type: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-calibrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let calibrationTraces = Self.fixtures.appendingPathComponent("calibration_traces")
        let heldOut = Self.fixtures.appendingPathComponent("heldout_traces")

        let source = folder.appendingPathComponent("f32.gguf")
        _ = try Quantizer.quantize(model: QualityEvaluationTests.modelName, type: "F32", output: source)
        let reference = try LoadedModel.load(source.path, threads: 2)
        let importance = try ActivationStatistics.collect(model: reference, traces: calibrationTraces, maxTokens: 4096)
        let calibration = Calibration(importance: importance, dataset: "calibration_traces", tokens: 4096)

        func divergence(_ calibration: Calibration?) throws -> QualityReport {
            let url = folder.appendingPathComponent("\(type)-\(calibration == nil ? "plain" : "calibrated").gguf")
            let summary = try Quantizer.quantize(model: source.path, type: type, output: url, calibration: calibration)
            #expect(summary.calibrated == (calibration != nil))
            return try QualityEvaluation.compare(model: LoadedModel.load(url.path, threads: 2), reference: reference,
                                                 traces: heldOut, limits: EvaluationLimits(maxSequences: 16))
        }
        let plain = try divergence(nil), calibrated = try divergence(calibration)
        print("\(type): mean KL \(plain.klDivergence.mean) without calibration, \(calibrated.klDivergence.mean) with "
              + "(\(plain.tokens) tokens); top-1 \(plain.top1Agreement) → \(calibrated.top1Agreement)")
        #expect(plain.tokens > 1000)
        #expect(calibrated.klDivergence.mean < plain.klDivergence.mean)
    }
}
