import Foundation
import Quantization
import Testing
import ModelLoading
@testable import Evaluation

/// `quantize --calibrate`: statistics gathered on one set of traces make a quantised SmolLM2
/// closer to its source on another set than the same type without them.
@Suite(.serialized)
struct CalibratedQuantizeTests {
    @Test(arguments: ["Q4_K_M", "Q4_0"])
    func calibrationLowersTheDivergenceOnHeldOutTraces(_ type: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-calibrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let calibrationTraces = try TraceFolder.make(TraceFolder.calibrationConversations)
        let heldOut = try TraceFolder.make()
        defer { for url in [calibrationTraces, heldOut] { try? FileManager.default.removeItem(at: url) } }

        let source = folder.appendingPathComponent("f32.gguf")
        _ = try Quantizer.quantize(model: QualityEvaluationTests.modelName, type: "F32", output: source)
        let reference = try LoadedModel.load(source.path, threads: 2)
        let importance = try ActivationStatistics.collect(model: reference, traces: calibrationTraces, maxTokens: 4096)
        let calibration = Calibration(importance: importance, dataset: "calibration", tokens: 4096)

        func divergence(_ calibration: Calibration?) throws -> QualityReport {
            let url = folder.appendingPathComponent("\(type)-\(calibration == nil ? "plain" : "calibrated").gguf")
            let summary = try Quantizer.quantize(model: source.path, type: type, output: url, calibration: calibration)
            #expect(summary.calibrated == (calibration != nil))
            return try QualityEvaluation.compare(model: LoadedModel.load(url.path, threads: 2), reference: reference, traces: heldOut)
        }
        let plain = try divergence(nil), calibrated = try divergence(calibration)
        print("\(type): mean KL \(plain.klDivergence.mean) without calibration, \(calibrated.klDivergence.mean) with; "
              + "top-1 \(plain.top1Agreement) → \(calibrated.top1Agreement)")
        #expect(calibrated.klDivergence.mean < plain.klDivergence.mean)
    }
}
