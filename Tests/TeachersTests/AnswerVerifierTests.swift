import Testing
@testable import Teachers

/// Answers in the shapes GSM8K and MATH completions take, against references in the shapes
/// those datasets store. Where a rule is a choice, the comment names whose behaviour it follows.
@Suite struct AnswerVerifierTests {
    struct Case: CustomStringConvertible, Sendable {
        var answer: String
        var reference: String
        var correct: Bool
        var extracted: String?
        var description: String { "\(answer) vs \(reference)" }
    }

    static let gsm8kReference = "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72"

    static let numeric: [Case] = [
        Case(answer: "She sold 72 clips altogether.", reference: gsm8kReference, correct: true, extracted: "72"),
        Case(answer: "48 + 24 = 72", reference: "72", correct: true, extracted: "72"),
        Case(answer: "The answer is $72.", reference: "72", correct: true, extracted: "72"),
        Case(answer: "So the total is 72.00 dollars", reference: "72", correct: true, extracted: "72.00"),
        Case(answer: "#### 72", reference: "#### 72", correct: true, extracted: "72"),
        Case(answer: "The answer is 71", reference: gsm8kReference, correct: false, extracted: "71"),
        // Thousands separators are one number (lm-eval's flexible-extract keeps commas too).
        Case(answer: "He earns $1,234,567 a year.", reference: "1234567", correct: true, extracted: "1,234,567"),
        Case(answer: "They paid 1,200.50 in total", reference: "1200.5", correct: true, extracted: "1,200.50"),
        Case(answer: "The temperature is -5 degrees.", reference: "-5", correct: true, extracted: "-5"),
        Case(answer: "It falls to \u{2212}12 °C.", reference: "-12", correct: true, extracted: "-12"),
        // A minus after a digit is subtraction, not a sign.
        Case(answer: "10-3 = 7", reference: "7", correct: true, extracted: "7"),
        Case(answer: "We get 12 -3", reference: "-3", correct: true, extracted: "-3"),
        // A box wins over later numbers (open-r1 and math-verify look at the box first).
        Case(answer: "The answer is \\boxed{18}. (Check: 9 + 9 = 18, 20 - 2 = 18.) Step 3", reference: "18", correct: true, extracted: "18"),
        Case(answer: "$\\boxed{\\frac{3}{4}}$", reference: "0.75", correct: true, extracted: "\\frac{3}{4}"),
        Case(answer: "\\boxed{x = 12}", reference: "12", correct: true, extracted: "x = 12"),
        Case(answer: "Each gets 1/2 of the pie", reference: "0.5", correct: true, extracted: "1/2"),
        Case(answer: "Half: \\frac{1}{2}", reference: "1/2", correct: true, extracted: "\\frac{1}{2}"),
        Case(answer: "That is 50% of them.", reference: "50", correct: true, extracted: "50"),
        Case(answer: "about .5 of it", reference: "0.5", correct: true, extracted: ".5"),
        // Relative tolerance 1e-6.
        Case(answer: "18.000001", reference: "18", correct: true, extracted: "18.000001"),
        Case(answer: "18.1", reference: "18", correct: false, extracted: "18.1"),
        Case(answer: "0", reference: "0", correct: true, extracted: "0"),
        Case(answer: "0.000001", reference: "0", correct: false, extracted: "0.000001"),
        Case(answer: "I cannot tell.", reference: "5", correct: false, extracted: nil),
        Case(answer: "", reference: "5", correct: false, extracted: nil),
        // A reference that is no number makes every answer wrong rather than compare text.
        Case(answer: "42", reference: "forty-two", correct: false, extracted: "42"),
    ]

    static let mathSolution = "The sum of the roots is $-\\frac{b}{a} = -\\frac{-6}{2} = \\boxed{3}$."

