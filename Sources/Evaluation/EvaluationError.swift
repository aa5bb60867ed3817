import Foundation

/// Why an evaluation or a calibration could not run; each message names the file or trace and
/// says what to change.
public enum EvaluationError: Error, CustomStringConvertible, LocalizedError, Equatable, Sendable {
    /// The two models do not share a vocabulary, so their distributions cannot be compared.
    case vocabularyMismatch(model: String, reference: String, detail: String)
    /// The folder gives nothing to evaluate on.
    case noTraces(directory: String, why: String)
    /// A trace cannot be rendered or tokenised with the model's chat template.
    case unrenderableTrace(directory: String, sample: Int, why: String)
    case invalidLimit(String)

    public var description: String {
        switch self {
        case let .vocabularyMismatch(model, reference, detail):
            return "\(model) and \(reference) do not share a tokenizer (\(detail)): KL divergence and top-1 agreement "
                + "need the same vocabulary; compare a model with a quantisation or fine-tune of the same base"
        case let .noTraces(directory, why):
            return "no traces to evaluate on in \(directory): \(why)"
        case let .unrenderableTrace(directory, sample, why):
            return "trace \(sample) of \(directory) cannot be rendered with the model's chat template: \(why)"
        case let .invalidLimit(message):
            return message
        }
    }

    public var errorDescription: String? { description }
}
