import Tensors
import Transformer

/// Forward and backward passes of a dense decoder over a packed `TrainingBatch`, reading
/// parameters from and adding gradients into flat buffers laid out by `ParameterLayout`
/// (llm.c's shape: `forward` keeps what `backward` needs, `backward` walks it in reverse).
/// Not thread-safe: it reuses its activation buffers.
public final class DecoderGraph: @unchecked Sendable {
    public let config: ModelConfig
    public let layout: ParameterLayout
    public let capacity: Int
    let pool: ComputePool
    private let gemm: ParallelGemm
    private var rotary: RotaryLayer
    private let attention: CausalAttentionLayer
    private let lossHead: LossHead
    private let layers: [LayerActivations]
    private let scratch: BackwardScratch
    private let final, normedFinal, rmsFinal, logits, gathered: FloatBuffer

    /// `capacity`: the most tokens a batch holds (rows × sequence length).
    public init(config: ModelConfig, capacity: Int, threads: Int, headChunkRows: Int = 256) throws {
        guard config.ropeStyle == .halves else {
            throw TrainingError.invalidSetting("the trainer keeps Q/K in Hugging Face's half-rotation order")
        }
        try config.validate()
        self.config = config
        layout = ParameterLayout(config: config)
        self.capacity = capacity
        pool = ComputePool(threadCount: threads)
        gemm = ParallelGemm(pool: pool)
        // The pool parallelises every product itself (`ParallelGemm`).
        Gemm.setThreadCount(1)
        rotary = RotaryLayer(config: config)
        attention = CausalAttentionLayer(config: config)
        lossHead = LossHead(vocabulary: config.vocabularySize, width: config.hiddenSize, chunkRows: headChunkRows)
        layers = try (0..<config.layerCount).map { _ in try LayerActivations(config: config, capacity: capacity) }
        scratch = try BackwardScratch(config: config, capacity: capacity)
        let h = config.hiddenSize
        final = try FloatBuffer(count: capacity * h)
        normedFinal = try FloatBuffer(count: capacity * h)
        rmsFinal = try FloatBuffer(count: capacity)
        logits = try FloatBuffer(count: headChunkRows * config.vocabularySize)
        gathered = try FloatBuffer(count: 2 * headChunkRows * h)
    }

    /// Losses of `batch` without gradients (evaluation).
    public func evaluate(_ batch: TrainingBatch, parameters: UnsafePointer<Float>, temperature: Float = 1) throws -> LossSums {
        try forward(batch, parameters: parameters)
        return lossHead.run(input: normedFinal.pointer, head: parameters + headOffset, batch: batch,
                            scales: .init(sft: 0, kd: 0, temperature: temperature), logits: logits.pointer,
                            gathered: gathered.pointer, dInput: nil, dHead: nil, pool: pool)
    }

    /// Runs `batch` forward and backward and adds the gradient of
    /// `(1 − α)·ΣCE/targetTotal + α·T²·ΣKL/teacherTotal` into `gradients`. The totals are over
    /// the whole optimiser step, so micro-batches of one step add up to the step's mean.
    public func accumulateGradients(_ batch: TrainingBatch, parameters: UnsafePointer<Float>,
                                    gradients: UnsafeMutablePointer<Float>, objective: TrainingObjective,
                                    targetTotal: Int, teacherTotal: Int) throws -> LossSums {
        try forward(batch, parameters: parameters)
        let alpha = objective.kdWeight, t = objective.kdTemperature
        let scales = LossHead.Scales(sft: targetTotal > 0 ? (1 - alpha) / Float(targetTotal) : 0,
                                     kd: teacherTotal > 0 ? alpha * t / Float(teacherTotal) : 0, temperature: t)
        let n = batch.tokenCount, h = config.hiddenSize
        let sums = lossHead.run(input: normedFinal.pointer, head: parameters + headOffset, batch: batch, scales: scales,
                                logits: logits.pointer, gathered: gathered.pointer, dInput: scratch.dNormed.pointer,
                                dHead: gradients + headOffset, pool: pool)
        let dHidden = scratch.dHidden.pointer
        dHidden.update(repeating: 0, count: n * h)
        RMSNormLayer.backward(scratch.dNormed.pointer, x: final.pointer, weight: parameters + layout.offset(of: ParameterNames.outputNorm),
                              reciprocalRMS: rmsFinal.pointer, dx: dHidden,
                              dWeight: gradients + layout.offset(of: ParameterNames.outputNorm), rows: n, width: h, pool: pool)
        for l in stride(from: config.layerCount - 1, through: 0, by: -1) {
            try backwardLayer(l, batch: batch, parameters: parameters, gradients: gradients)
        }
        let embedding = gradients + layout.offset(of: ParameterNames.embedding)
        for i in 0..<n {
            VectorKernels.add(dHidden + i * h, into: embedding + Int(batch.tokens[i]) * h, count: h)
        }
        return sums
    }

