import Tensors

/// A dense Llama-family decoder ready to run: pre-norm blocks of RMSNorm → GQA attention
/// with RoPE → residual → RMSNorm → SwiGLU MLP → residual, then a final norm and the LM
/// head. Not thread-safe: one `forward` at a time (it reuses its activation buffers).
public final class DecoderModel: @unchecked Sendable {
    public let config: ModelConfig
    public let weights: DecoderWeights
    public let pool: ComputePool
    let rope: RotaryEmbedding
    let attention: CausalAttention
    private let workspace: Workspace
    private let kernelScratch = KernelScratch()

    public init(config: ModelConfig, weights: DecoderWeights, threads: Int) throws {
        try config.validate()
        try weights.validate(against: config)
        self.config = config
        self.weights = weights
        self.pool = ComputePool(threadCount: threads)
        self.rope = RotaryEmbedding(config: config)
        self.attention = CausalAttention(config: config, pool: pool)
        self.workspace = try Workspace(config: config)
        Gemm.setThreadCount(threads)
    }

    /// Runs `entries`, appends their keys and values to `cache`, and returns the logits
    /// of the entries that want them, row after row in batch order ([wanted × vocab]).
    /// The buffer is reused: it is valid until the next call. `observer`, when given, sees
    /// the input of every linear layer (calibration statistics).
    public func forward(_ entries: [BatchEntry], cache: KVCache,
                        observer: ActivationObserver? = nil) throws -> UnsafeBufferPointer<Float> {
        guard !entries.isEmpty else { return UnsafeBufferPointer(start: nil, count: 0) }
        let runs = try entries.sequenceRuns(cache: cache, vocabularySize: config.vocabularySize)
        let n = entries.count
        try workspace.reserve(entries: n)
        let w = workspace
        let h = config.hiddenSize, qDim = config.queryDimension, kvDim = config.keyValueDimension
        let ffn = config.intermediateSize, half = config.headDimension / 2

        for (i, entry) in entries.enumerated() {
            try weights.tokenEmbedding.row(Int(entry.token), into: w.hidden.pointer + i * h)
            rope.angles(position: entry.position, cos: w.cos.pointer + i * half, sin: w.sin.pointer + i * half)
        }

        for (l, layer) in weights.layers.enumerated() {
            let names = observer.map { _ in LayerTensorNames(layer: l) }
            normalize(w.hidden.pointer, weight: layer.attentionNorm, into: w.normed.pointer, count: n)
            if let observer, let names {
                for name in [names.query, names.key, names.value] {
                    observer.observe(weight: name, input: w.normed.pointer, rows: n, columns: h)
                }
            }
            try LinearWeight.apply([layer.query, layer.key, layer.value], to: w.normed.pointer, count: n,
                                   into: [w.query.pointer, w.key.pointer, w.value.pointer], pool: pool, scratch: kernelScratch)
            addBias(layer.queryBias, to: w.query.pointer, width: qDim, count: n)
            addBias(layer.keyBias, to: w.key.pointer, width: kvDim, count: n)
            addBias(layer.valueBias, to: w.value.pointer, width: kvDim, count: n)
            for (i, entry) in entries.enumerated() {
                let cos = w.cos.pointer + i * half, sin = w.sin.pointer + i * half
                rope.rotate(w.query.pointer + i * qDim, heads: config.headCount, cos: cos, sin: sin)
                rope.rotate(w.key.pointer + i * kvDim, heads: config.keyValueHeadCount, cos: cos, sin: sin)
                cache.keyPointer(layer: l, slot: entry.slot, position: entry.position)
                    .update(from: w.key.pointer + i * kvDim, count: kvDim)
                cache.valuePointer(layer: l, slot: entry.slot, position: entry.position)
                    .update(from: w.value.pointer + i * kvDim, count: kvDim)
            }
            try attention.apply(runs: runs, layer: l, query: w.query.pointer, cache: cache,
                                output: w.attention.pointer, workspace: w)
            if let observer, let names {
                observer.observe(weight: names.attentionOutput, input: w.attention.pointer, rows: n, columns: qDim)
            }
            try layer.attentionOutput.apply(w.attention.pointer, count: n, into: w.projected.pointer, pool: pool, scratch: kernelScratch)
            VectorKernels.add(w.projected.pointer, into: w.hidden.pointer, count: n * h)

            normalize(w.hidden.pointer, weight: layer.feedForwardNorm, into: w.normed.pointer, count: n)
            if let observer, let names {
                for name in [names.gate, names.up] { observer.observe(weight: name, input: w.normed.pointer, rows: n, columns: h) }
            }
            try LinearWeight.apply([layer.gate, layer.up], to: w.normed.pointer, count: n,
                                   into: [w.gate.pointer, w.up.pointer], pool: pool, scratch: kernelScratch)
            let gate = w.gate.pointer, up = w.up.pointer
            pool.forEachRange(n * ffn, minimumChunk: 4096) { range in
                VectorKernels.swiGLU(gate: gate + range.lowerBound, up: up + range.lowerBound, count: range.count)
            }
            if let observer, let names { observer.observe(weight: names.down, input: w.gate.pointer, rows: n, columns: ffn) }
            try layer.down.apply(w.gate.pointer, count: n, into: w.projected.pointer, pool: pool, scratch: kernelScratch)
            VectorKernels.add(w.projected.pointer, into: w.hidden.pointer, count: n * h)
        }
        for run in runs { cache.setLength(run.length, slot: run.slot) }

        let wanted = entries.indices.filter { entries[$0].wantsLogits }
        guard !wanted.isEmpty else { return UnsafeBufferPointer(start: nil, count: 0) }
        let headInput = try w.scratch(\.headInput, count: wanted.count * h)
        for (row, index) in wanted.enumerated() {
            weights.outputNorm.withUnsafeBufferPointer { norm in
                if let base = norm.baseAddress {
                    VectorKernels.rmsNorm(w.hidden.pointer + index * h, weight: base, epsilon: config.rmsNormEpsilon,
                                          out: headInput + row * h, count: h)
                }
            }
        }
        if let observer {
            // A tied head is the embedding matrix itself (same tensor, same name).
            let tied = weights.outputHead.name == weights.tokenEmbedding.name
            observer.observe(weight: tied ? "token_embd.weight" : "output.weight", input: headInput, rows: wanted.count, columns: h)
        }
        let logits = try w.scratch(\.logits, count: wanted.count * config.vocabularySize)
        try weights.outputHead.apply(headInput, count: wanted.count, into: logits, pool: pool, scratch: kernelScratch)
        return UnsafeBufferPointer(start: logits, count: wanted.count * config.vocabularySize)
    }

