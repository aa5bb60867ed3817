import Tensors

/// Causal grouped-query attention over the KV cache (Ainslie et al. 2023): query head h
/// reads key/value head h / (heads / kvHeads).
struct CausalAttention {
    let config: ModelConfig
    let pool: ComputePool

    /// `query` is [entries × heads·d]; the run's keys and values are already in the cache.
    /// Writes [entries × heads·d] into `output`.
    func apply(runs: [SequenceRun], layer: Int, query: UnsafeMutablePointer<Float>, cache: KVCache,
               output: UnsafeMutablePointer<Float>, workspace: Workspace) throws {
        let decodeRuns = runs.filter { $0.count == 1 }
        if !decodeRuns.isEmpty {
            try decode(decodeRuns, layer: layer, query: query, cache: cache, output: output, workspace: workspace)
        }
        for run in runs where run.count > 1 {
            try prefill(run, layer: layer, query: query, cache: cache, output: output, workspace: workspace)
        }
    }

    /// One new token per run: every (run, head) pair is independent, so they are spread
    /// over the threads with vector kernels.
    private func decode(_ runs: [SequenceRun], layer: Int, query: UnsafeMutablePointer<Float>, cache: KVCache,
                        output: UnsafeMutablePointer<Float>, workspace: Workspace) throws {
        let d = config.headDimension, heads = config.headCount
        let group = heads / config.keyValueHeadCount
        let qDim = config.queryDimension
        let scale = 1 / Float(d).squareRoot()
        let maxLength = runs.map(\.length).max() ?? 0
        let scores = try workspace.scratch(\.scores, count: runs.count * heads * maxLength)
        pool.forEach(runs.count * heads) { pair in
            let run = runs[pair / heads], h = pair % heads, g = h / group
            let q = query + run.firstEntry * qDim + h * d
            let s = scores + pair * maxLength
            for j in 0..<run.length {
                s[j] = VectorKernels.dot(q, cache.keyPointer(layer: layer, slot: run.slot, position: j) + g * d, count: d) * scale
            }
            VectorKernels.softmax(s, count: run.length)
            let out = output + run.firstEntry * qDim + h * d
            out.initialize(repeating: 0, count: d)
            for j in 0..<run.length {
                VectorKernels.addScaled(cache.valuePointer(layer: layer, slot: run.slot, position: j) + g * d,
                                        alpha: s[j], into: out, count: d)
            }
        }
    }

    /// Many tokens of one sequence (a prompt): per head, S = Q·Kᵀ and O = softmax(S)·V as
    /// two GEMMs over the cache, with positions after each query masked.
    private func prefill(_ run: SequenceRun, layer: Int, query: UnsafeMutablePointer<Float>, cache: KVCache,
                         output: UnsafeMutablePointer<Float>, workspace: Workspace) throws {
        let d = config.headDimension, heads = config.headCount
        let group = heads / config.keyValueHeadCount
        let qDim = config.queryDimension, kvDim = config.keyValueDimension
        let t = run.count, length = run.length
        let scale = 1 / Float(d).squareRoot()
        let scores = try workspace.scratch(\.scores, count: t * length)
        let keys = cache.keyPointer(layer: layer, slot: run.slot, position: 0)
        let values = cache.valuePointer(layer: layer, slot: run.slot, position: 0)
        for h in 0..<heads {
            let g = h / group
            Gemm.multiplyTransposedB(m: t, n: length, k: d, a: query + run.firstEntry * qDim + h * d, lda: qDim,
                                     b: keys + g * d, ldb: kvDim, c: scores, ldc: length, alpha: scale)
            pool.forEachRange(t, minimumChunk: 16) { rows in
                for row in rows {
                    let s = scores + row * length
                    let visible = run.firstPosition + row + 1
                    for j in visible..<length { s[j] = 0 }  // masked: no weight in O = S·V
                    VectorKernels.softmax(s, count: visible)
                }
            }
            Gemm.multiply(m: t, n: d, k: length, a: scores, lda: length, b: values + g * d, ldb: kvDim,
                          c: output + run.firstEntry * qDim + h * d, ldc: qDim)
        }
    }
}