    private var headOffset: Int {
        layout.offset(of: config.tiedEmbeddings ? ParameterNames.embedding : ParameterNames.outputHead)
    }

    private func check(_ batch: TrainingBatch) throws {
        let n = batch.tokenCount, v = config.vocabularySize
        guard n <= capacity, batch.targets.count == n else {
            throw TrainingError.invalidSetting("a batch of \(n) tokens exceeds the graph's capacity \(capacity) or has \(batch.targets.count) targets")
        }
        guard batch.tokens.allSatisfy({ $0 >= 0 && Int($0) < v }), batch.targets.allSatisfy({ Int($0) < v }) else {
            throw TrainingError.invalidSetting("a token id is outside the student's vocabulary of \(v)")
        }
        guard batch.documents.allSatisfy({ !$0.isEmpty && $0.lowerBound >= 0 && $0.upperBound <= n }),
              batch.teacherIDs.count == n * batch.teacherTopK, batch.teacherLogprobs.count == batch.teacherIDs.count else {
            throw TrainingError.invalidSetting("the batch's documents or teacher data do not match its \(n) tokens")
        }
    }

    private func forward(_ batch: TrainingBatch, parameters p: UnsafePointer<Float>) throws {
        try check(batch)
        let n = batch.tokenCount, h = config.hiddenSize, qd = config.queryDimension
        let kvd = config.keyValueDimension, ffn = config.intermediateSize, eps = config.rmsNormEpsilon
        rotary.prepare(tokenCount: n, documents: batch.documents)
        let (scratchOffsets, scratchTotal) = attention.scratchLayout(documents: batch.documents)
        try scratch.reserveAttention(scratchTotal)
        let embedding = p + layout.offset(of: ParameterNames.embedding)
        var x = layers.first?.input.pointer ?? final.pointer
        for i in 0..<n { (x + i * h).update(from: embedding + Int(batch.tokens[i]) * h, count: h) }

        for (l, a) in layers.enumerated() {
            let names = ParameterNames(layer: l)
            func w(_ name: String) -> UnsafePointer<Float> { p + layout.offset(of: name) }
            func bias(_ name: String) -> UnsafePointer<Float>? { config.hasAttentionBias ? w(name) : nil }
            if a.input.pointer != x { a.input.pointer.update(from: x, count: n * h) }
            RMSNormLayer.forward(a.input.pointer, weight: w(names.attentionNorm), epsilon: eps, out: scratch.normed.pointer,
                                 reciprocalRMS: a.rmsAttention.pointer, rows: n, width: h, pool: pool)
            LinearLayer.forward(scratch.normed.pointer, weight: w(names.query), bias: bias(names.queryBias),
                                out: a.query.pointer, rows: n, inputs: h, outputs: qd, gemm: gemm)
            LinearLayer.forward(scratch.normed.pointer, weight: w(names.key), bias: bias(names.keyBias),
                                out: a.key.pointer, rows: n, inputs: h, outputs: kvd, gemm: gemm)
            LinearLayer.forward(scratch.normed.pointer, weight: w(names.value), bias: bias(names.valueBias),
                                out: a.value.pointer, rows: n, inputs: h, outputs: kvd, gemm: gemm)
            rotary.forward(a.query.pointer, heads: config.headCount, tokens: n)
            rotary.forward(a.key.pointer, heads: config.keyValueHeadCount, tokens: n)
            a.attention.pointer.update(repeating: 0, count: n * qd)
            attention.forward(query: a.query.pointer, key: a.key.pointer, value: a.value.pointer, out: a.attention.pointer,
                              scratch: scratch.attention.pointer, documents: batch.documents,
                              scratchOffsets: scratchOffsets, pool: pool)
            LinearLayer.forward(a.attention.pointer, weight: w(names.attentionOutput), bias: nil, out: a.middle.pointer,
                                rows: n, inputs: qd, outputs: h, gemm: gemm)
            VectorKernels.add(a.input.pointer, into: a.middle.pointer, count: n * h)
            RMSNormLayer.forward(a.middle.pointer, weight: w(names.feedForwardNorm), epsilon: eps, out: scratch.normed.pointer,
                                 reciprocalRMS: a.rmsFeedForward.pointer, rows: n, width: h, pool: pool)
            LinearLayer.forward(scratch.normed.pointer, weight: w(names.gate), bias: nil, out: a.gate.pointer,
                                rows: n, inputs: h, outputs: ffn, gemm: gemm)
            LinearLayer.forward(scratch.normed.pointer, weight: w(names.up), bias: nil, out: a.up.pointer,
                                rows: n, inputs: h, outputs: ffn, gemm: gemm)
            SwiGLULayer.forward(gate: a.gate.pointer, up: a.up.pointer, out: scratch.activated.pointer, count: n * ffn, pool: pool)
            // The block's output goes straight into the next block's input buffer.
            x = l + 1 < layers.count ? layers[l + 1].input.pointer : final.pointer
            LinearLayer.forward(scratch.activated.pointer, weight: w(names.down), bias: nil, out: x, rows: n, inputs: ffn, outputs: h, gemm: gemm)
            VectorKernels.add(a.middle.pointer, into: x, count: n * h)
        }
        RMSNormLayer.forward(final.pointer, weight: p + layout.offset(of: ParameterNames.outputNorm), epsilon: eps,
                             out: normedFinal.pointer, reciprocalRMS: rmsFinal.pointer, rows: n, width: h, pool: pool)
    }

