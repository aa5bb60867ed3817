import Foundation

/// What a run cost at the endpoint: requests, retries and failures by reason, tokens used,
/// and the estimated price. The CLI prints `lines(pricing:)` when the run ends.
public struct HTTPTeacherSummary: Sendable, Equatable {
    /// Requests sent, retries included.
    public var requests = 0
    public var retries = 0
    /// Retries by what caused them (`HTTP 429`, `timeout`, `dropped stream`, …).
    public var retriesByReason: [String: Int] = [:]
    public var completions = 0
    /// Jobs that ended without a completion, by the last request's failure.
    public var failures = 0
    public var failuresByReason: [String: Int] = [:]
    /// From the endpoint's `usage`; completions without usage count as below.
    public var promptTokens = 0
    public var completionTokens = 0
    /// Completions whose reply had no `usage`: their completion tokens were counted from the
    /// logprob entries, or not at all when there were none (prompt tokens then are unknown).
    public var completionsCountedFromLogprobs = 0
    public var completionsWithoutTokenCounts = 0

    public init() {}

    public func estimatedCost(_ pricing: TokenPricing) -> Double {
        pricing.cost(promptTokens: promptTokens, completionTokens: completionTokens)
    }

    public func lines(pricing: TokenPricing?) -> [String] {
        var lines = ["\(requests) requests: \(completions) completions, \(failures) failed, \(retries) retries"]
        if !retriesByReason.isEmpty { lines.append("retries: " + Self.counts(retriesByReason)) }
        if !failuresByReason.isEmpty { lines.append("failures: " + Self.counts(failuresByReason)) }
        lines.append("tokens: \(promptTokens) prompt, \(completionTokens) completion")
        if completionsCountedFromLogprobs > 0 {
            lines.append("\(completionsCountedFromLogprobs) replies had no usage: completion tokens counted from logprobs, prompt tokens unknown")
        }
        if completionsWithoutTokenCounts > 0 {
            lines.append("\(completionsWithoutTokenCounts) replies had no usage and no logprobs: their tokens are not counted")
        }
        if let pricing {
            let cost = String(format: "%.4f", estimatedCost(pricing))
            lines.append("estimated cost: $\(cost) at $\(pricing.inputPerMillion)/M input, $\(pricing.outputPerMillion)/M output"
                + (completionsCountedFromLogprobs + completionsWithoutTokenCounts > 0 ? " (an undercount: see above)" : ""))
        }
        return lines
    }

    private static func counts(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.value)× \($0.key)" }.joined(separator: ", ")
    }
}