    /// Convenience for callers that want one sequence's last-position logits as an array:
    /// runs `tokens` from position 0 of slot 0 of a fresh cache.
    public func lastLogits(of tokens: [Int32]) throws -> [Float] {
        let cache = try KVCache(config: config, slots: 1, capacity: max(tokens.count, 1))
        guard tokens.count <= cache.capacity else {
            throw TransformerError.contextOverflow(slot: 0, needed: tokens.count, capacity: cache.capacity)
        }
        let entries = tokens.enumerated().map {
            BatchEntry(token: $0.element, slot: 0, position: $0.offset, wantsLogits: $0.offset == tokens.count - 1)
        }
        return Array(try forward(entries, cache: cache))
    }

    private func normalize(_ x: UnsafeMutablePointer<Float>, weight: [Float], into out: UnsafeMutablePointer<Float>, count n: Int) {
        let h = config.hiddenSize, eps = config.rmsNormEpsilon
        weight.withUnsafeBufferPointer { norm in
            guard let base = norm.baseAddress else { return }
            pool.forEachRange(n, minimumChunk: 32) { rows in
                for i in rows { VectorKernels.rmsNorm(x + i * h, weight: base, epsilon: eps, out: out + i * h, count: h) }
            }
        }
    }

    private func addBias(_ bias: [Float]?, to x: UnsafeMutablePointer<Float>, width: Int, count n: Int) {
        guard let bias else { return }
        bias.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            for i in 0..<n { VectorKernels.add(base, into: x + i * width, count: width) }
        }
    }
}
