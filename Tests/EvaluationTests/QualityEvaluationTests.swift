import Foundation
import ModelFormats
import ModelLoading
import Quantization
import Testing
import Tokenizers
import Transformer
@testable import Evaluation

/// `QualityEvaluation` on the real SmolLM2 teacher: against itself, against a Q8_0 copy, and
/// with inputs it must refuse.
@Suite(.serialized)
struct QualityEvaluationTests {
    static let modelName = "smollm2-135m-instruct"
    static let teacher = Result { try LoadedModel.load(modelName, threads: 2) }

    @Test func aModelAgainstItselfHasNoDivergence() throws {
        let model = try Self.teacher.get()
        let again = try LoadedModel.load(Self.modelName, threads: 2)
        let traces = try TraceFolder.make()
        defer { try? FileManager.default.removeItem(at: traces) }
        let report = try QualityEvaluation.compare(model: model, reference: again, traces: traces)
        #expect(report.sequences == 4)
        #expect(report.tokens > 40)
        #expect(report.klDivergence.max.magnitude < 1e-9 && report.klDivergence.mean.magnitude < 1e-9)
        #expect(report.top1Agreement == 1)
        #expect(report.model.perplexity == report.reference.perplexity)
        #expect(report.model.perplexity > 1 && report.model.perplexity < 100)
        #expect(report.model.fileBytes == report.reference.fileBytes && report.model.fileBytes > 50_000_000)
        // Q4_1 blocks (5 bits) with a Q8_0 embedding and F32 norms.
        #expect(report.model.bitsPerWeight > 5 && report.model.bitsPerWeight < 6.5)
    }

    /// The same model object twice must not read its own reused logits buffer as the reference's.
    @Test func theSameObjectTwiceIsAlsoIdentical() throws {
        let model = try Self.teacher.get()
        let traces = try TraceFolder.make(count: 2)
        defer { try? FileManager.default.removeItem(at: traces) }
        let report = try QualityEvaluation.compare(model: model, reference: model, traces: traces,
                                                   limits: EvaluationLimits(chunkSize: 5))
        #expect(report.klDivergence.max.magnitude < 1e-9 && report.top1Agreement == 1)
    }

    /// Chunking and the prompt mask against an independent loop: one forward per prefix.
    @Test func perplexityEqualsAPrefixByPrefixComputation() throws {
        let model = try Self.teacher.get()
        let record = TraceFolder.record(0, prompt: "Name the capital of France.", reasoning: "", answer: "Paris.")
        let sequence = try TraceSequence(record: record, template: try model.chatTemplate(), tokenizer: model.tokenizer)
        let report = try QualityEvaluation.compare(model: model, reference: model, sequences: [sequence], chunkSize: 7)
        var nll = 0.0
        for i in sequence.promptCount..<sequence.tokens.count {
            let logits = try model.decoder.lastLogits(of: Array(sequence.tokens[..<i])).map(Double.init)
            let top = logits.max() ?? 0
            let logSum = top + log(logits.reduce(0) { $0 + exp($1 - top) })
            nll += logSum - logits[Int(sequence.tokens[i])]
        }
        let expected = nll / Double(sequence.scoredCount)
        #expect(report.tokens == sequence.scoredCount)
        #expect(abs(report.model.meanNLL - expected) < 1e-4, "\(report.model.meanNLL) vs \(expected)")
    }

    @Test func theTeacherAgainstAQ8Copy() throws {
        let model = try Self.teacher.get()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-eval-q8-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let traces = try TraceFolder.make()
        defer { try? FileManager.default.removeItem(at: folder); try? FileManager.default.removeItem(at: traces) }
        let q8 = folder.appendingPathComponent("q8.gguf")
        _ = try Quantizer.quantize(model: Self.modelName, type: "Q8_0", output: q8)
        let reference = try LoadedModel.load(q8.path, threads: 2)
        let report = try QualityEvaluation.compare(model: model, reference: reference, traces: traces,
                                                   limits: EvaluationLimits(maxSequences: 3))
        #expect(report.sequences == 3)
        #expect(report.klDivergence.mean > 0 && report.klDivergence.mean < 0.1, "\(report.klDivergence)")
        #expect(report.klDivergence.max >= report.klDivergence.p99 && report.klDivergence.p99 >= report.klDivergence.median)
        #expect(abs(report.perplexityRatio - 1) < 0.1, "\(report.perplexityRatio)")
        #expect(report.top1Agreement > 0.8 && report.top1Agreement <= 1)
        #expect(report.reference.bitsPerWeight > 8.4 && report.reference.bitsPerWeight < 9)
    }

