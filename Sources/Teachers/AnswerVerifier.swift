import Foundation
import Traces

/// How `--verify` decides whether a trace's answer matches the prompt's reference.
public enum VerificationMethod: String, CaseIterable, Sendable {
    /// The last number of the answer (of its last `\boxed{}` if it has one) equals the
    /// reference's number within a relative 1e-6. GSM8K-style references (`... #### 42`)
    /// count from what follows the last `####`.
    case numeric
    /// The whole answer equals the reference after trimming, case folding and collapsing
    /// whitespace. For short labels (multiple choice letters, yes/no, names).
    case exact
    /// The last `\boxed{…}` or `\fbox{…}` equals the reference after MATH-style LaTeX
    /// normalisation (MathAnswer), or both are the same number.
    case boxed
}

/// Rule-based answer checking in the manner of lm-evaluation-harness (GSM8K's last-number
/// "flexible extract", MATH's `last_boxed_only_string` and `strip_string`) and open-r1's
/// boxed accuracy reward. There is no symbolic algebra, unlike math-verify's sympy step:
/// `\frac{\sqrt2}{2}` and `\frac{1}{\sqrt2}` do not match. A missed match costs a kept trace
/// under rejection sampling; a false match would keep a wrong one, so the rules stay strict.
public enum AnswerVerifier {
    /// `answer` is the text after the reasoning; `reference` the prompt's reference answer.
    public static func verify(answer: String, reference: String, method: VerificationMethod) -> TraceVerification {
        switch method {
        case .exact:
            let got = collapsed(answer)
            return TraceVerification(method: method.rawValue, correct: !got.isEmpty && got == collapsed(reference),
                                     extracted: got.isEmpty ? nil : answer.trimmingCharacters(in: .whitespacesAndNewlines))
        case .numeric:
            let ref = MathAnswer.referenceText(reference)
            guard let (text, value) = MathAnswer.finalNumber(in: answer) else {
                return TraceVerification(method: method.rawValue, correct: false, extracted: nil)
            }
            let expected = MathAnswer.number(MathAnswer.normalized(ref)) ?? MathAnswer.lastNumber(in: ref)?.value
            let correct = expected.map { MathAnswer.sameNumber(value, $0) } ?? false
            return TraceVerification(method: method.rawValue, correct: correct, extracted: text)
        case .boxed:
            guard let boxed = MathAnswer.lastBoxed(in: answer) else {
                return TraceVerification(method: method.rawValue, correct: false, extracted: nil)
            }
            let ref = MathAnswer.referenceText(reference)
            return TraceVerification(method: method.rawValue, correct: MathAnswer.equivalent(boxed, ref),
                                     extracted: boxed.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Trimmed, lower-cased, every run of whitespace one space.
    static func collapsed(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
