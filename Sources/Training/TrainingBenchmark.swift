import Foundation
import Tensors
import Transformer

/// Training throughput on a model shape with random weights: full optimiser steps (forward,
/// backward, clipping, AdamW) over `rows × sequenceLength` random tokens, every position a
/// target, the same work `scripts/bench/train_peer.py` gives PyTorch.
public struct TrainingBenchmark: Sendable {
    /// The three shapes issue 5 names: SmolLM2-135M, its every-third-layer student, and a
    /// tiny model whose time goes to the 49k-wide head.
    public static func shape(named name: String) -> ModelConfig? {
        func smolLM2(layers: Int, hidden: Int = 576, ffn: Int = 1536, heads: Int = 9, kvHeads: Int = 3) -> ModelConfig {
            ModelConfig(architecture: "llama", hiddenSize: hidden, intermediateSize: ffn, layerCount: layers, headCount: heads,
                        keyValueHeadCount: kvHeads, headDimension: 64, vocabularySize: 49152, contextLength: 8192,
                        rmsNormEpsilon: 1e-5, ropeTheta: 100_000, ropeStyle: .halves)
        }
        switch name {
        case "smollm2": return smolLM2(layers: 30)
        case "student10": return smolLM2(layers: 10)
        case "tiny": return smolLM2(layers: 4, hidden: 256, ffn: 768, heads: 4, kvHeads: 2)
        default: return nil
        }
    }

    public var config: ModelConfig
    public var rows = 4
    public var sequenceLength = 512
    public var steps = 5
    public var warmupSteps = 2
    public var threads = 2

    public init(config: ModelConfig) { self.config = config }

    public struct Result: Sendable, Encodable {
        public var tokensPerSecond: Double
        public var stepSeconds: [Double]
        /// 6·(parameters, the head counted as a matmul) + 12·layers·sequence·hidden per token.
        public var flopsPerToken: Double
        public var gigaflopsPerSecond: Double
    }

    public func run() throws -> Result {
        let graph = try DecoderGraph(config: config, capacity: rows * sequenceLength, threads: threads)
        let layout = graph.layout
        let parameters = try FloatBuffer(count: layout.totalCount), gradients = try FloatBuffer(count: layout.totalCount)
        var random = SplitMix64(seed: 1)
        for tensor in layout.tensors {
            let norm = tensor.name.hasSuffix("norm.weight")
            for i in tensor.offset ..< tensor.offset + tensor.count {
                parameters.pointer[i] = norm ? 1 : Float(random.nextUnitInterval() - 0.5) * 0.04
            }
        }
        let n = rows * sequenceLength
        let tokens = (0..<n).map { _ in Int32(random.next() % UInt64(config.vocabularySize)) }
        var targets = [Int32](repeating: -1, count: n)
        for i in 0..<n where (i + 1) % sequenceLength != 0 { targets[i] = tokens[i + 1] }
        let documents = (0..<rows).map { $0 * sequenceLength ..< ($0 + 1) * sequenceLength }
        let batch = TrainingBatch(rows: rows, sequenceLength: sequenceLength, tokens: tokens, documents: documents, targets: targets)
        let optimizer = try AdamW(layout: layout, settings: .init())
        var seconds: [Double] = []
        for step in 0 ..< warmupSteps + steps {
            let start = DispatchTime.now().uptimeNanoseconds
            gradients.pointer.update(repeating: 0, count: layout.totalCount)
            _ = try graph.accumulateGradients(batch, parameters: parameters.pointer, gradients: gradients.pointer,
                                              objective: TrainingObjective(), targetTotal: batch.targetCount, teacherTotal: 0)
            GradientClipping.clip(gradients.pointer, count: layout.totalCount, maximum: 1, pool: graph.pool)
            optimizer.step(parameters: parameters.pointer, gradients: gradients.pointer, lr: 1e-4, pool: graph.pool)
            if step >= warmupSteps { seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        }
        let median = seconds.sorted()[seconds.count / 2]
        let matmulParameters = Double(layout.totalCount - (config.tiedEmbeddings ? 0 : config.vocabularySize * config.hiddenSize))
        let flops = 6 * matmulParameters + 12 * Double(config.layerCount * sequenceLength * config.hiddenSize)
        let tokensPerSecond = Double(n) / median
        return Result(tokensPerSecond: tokensPerSecond, stepSeconds: seconds, flopsPerToken: flops,
                      gigaflopsPerSecond: flops * tokensPerSecond / 1e9)
    }
}