    @Test func aDifferentVocabularyIsRefused() throws {
        let model = try Self.teacher.get()
        let source = try GGUFFile(url: model.location.url)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-eval-vocab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The same model with token 1000's text changed: same sizes, another vocabulary.
        let metadata: [(key: String, value: GGUFValue)] = source.metadataKeys.compactMap { key in
            guard var value = source.metadata[key] else { return nil }
            if key == "tokenizer.ggml.tokens", case .array(let type, var values) = value {
                values[1000] = .string("zzzzzz")
                value = .array(elementType: type, values: values)
            }
            return (key, value)
        }
        let tensors = source.tensors.map { info in
            GGUFWriter.Tensor(name: info.name, shape: info.shape, type: info.type) { Array(source.bytes(of: info)) }
        }
        let changed = folder.appendingPathComponent("changed.gguf")
        try GGUFWriter.write(metadata: metadata, tensors: tensors, to: changed)
        let other = try LoadedModel.load(changed.path, threads: 1)
        #expect(throws: EvaluationError.self) { try QualityEvaluation.checkSameVocabulary(model, other) }
        do {
            try QualityEvaluation.checkSameVocabulary(model, other)
        } catch {
            #expect("\(error)".contains("token 1000") && "\(error)".contains("zzzzzz") && "\(error)".contains("changed.gguf"))
        }
    }

    @Test func noTracesIsAClearError() throws {
        let model = try Self.teacher.get()
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-eval-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        do {
            _ = try QualityEvaluation.compare(model: model, reference: model, traces: empty)
            Issue.record("an empty folder was accepted")
        } catch let error as EvaluationError {
            guard case .noTraces = error else { Issue.record("\(error)"); return }
            #expect("\(error)".contains(empty.path) && "\(error)".contains("index.json"))
        }
        // A prompt longer than the cut leaves nothing to score.
        let traces = try TraceFolder.make(count: 1)
        defer { try? FileManager.default.removeItem(at: traces) }
        #expect(throws: EvaluationError.self) {
            _ = try QualityEvaluation.compare(model: model, reference: model, traces: traces,
                                              limits: EvaluationLimits(maxTokensPerSequence: 3))
        }
    }

    @Test func traceTextIsThePromptThenTheThinkBlockAndAnswer() throws {
        let model = try Self.teacher.get()
        let record = TraceFolder.record(0, prompt: "Q?", reasoning: "\nsteps\n", answer: "\nA.")
        let text = try TraceChatText(record: record, template: try model.chatTemplate())
        #expect(text.prompt.hasSuffix("<|im_start|>user\nQ?<|im_end|>\n<|im_start|>assistant\n"))
        #expect(text.completion == "<think>\nsteps\n</think>\n\nA.<|im_end|>")
        let sequence = try TraceSequence(record: record, template: try model.chatTemplate(), tokenizer: model.tokenizer)
        #expect(model.tokenizer.decode(Array(sequence.tokens[sequence.promptCount...])) == text.completion)
        #expect(sequence.tokens.last == model.tokenizer.id(of: "<|im_end|>"))
    }

    @Test func percentilesInterpolateLikeLlamaCpp() {
        let d = QualityReport.Distribution([4, 1, 3, 2])
        #expect(d.mean == 2.5 && d.median == 2.5 && d.max == 4)
        #expect(abs(d.p99 - 3.97) < 1e-12)
        #expect(QualityReport.Distribution([]).max == 0)
    }
}
