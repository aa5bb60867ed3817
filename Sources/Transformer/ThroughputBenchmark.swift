import Dispatch

/// llama-bench's two figures for this engine: prompt processing (one sequence of N tokens
/// in one forward) and token generation (B sequences decoding one token each per step,
/// end-of-sequence ignored). Each figure is the median of several runs.
public struct ThroughputBenchmark: Sendable {
    public var promptTokens = 512
    public var generatedTokens = 128
    public var batchSizes = [1, 8, 32]
    public var runs = 3
    public var seed: UInt64 = 1

    public init() {}

    public struct Result: Sendable, Codable {
        public var promptTokensPerSecond: Double
        /// Aggregate decode tokens per second over all sequences, by batch size.
        public var generationTokensPerSecond: [Int: Double]
    }

    public func run(on model: DecoderModel) throws -> Result {
        var random = SplitMix64(seed: seed)
        let vocabulary = UInt64(model.config.vocabularySize)
        func randomToken() -> Int32 { Int32(random.next() % vocabulary) }

        let prompt = (0..<promptTokens).map { _ in randomToken() }
        var promptTimes: [Double] = []
        if promptTokens > 0 {
            let cache = try KVCache(config: model.config, slots: 1, capacity: promptTokens)
            for _ in 0..<runs {
                cache.reset(slot: 0)
                let entries = prompt.enumerated().map {
                    BatchEntry(token: $0.element, slot: 0, position: $0.offset, wantsLogits: $0.offset == promptTokens - 1)
                }
                promptTimes.append(try timed { _ = try model.forward(entries, cache: cache) })
            }
        }

        var generation: [Int: Double] = [:]
        for batch in batchSizes where batch > 0 && generatedTokens > 0 {
            let cache = try KVCache(config: model.config, slots: batch, capacity: generatedTokens)
            let tokens = (0..<generatedTokens).map { _ in randomToken() }
            var times: [Double] = []
            for _ in 0..<runs {
                for slot in 0..<batch { cache.reset(slot: slot) }
                times.append(try timed {
                    for (position, token) in tokens.enumerated() {
                        let step = (0..<batch).map { BatchEntry(token: token, slot: $0, position: position, wantsLogits: true) }
                        _ = try model.forward(step, cache: cache)
                    }
                })
            }
            generation[batch] = Double(batch * generatedTokens) / median(times)
        }
        let promptRate = promptTimes.isEmpty ? 0 : Double(promptTokens) / median(promptTimes)
        return Result(promptTokensPerSecond: promptRate, generationTokensPerSecond: generation)
    }

    private func timed(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
