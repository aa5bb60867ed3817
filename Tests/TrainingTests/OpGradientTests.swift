#if canImport(Glibc)
import Glibc
#endif
import Testing
import Tensors
import Transformer
@testable import Training

/// Every op's backward pass against central finite differences of its forward pass.
@Suite struct OpGradientTests {
    let pool = ComputePool(threadCount: 2)
    static let tolerance = 2e-2

    @Test func rmsNorm() {
        var r = SeededRandom(seed: 1), fd = FiniteDifference()
        let rows = 3, width = 16
        let x = r.normals(rows * width), g = r.normals(width), w = r.normals(rows * width)
        func run(_ x: [Float], _ g: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: rows * width), rms = [Float](repeating: 0, count: rows)
            RMSNormLayer.forward(x, weight: g, epsilon: 1e-5, out: &out, reciprocalRMS: &rms, rows: rows, width: width, pool: pool)
            return out
        }
        var rms = [Float](repeating: 0, count: rows), out = [Float](repeating: 0, count: rows * width)
        RMSNormLayer.forward(x, weight: g, epsilon: 1e-5, out: &out, reciprocalRMS: &rms, rows: rows, width: width, pool: pool)
        var dx = [Float](repeating: 0, count: rows * width), dg = [Float](repeating: 0, count: width)
        RMSNormLayer.backward(w, x: x, weight: g, reciprocalRMS: rms, dx: &dx, dWeight: &dg, rows: rows, width: width, pool: pool)
        #expect(fd.worstError(point: x, gradient: dx) { weightedSum(run($0, g), w) } < Self.tolerance)
        #expect(fd.worstError(point: g, gradient: dg) { weightedSum(run(x, $0), w) } < Self.tolerance)
    }

    @Test func swiGLU() {
        var r = SeededRandom(seed: 2), fd = FiniteDifference()
        let count = 40
        let gate = r.normals(count, scale: 2), up = r.normals(count), w = r.normals(count)
        func run(_ gate: [Float], _ up: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: count)
            SwiGLULayer.forward(gate: gate, up: up, out: &out, count: count, pool: pool)
            return out
        }
        var dGate = [Float](repeating: 0, count: count), dUp = [Float](repeating: 0, count: count)
        SwiGLULayer.backward(w, gate: gate, up: up, dGate: &dGate, dUp: &dUp, count: count, pool: pool)
        #expect(fd.worstError(point: gate, gradient: dGate) { weightedSum(run($0, up), w) } < Self.tolerance)
        #expect(fd.worstError(point: up, gradient: dUp) { weightedSum(run(gate, $0), w) } < Self.tolerance)
    }

    @Test func linearWithBias() {
        var r = SeededRandom(seed: 3), fd = FiniteDifference()
        let n = 5, inputs = 12, outputs = 7
        let x = r.normals(n * inputs), weight = r.normals(outputs * inputs), bias = r.normals(outputs), w = r.normals(n * outputs)
        func run(_ x: [Float], _ weight: [Float], _ bias: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: n * outputs)
            bias.withUnsafeBufferPointer { b in
                LinearLayer.forward(x, weight: weight, bias: b.baseAddress, out: &y, rows: n, inputs: inputs, outputs: outputs,
                                    gemm: ParallelGemm(pool: pool))
            }
            return y
        }
        var dx = [Float](repeating: 0, count: n * inputs), dW = [Float](repeating: 0, count: outputs * inputs)
        var db = [Float](repeating: 0, count: outputs)
        db.withUnsafeMutableBufferPointer { dbp in
            LinearLayer.backward(w, x: x, weight: weight, dx: &dx, accumulateInput: false, dWeight: &dW, dBias: dbp.baseAddress,
                                 rows: n, inputs: inputs, outputs: outputs, gemm: ParallelGemm(pool: pool))
        }
        #expect(fd.worstError(point: x, gradient: dx) { weightedSum(run($0, weight, bias), w) } < Self.tolerance)
        #expect(fd.worstError(point: weight, gradient: dW) { weightedSum(run(x, $0, bias), w) } < Self.tolerance)
        #expect(fd.worstError(point: bias, gradient: db) { weightedSum(run(x, weight, $0), w) } < Self.tolerance)
    }

    @Test(arguments: [ModelConfig.RoPEStyle.halves])
    func rotary(style: ModelConfig.RoPEStyle) {
        var r = SeededRandom(seed: 4), fd = FiniteDifference()
        let config = tinyConfig(style: style)
        let documents = [0..<3, 3..<7], tokens = 7, width = config.queryDimension
        var layer = RotaryLayer(config: config)
        layer.prepare(tokenCount: tokens, documents: documents)
        let x = r.normals(tokens * width), w = r.normals(tokens * width)
        func run(_ x: [Float]) -> [Float] {
            var y = x
            layer.forward(&y, heads: config.headCount, tokens: tokens)
            return y
        }
        var dx = w
        layer.backward(&dx, heads: config.headCount, tokens: tokens)
        #expect(fd.worstError(point: x, gradient: dx) { weightedSum(run($0), w) } < Self.tolerance)
        // Positions restart per document: token 3 is rotated as position 0, i.e. not at all.
        let rotated = run(x)
        #expect(Array(rotated[3 * width ..< 4 * width]) == Array(x[3 * width ..< 4 * width]))
    }

    @Test func causalAttentionOverPackedDocuments() {
        var r = SeededRandom(seed: 5), fd = FiniteDifference()
        let config = tinyConfig(style: .halves)
        let layer = CausalAttentionLayer(config: config)
        let documents = [0..<4, 4..<9, 10..<12], tokens = 12
        let qd = config.queryDimension, kvd = config.keyValueDimension
        let q = r.normals(tokens * qd), k = r.normals(tokens * kvd), v = r.normals(tokens * kvd), w = r.normals(tokens * qd)
        let (offsets, total) = layer.scratchLayout(documents: documents)
        func run(_ q: [Float], _ k: [Float], _ v: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: tokens * qd), scratch = [Float](repeating: 0, count: total)
            layer.forward(query: q, key: k, value: v, out: &out, scratch: &scratch, documents: documents,
                          scratchOffsets: offsets, pool: pool)
            return out
        }
        var dq = [Float](repeating: 9, count: tokens * qd), dk = [Float](repeating: 9, count: tokens * kvd)
        var dv = [Float](repeating: 9, count: tokens * kvd), scratch = [Float](repeating: 0, count: total)
        layer.backward(w, query: q, key: k, value: v, dQuery: &dq, dKey: &dk, dValue: &dv,
                       scratch: &scratch, tokens: tokens, documents: documents, scratchOffsets: offsets, pool: pool)
        #expect(fd.worstError(point: q, gradient: dq) { weightedSum(run($0, k, v), w) } < Self.tolerance)
        #expect(fd.worstError(point: k, gradient: dk) { weightedSum(run(q, $0, v), w) } < Self.tolerance)
        #expect(fd.worstError(point: v, gradient: dv) { weightedSum(run(q, k, $0), w) } < Self.tolerance)
        // Token 9 is in no document: it neither attends nor receives gradient.
        #expect(dq[9 * qd ..< 10 * qd].allSatisfy { $0 == 0 } && dk[9 * kvd ..< 10 * kvd].allSatisfy { $0 == 0 })
        // Document boundaries hold: the first document's output ignores the second's values.
        var v2 = v
        for i in 4 * kvd ..< 9 * kvd { v2[i] += 1 }
        #expect(Array(run(q, k, v2)[0 ..< 4 * qd]) == Array(run(q, k, v)[0 ..< 4 * qd]))
    }

    @Test func lossHeadCrossEntropyAndDistillation() {
        var r = SeededRandom(seed: 6), fd = FiniteDifference()
        let vocabulary = 30, width = 8, tokens = 5, topK = 3
        let head = LossHead(vocabulary: vocabulary, width: width, chunkRows: 2)
        let x = r.normals(tokens * width), weight = r.normals(vocabulary * width)
        let batch = TrainingBatch(rows: 1, sequenceLength: tokens, tokens: [1, 2, 3, 4, 5], documents: [0..<5],
                                  targets: [-1, 4, 7, -1, 9], teacherTopK: topK,
                                  teacherIDs: [-1, -1, -1, 4, 2, 11, 6, 7, -1, -1, -1, -1, 9, 3, 1],
                                  teacherLogprobs: [0, 0, 0, -0.3, -1.6, -2.5, -0.2, -1.9, -1e30, 0, 0, 0, -0.7, -1.1, -2.2])
        let scales = LossHead.Scales(sft: 0.5 / 3, kd: 0.5 * 2 / 3, temperature: 2)
        func loss(_ x: [Float], _ weight: [Float]) -> Double {
            var logits = [Float](repeating: 0, count: 2 * vocabulary), gathered = [Float](repeating: 0, count: 4 * width)
            let sums = head.run(input: x, head: weight, batch: batch, scales: scales, logits: &logits, gathered: &gathered,
                                dInput: nil, dHead: nil, pool: pool)
            return 0.5 * sums.crossEntropy / 3 + 0.5 * 4 * sums.kl / 3
        }
        var logits = [Float](repeating: 0, count: 2 * vocabulary), gathered = [Float](repeating: 0, count: 4 * width)
        var dx = [Float](repeating: 0, count: tokens * width), dW = [Float](repeating: 0, count: vocabulary * width)
        let sums = head.run(input: x, head: weight, batch: batch, scales: scales, logits: &logits, gathered: &gathered,
                            dInput: &dx, dHead: &dW, pool: pool)
        #expect(sums.targets == 3 && sums.teacherPositions == 3)
        #expect(fd.worstError(point: x, gradient: dx, step: 1e-2) { loss($0, weight) } < Self.tolerance)
        #expect(fd.worstError(point: weight, gradient: dW, step: 1e-2) { loss(x, $0) } < Self.tolerance)
        // Position 0 has neither target nor teacher data: no gradient reaches it.
        #expect(dx[0 ..< width].allSatisfy { $0 == 0 })
    }

    func tinyConfig(style: ModelConfig.RoPEStyle) -> ModelConfig {
        ModelConfig(architecture: "llama", hiddenSize: 16, intermediateSize: 24, layerCount: 2, headCount: 4,
                    keyValueHeadCount: 2, headDimension: 4, vocabularySize: 40, contextLength: 64,
                    rmsNormEpsilon: 1e-5, ropeTheta: 10000, ropeStyle: style)
    }
}
