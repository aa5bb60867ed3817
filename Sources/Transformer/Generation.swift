import Dispatch

/// Why a generation ended, in the terms of the OpenAI API's `finish_reason`.
public enum FinishReason: String, Sendable, Codable {
    case stop
    case length
}

public struct GenerationResult: Sendable {
    public var tokens: [Int32]
    public var promptTokenCount: Int
    public var finishReason: FinishReason
    public var prefillSeconds: Double
    public var decodeSeconds: Double

    public var decodeTokensPerSecond: Double {
        decodeSeconds > 0 ? Double(max(tokens.count - 1, 0)) / decodeSeconds : 0
    }
    public var prefillTokensPerSecond: Double {
        prefillSeconds > 0 ? Double(promptTokenCount) / prefillSeconds : 0
    }
}

extension DecoderModel {
    /// Generates one continuation of `prompt`. `onToken` sees each new token as it comes
    /// and returns false to stop early. Stops at any of `stopTokens` (not included) or
    /// after `maxTokens`.
    public func generate(prompt: [Int32], maxTokens: Int, sampler: inout Sampler, stopTokens: Set<Int32>,
                         onToken: (Int32) -> Bool = { _ in true }) throws -> GenerationResult {
        guard !prompt.isEmpty else { throw TransformerError.invalidBatch("the prompt is empty") }
        guard prompt.count < config.contextLength else {
            throw TransformerError.contextOverflow(slot: 0, needed: prompt.count + 1, capacity: config.contextLength)
        }
        let budget = min(max(maxTokens, 0), config.contextLength - prompt.count)
        let cache = try KVCache(config: config, slots: 1, capacity: prompt.count + budget)
        var history = prompt
        var generated: [Int32] = []
        var finish = FinishReason.length

        let start = DispatchTime.now().uptimeNanoseconds
        let entries = prompt.enumerated().map {
            BatchEntry(token: $0.element, slot: 0, position: $0.offset, wantsLogits: $0.offset == prompt.count - 1)
        }
        var logits = try forward(entries, cache: cache)
        let prefillEnd = DispatchTime.now().uptimeNanoseconds

        while generated.count < budget {
            let token = sampler.sample(logits, history: history[...])
            if stopTokens.contains(token) { finish = .stop; break }
            generated.append(token)
            history.append(token)
            if !onToken(token) { finish = .stop; break }
            guard generated.count < budget else { break }
            logits = try forward([BatchEntry(token: token, slot: 0, position: history.count - 1, wantsLogits: true)], cache: cache)
        }
        let end = DispatchTime.now().uptimeNanoseconds
        return GenerationResult(tokens: generated, promptTokenCount: prompt.count, finishReason: finish,
                                prefillSeconds: Double(prefillEnd - start) / 1e9,
                                decodeSeconds: Double(end - prefillEnd) / 1e9)
    }
}
