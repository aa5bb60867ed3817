import Testing
import Tensors
import Transformer
@testable import Training

/// The whole graph's gradient, one parameter tensor at a time, against finite differences of
/// its loss: every backward path (embedding, norms, RoPE, attention, SwiGLU, head, both
/// losses) on a tiny model with packed documents.
@Suite struct DecoderGraphGradientTests {
    @Test(arguments: [(tied: true, bias: false), (tied: false, bias: true)])
    func everyParameterTensorMatchesFiniteDifferences(variant: (tied: Bool, bias: Bool)) throws {
        let config = ModelConfig(architecture: variant.bias ? "qwen2" : "llama", hiddenSize: 16, intermediateSize: 24,
                                 layerCount: 2, headCount: 4, keyValueHeadCount: 2, headDimension: 4, vocabularySize: 40,
                                 contextLength: 64, rmsNormEpsilon: 1e-5, ropeTheta: 10000, ropeStyle: .halves,
                                 hasAttentionBias: variant.bias, tiedEmbeddings: variant.tied)
        let graph = try DecoderGraph(config: config, capacity: 16, threads: 2, headChunkRows: 3)
        var random = SeededRandom(seed: 9)
        var parameters = random.normals(graph.layout.totalCount, scale: 0.5)
        for tensor in graph.layout.tensors where !tensor.decays && tensor.name.hasSuffix("norm.weight") {
            for i in tensor.offset ..< tensor.offset + tensor.count { parameters[i] = 1 + 0.2 * parameters[i] }
        }
        let batch = Self.packedBatch()
        let objective = TrainingObjective(kdWeight: 0.4, kdTemperature: 1.5)
        let targets = batch.targetCount, teachers = batch.teacherPositionCount
        var gradients = [Float](repeating: 0, count: graph.layout.totalCount)
        _ = try graph.accumulateGradients(batch, parameters: parameters, gradients: &gradients, objective: objective,
                                          targetTotal: targets, teacherTotal: teachers)
        func loss(_ p: [Float]) -> Double {
            guard let sums = try? graph.evaluate(batch, parameters: p, temperature: objective.kdTemperature) else { return .nan }
            let alpha = Double(objective.kdWeight), t = Double(objective.kdTemperature)
            return (1 - alpha) * sums.crossEntropy / Double(targets) + alpha * t * t * sums.kl / Double(teachers)
        }
        var fd = FiniteDifference()
        for tensor in graph.layout.tensors {
            let range = tensor.offset ..< tensor.offset + tensor.count
            let error = fd.worstError(point: Array(parameters[range]), gradient: Array(gradients[range]), step: 1e-2,
                                      directions: 2) { slice in
                var p = parameters
                p.replaceSubrange(range, with: slice)
                return loss(p)
            }
            #expect(error < 2e-2, "\(tensor.name): relative error \(error)")
        }
    }

    /// Two rows of 8: row 0 packs documents of 3 and 5 tokens, row 1 one of 6 then padding.
    static func packedBatch() -> TrainingBatch {
        let tokens: [Int32] = [5, 17, 3, 8, 22, 9, 31, 2, 11, 4, 39, 6, 27, 13, 0, 0]
        let documents = [0..<3, 3..<8, 8..<14]
        var targets = [Int32](repeating: -1, count: 16)
        for d in documents { for i in d.lowerBound + 1 ..< d.upperBound - 1 { targets[i] = tokens[i + 1] } }
        let k = 2
        var ids = [Int32](repeating: -1, count: 16 * k), logprobs = [Float](repeating: -1e30, count: 16 * k)
        for i in [4, 5, 6, 9, 10, 11] {
            ids[i * k] = tokens[i + 1]; logprobs[i * k] = -0.4
            ids[i * k + 1] = Int32((i * 7) % 40); logprobs[i * k + 1] = -1.3
        }
        return TrainingBatch(rows: 2, sequenceLength: 8, tokens: tokens, documents: documents, targets: targets,
                             teacherTopK: k, teacherIDs: ids, teacherLogprobs: logprobs)
    }
}
