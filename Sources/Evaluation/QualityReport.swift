import Foundation

/// How close a model's next-token distributions are to a reference's on the completions of a
/// set of traces: the figures llama.cpp's `perplexity --kl-divergence` reports
/// (docs/eval.md). JSON keys are snake_case.
public struct QualityReport: Encodable, Sendable, Equatable {
    public struct ModelFigures: Encodable, Sendable, Equatable {
        public var path: String
        public var fileBytes: Int
        /// Elements of every tensor in the file (llama.cpp's `llama_model_n_params`); 0 when unknown.
        public var parameters: Int
        /// Bytes of every tensor × 8 / `parameters`, as llama.cpp prints BPW; 0 when unknown.
        public var bitsPerWeight: Double
        /// exp(mean negative log-likelihood) of the completion tokens.
        public var perplexity: Double
        /// Mean −log p(token) in nats (cross-entropy).
        public var meanNLL: Double

        enum CodingKeys: String, CodingKey {
            case path, parameters, perplexity
            case fileBytes = "file_bytes", bitsPerWeight = "bits_per_weight", meanNLL = "mean_nll"
        }
    }

    /// Per-token KL(reference ‖ model) in nats. Percentiles interpolate linearly between
    /// sorted values, as llama.cpp's perplexity tool does.
    public struct Distribution: Encodable, Sendable, Equatable {
        public var mean: Double
        public var median: Double
        public var p99: Double
        public var max: Double
    }

    public var model: ModelFigures
    public var reference: ModelFigures
    public var sequences: Int
    /// Completion tokens scored (prompt tokens are context only).
    public var tokens: Int
    public var klDivergence: Distribution
    /// Fraction of scored positions where both models' most likely next token is the same.
    public var top1Agreement: Double
    /// PPL(model) / PPL(reference).
    public var perplexityRatio: Double
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case model, reference, sequences, tokens, seconds
        case klDivergence = "kl_divergence", top1Agreement = "top1_agreement", perplexityRatio = "perplexity_ratio"
    }
}

extension QualityReport.Distribution {
    /// `values` need not be sorted; empty gives zeros.
    init(_ values: [Double]) {
        let sorted = values.sorted()
        guard let last = sorted.last else {
            self.init(mean: 0, median: 0, p99: 0, max: 0)
            return
        }
        self.init(mean: sorted.reduce(0, +) / Double(sorted.count), median: Self.percentile(sorted, 0.5),
                  p99: Self.percentile(sorted, 0.99), max: last)
    }

    /// llama.cpp's `percentile` lambda (perplexity.cpp), numpy's default "linear" method.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard let first = sorted.first, let last = sorted.last else { return 0 }
        if fraction <= 0 { return first }
        if fraction >= 1 { return last }
        let position = fraction * Double(sorted.count - 1)
        let index = Int(position), weight = position - Double(index)
        return (1 - weight) * sorted[index] + weight * sorted[Swift.min(index + 1, sorted.count - 1)]
    }
}