    static let boxed: [Case] = [
        Case(answer: "Thus the probability is $\\boxed{\\frac{1}{2}}$.", reference: "\\frac{1}{2}", correct: true, extracted: "\\frac{1}{2}"),
        Case(answer: "$\\boxed{\\dfrac{1}{2}}$", reference: "\\frac12", correct: true, extracted: "\\dfrac{1}{2}"),
        Case(answer: "\\boxed{\\tfrac12}", reference: "1/2", correct: true, extracted: "\\tfrac12"),
        Case(answer: "\\boxed{0.5}", reference: "\\frac{1}{2}", correct: true, extracted: "0.5"),
        Case(answer: "\\boxed{-\\frac{2}{3}}", reference: "-\\frac23", correct: true, extracted: "-\\frac{2}{3}"),
        Case(answer: "\\boxed{10\\text{ inches}}", reference: "10", correct: true, extracted: "10\\text{ inches}"),
        Case(answer: "\\boxed{\\text{(C)}}", reference: "(C)", correct: true, extracted: "\\text{(C)}"),
        Case(answer: "\\boxed{\\textbf{(B) }7}", reference: "\\text{(B)}7", correct: true, extracted: "\\textbf{(B) }7"),
        Case(answer: "\\boxed{x=5}", reference: "5", correct: true, extracted: "x=5"),
        Case(answer: "\\boxed{90^\\circ}", reference: "90", correct: true, extracted: "90^\\circ"),
        Case(answer: "\\boxed{25\\%}", reference: "25", correct: true, extracted: "25\\%"),
        Case(answer: "\\boxed{\\$18.90}", reference: "18.9", correct: true, extracted: "\\$18.90"),
        Case(answer: "\\boxed{1,000}", reference: "1000", correct: true, extracted: "1,000"),
        Case(answer: "\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}", reference: "\\left( 3, \\frac{\\pi}{2} \\right)", correct: true, extracted: "\\left( 3, \\frac{\\pi}{2} \\right)"),
        Case(answer: "\\boxed{(3,\\frac{\\pi}{2})}", reference: "\\left( 3, \\frac{\\pi}{2} \\right)", correct: true, extracted: "(3,\\frac{\\pi}{2})"),
        Case(answer: "\\boxed{\\frac{\\sqrt{3}}{2}}", reference: "\\frac{\\sqrt3}{2}", correct: true, extracted: "\\frac{\\sqrt{3}}{2}"),
        Case(answer: "\\boxed{[-2, 7)}", reference: "[-2,7)", correct: true, extracted: "[-2, 7)"),
        Case(answer: "\\boxed{x^2 + 1}", reference: "x^2+1", correct: true, extracted: "x^2 + 1"),
        Case(answer: "\\boxed{5.}", reference: "5", correct: true, extracted: "5."),
        Case(answer: "\\boxed{\\!5}", reference: "5", correct: true, extracted: "\\!5"),
        Case(answer: "\\fbox{7}", reference: "7", correct: true, extracted: "7"),
        Case(answer: "\\boxed{\u{2212}\\frac{1}{4}}", reference: "-0.25", correct: true, extracted: "\u{2212}\\frac{1}{4}"),
        Case(answer: "so the answer is $\\boxed 7$.", reference: "7", correct: true, extracted: "7"),
        // The reference may be a MATH worked solution or a GSM8K one.
        Case(answer: "\\boxed{3}", reference: mathSolution, correct: true, extracted: "3"),
        Case(answer: "\\boxed{72}", reference: gsm8kReference, correct: true, extracted: "72"),
        // The last box counts (lm-eval's last_boxed_only_string).
        Case(answer: "First \\boxed{3}, then corrected: \\boxed{4}", reference: "4", correct: true, extracted: "4"),
        Case(answer: "First \\boxed{3}, then corrected: \\boxed{4}", reference: "3", correct: false, extracted: "4"),
        // Nested braces stay balanced.
        Case(answer: "\\boxed{\\frac{\\binom{5}{2}}{2^{5}}}", reference: "\\frac{\\binom{5}{2}}{2^5}", correct: false, extracted: "\\frac{\\binom{5}{2}}{2^{5}}"),
        Case(answer: "\\boxed{\\frac{\\binom{5}{2}}{2^{5}}}", reference: "\\frac{\\binom{5}{2}}{2^{5}}", correct: true, extracted: "\\frac{\\binom{5}{2}}{2^{5}}"),
        // Cut off inside the last box: no answer, even though an earlier box had one.
        Case(answer: "\\boxed{3} hmm, actually \\boxed{\\frac{1}{", reference: "3", correct: false, extracted: nil),
        Case(answer: "The answer is 5.", reference: "5", correct: false, extracted: nil),
        Case(answer: "\\boxedfoo{5}", reference: "5", correct: false, extracted: nil),
        Case(answer: "\\boxed{}", reference: "5", correct: false, extracted: ""),
        // No symbolic algebra (math-verify's sympy step would accept these).
        Case(answer: "\\boxed{\\frac{1}{\\sqrt{2}}}", reference: "\\frac{\\sqrt{2}}{2}", correct: false, extracted: "\\frac{1}{\\sqrt{2}}"),
        Case(answer: "\\boxed{2x+2}", reference: "2(x+1)", correct: false, extracted: "2x+2"),
        Case(answer: "\\boxed{6}", reference: "5", correct: false, extracted: "6"),
    ]

    static let exact: [Case] = [
        Case(answer: "  Paris \n", reference: "paris", correct: true, extracted: "Paris"),
        Case(answer: "B", reference: "b", correct: true, extracted: "B"),
        Case(answer: "New   York\tCity", reference: "new york city", correct: true, extracted: "New   York\tCity"),
        Case(answer: "Paris.", reference: "Paris", correct: false, extracted: "Paris."),
        Case(answer: "Straße", reference: "STRASSE", correct: false, extracted: "Straße"),
        Case(answer: "   ", reference: "", correct: false, extracted: nil),
    ]

    @Test(arguments: numeric) func numericCases(_ c: Case) {
        let v = AnswerVerifier.verify(answer: c.answer, reference: c.reference, method: .numeric)
        #expect(v.method == "numeric")
        #expect(v.correct == c.correct)
        #expect(v.extracted == c.extracted)
    }

    @Test(arguments: boxed) func boxedCases(_ c: Case) {
        let v = AnswerVerifier.verify(answer: c.answer, reference: c.reference, method: .boxed)
        #expect(v.method == "boxed")
        #expect(v.correct == c.correct)
        #expect(v.extracted == c.extracted)
    }

    @Test(arguments: exact) func exactCases(_ c: Case) {
        let v = AnswerVerifier.verify(answer: c.answer, reference: c.reference, method: .exact)
        #expect(v.correct == c.correct)
        #expect(v.extracted == c.extracted)
    }
}
