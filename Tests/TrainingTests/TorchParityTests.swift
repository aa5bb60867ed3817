import Foundation
import ModelFormats
import ModelLoading
import Testing
import Transformer
@testable import Training

/// Loss and every parameter's gradient against PyTorch + transformers on the same tiny models
/// and packed batch (Fixtures/tiny_*, made by scripts/fixtures/make_training_fixtures.py):
/// a Llama with GQA and an untied head, and a Qwen2 with q/k/v biases and a tied head.
@Suite struct TorchParityTests {
    struct Batch: Decodable {
        var rows, sequenceLength: Int
        var tokens: [Int32]
        var documents: [[Int]]
        var targets: [Int32]
        var teacherTopK: Int
        var teacherIDs: [Int32]
        var teacherLogprobs: [Float]
    }

    struct Expected: Decodable {
        struct SFTOnly: Decodable { var total: Double; var gradients: String? }
        var sft, kd, total: Double
        var kdWeight, kdTemperature: Float
        var sft_only: SFTOnly?
        var targetCount, teacherPositionCount: Int
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test(arguments: ["tiny_llama", "tiny_qwen2"])
    func lossAndGradientsMatchPyTorch(model name: String) throws {
        let folder = Self.fixtures.appendingPathComponent(name)
        let (graph, parameters) = try Self.load(folder)
        let batch = try Self.batch(folder)
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: folder.appendingPathComponent("expected.json")))
        #expect(batch.targetCount == expected.targetCount && batch.teacherPositionCount == expected.teacherPositionCount)

        let objective = TrainingObjective(kdWeight: expected.kdWeight, kdTemperature: expected.kdTemperature)
        let reference = try SafetensorsFile(url: folder.appendingPathComponent("gradients.safetensors"))
        let total = try Self.check(graph: graph, parameters: parameters, batch: batch, objective: objective,
                                   reference: reference, complete: true)
        #expect(abs(total - expected.total) / expected.total < 1e-5, "loss \(total) vs PyTorch \(expected.total)")

        // Plain SFT: the fixture keeps only the tensors nearest the logits (α changes nothing
        // below them, and the full file already checks everything below).
        if let sftOnly = expected.sft_only, let file = sftOnly.gradients {
            let reference = try SafetensorsFile(url: folder.appendingPathComponent(file))
            let total = try Self.check(graph: graph, parameters: parameters, batch: batch.withoutTeacher(),
                                       objective: TrainingObjective(), reference: reference, complete: false)
            #expect(abs(total - sftOnly.total) / sftOnly.total < 1e-5)
        }
    }

    /// Runs the batch and compares every gradient tensor with PyTorch's: the largest element
    /// difference within 1e-4 of the tensor's largest gradient. Returns the loss.
    static func check(graph: DecoderGraph, parameters: [Float], batch: TrainingBatch, objective: TrainingObjective,
                      reference: SafetensorsFile, complete: Bool) throws -> Double {
        var gradients = [Float](repeating: 0, count: graph.layout.totalCount)
        let sums = try graph.accumulateGradients(batch, parameters: parameters, gradients: &gradients, objective: objective,
                                                 targetTotal: batch.targetCount, teacherTotal: batch.teacherPositionCount)
        if complete { #expect(Set(reference.tensorNames) == Set(graph.layout.tensors.map(\.name))) }
        for tensor in graph.layout.tensors where reference.info(named: tensor.name) != nil {
            let expected = try reference.tensor(named: tensor.name)
            #expect(expected.shape == tensor.shape)
            let ours = gradients[tensor.offset ..< tensor.offset + tensor.count]
            let scale = expected.values.map(abs).max() ?? 0
            let worst = zip(ours, expected.values).map { abs($0 - $1) }.max() ?? 0
            #expect(scale > 0 && worst <= 1e-4 * scale, "\(tensor.name): max difference \(worst), largest gradient \(scale)")
        }
        let alpha = Double(objective.kdWeight), t = Double(objective.kdTemperature)
        let teacher = batch.teacherPositionCount
        return (1 - alpha) * sums.crossEntropy / Double(batch.targetCount)
            + (teacher > 0 ? alpha * t * t * sums.kl / Double(teacher) : 0)
    }

    static func load(_ folder: URL) throws -> (DecoderGraph, [Float]) {
        let hf = try HFModelConfig(url: folder.appendingPathComponent("config.json"))
        let config = try HFModelLoader.config(of: hf, file: folder.path)
        let graph = try DecoderGraph(config: config, capacity: 64, threads: 2, headChunkRows: 7)
        let file = try SafetensorsFile(url: folder.appendingPathComponent("model.safetensors"))
        var parameters = [Float](repeating: 0, count: graph.layout.totalCount)
        for tensor in graph.layout.tensors {
            let values = try file.tensor(named: tensor.name)
            #expect(values.shape == tensor.shape)
            parameters.replaceSubrange(tensor.offset ..< tensor.offset + tensor.count, with: values.values)
        }
        return (graph, parameters)
    }

    static func batch(_ folder: URL) throws -> TrainingBatch {
        let b = try JSONDecoder().decode(Batch.self, from: Data(contentsOf: folder.appendingPathComponent("batch.json")))
        return TrainingBatch(rows: b.rows, sequenceLength: b.sequenceLength, tokens: b.tokens,
                             documents: b.documents.map { $0[0] ..< $0[1] }, targets: b.targets, teacherTopK: b.teacherTopK,
                             teacherIDs: b.teacherIDs, teacherLogprobs: b.teacherLogprobs)
    }
}