    /// Enters with dL/d(block output) in `scratch.dHidden`, leaves with dL/d(block input) there.
    private func backwardLayer(_ l: Int, batch: TrainingBatch, parameters p: UnsafePointer<Float>,
                               gradients g: UnsafeMutablePointer<Float>) throws {
        let a = layers[l], s = scratch, names = ParameterNames(layer: l)
        let n = batch.tokenCount, h = config.hiddenSize, qd = config.queryDimension
        let kvd = config.keyValueDimension, ffn = config.intermediateSize
        func w(_ name: String) -> UnsafePointer<Float> { p + layout.offset(of: name) }
        func dw(_ name: String) -> UnsafeMutablePointer<Float> { g + layout.offset(of: name) }
        func dBias(_ name: String) -> UnsafeMutablePointer<Float>? { config.hasAttentionBias ? dw(name) : nil }

        // Feed-forward: x_out = middle + down(silu(gate)·up), gate/up from RMSNorm(middle).
        // The normalised input and silu(gate)·up are remade rather than kept.
        SwiGLULayer.forward(gate: a.gate.pointer, up: a.up.pointer, out: s.activated.pointer, count: n * ffn, pool: pool)
        RMSNormLayer.forward(a.middle.pointer, weight: w(names.feedForwardNorm), epsilon: config.rmsNormEpsilon,
                             out: s.normed.pointer, reciprocalRMS: a.rmsFeedForward.pointer, rows: n, width: h, pool: pool)
        LinearLayer.backward(s.dHidden.pointer, x: s.activated.pointer, weight: w(names.down), dx: s.dActivated.pointer,
                             accumulateInput: false, dWeight: dw(names.down), dBias: nil, rows: n, inputs: ffn, outputs: h, gemm: gemm)
        SwiGLULayer.backward(s.dActivated.pointer, gate: a.gate.pointer, up: a.up.pointer, dGate: s.dGate.pointer,
                             dUp: s.dUp.pointer, count: n * ffn, pool: pool)
        LinearLayer.backward(s.dGate.pointer, x: scratch.normed.pointer, weight: w(names.gate), dx: s.dNormed.pointer,
                             accumulateInput: false, dWeight: dw(names.gate), dBias: nil, rows: n, inputs: h, outputs: ffn, gemm: gemm)
        LinearLayer.backward(s.dUp.pointer, x: scratch.normed.pointer, weight: w(names.up), dx: s.dNormed.pointer,
                             accumulateInput: true, dWeight: dw(names.up), dBias: nil, rows: n, inputs: h, outputs: ffn, gemm: gemm)
        RMSNormLayer.backward(s.dNormed.pointer, x: a.middle.pointer, weight: w(names.feedForwardNorm),
                              reciprocalRMS: a.rmsFeedForward.pointer, dx: s.dHidden.pointer,
                              dWeight: dw(names.feedForwardNorm), rows: n, width: h, pool: pool)

        // Attention: middle = input + o_proj(attention(rope(q), rope(k), v)), q/k/v from RMSNorm(input).
        LinearLayer.backward(s.dHidden.pointer, x: a.attention.pointer, weight: w(names.attentionOutput),
                             dx: s.dAttention.pointer, accumulateInput: false, dWeight: dw(names.attentionOutput),
                             dBias: nil, rows: n, inputs: qd, outputs: h, gemm: gemm)
        let (offsets, _) = attention.scratchLayout(documents: batch.documents)
        attention.backward(s.dAttention.pointer, query: a.query.pointer, key: a.key.pointer, value: a.value.pointer,
                           dQuery: s.dQuery.pointer, dKey: s.dKey.pointer, dValue: s.dValue.pointer,
                           scratch: s.attention.pointer, tokens: n, documents: batch.documents,
                           scratchOffsets: offsets, pool: pool)
        RMSNormLayer.forward(a.input.pointer, weight: w(names.attentionNorm), epsilon: config.rmsNormEpsilon,
                             out: s.normed.pointer, reciprocalRMS: a.rmsAttention.pointer, rows: n, width: h, pool: pool)
        rotary.backward(s.dQuery.pointer, heads: config.headCount, tokens: n)
        rotary.backward(s.dKey.pointer, heads: config.keyValueHeadCount, tokens: n)
        LinearLayer.backward(s.dQuery.pointer, x: scratch.normed.pointer, weight: w(names.query), dx: s.dNormed.pointer,
                             accumulateInput: false, dWeight: dw(names.query), dBias: dBias(names.queryBias),
                             rows: n, inputs: h, outputs: qd, gemm: gemm)
        LinearLayer.backward(s.dKey.pointer, x: scratch.normed.pointer, weight: w(names.key), dx: s.dNormed.pointer,
                             accumulateInput: true, dWeight: dw(names.key), dBias: dBias(names.keyBias),
                             rows: n, inputs: h, outputs: kvd, gemm: gemm)
        LinearLayer.backward(s.dValue.pointer, x: scratch.normed.pointer, weight: w(names.value), dx: s.dNormed.pointer,
                             accumulateInput: true, dWeight: dw(names.value), dBias: dBias(names.valueBias),
                             rows: n, inputs: h, outputs: kvd, gemm: gemm)
        RMSNormLayer.backward(s.dNormed.pointer, x: a.input.pointer, weight: w(names.attentionNorm),
                              reciprocalRMS: a.rmsAttention.pointer, dx: s.dHidden.pointer,
                              dWeight: dw(names.attentionNorm), rows: n, width: h, pool: pool)
    }
}
