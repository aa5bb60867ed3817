import Tokenizers
import Traces

/// Whether a trace's teacher data can be used for logit distillation by this student: the
/// ids must be the student's own tokens, or the top-k rows name other strings than the
/// student's logits score and the KL term trains nonsense without any error.
enum TeacherTokenCheck {
    /// How many leading traces also have their ids decoded and compared with the text.
    static let decodedTraces = 8

    /// Throws `invalidSetting` when the trace has no usable top-k data and
    /// `tokenizerMismatch` when its ids are not the student's tokens. `decode` also compares
    /// the student's decoding of the teacher ids with the completion text the teacher wrote,
    /// which tells apart two tokenizers of one vocabulary size. It decodes rather than
    /// re-encodes because a sampled sequence is not always the canonical BPE split of its
    /// text: on the 64 held-out SmolLM2 traces, re-encoding gives the teacher's ids back for
    /// 59 and decoding gives the text back for all 64.
    static func check(_ record: TraceRecord, sample: Int, directory: String, tokenizer: BPETokenizer,
                      decode: Bool) throws {
        let trace = "trace \(sample) (\(record.id.prefix(12))) of \(directory)"
        guard !record.tokenIDs.isEmpty, record.topK > 0, !record.topIDs.isEmpty else {
            throw TrainingError.invalidSetting(
                "\(trace) has no teacher top-k log-probabilities (" + (record.tokenIDs.isEmpty ? "no token ids"
                    : "top_logprobs \(record.sampling.topLogprobs)") + "), which logit distillation needs; "
                    + "train with --kd-weight 0 (plain SFT), or regenerate the traces with "
                    + "`distillery generate --logprobs 20` from a teacher that returns token ids")
        }
        let rows = record.tokenIDs.count * record.topK
        guard record.topIDs.count == rows, record.topLogprobs.count == rows else {
            throw TrainingError.invalidSetting(
                "\(trace) has \(record.topIDs.count) top-k ids and \(record.topLogprobs.count) log-probabilities "
                    + "for \(record.tokenIDs.count) tokens × top_k \(record.topK); the shard is damaged, regenerate it")
        }
        let vocabulary = tokenizer.vocabularySize
        if let bad = record.tokenIDs.first(where: { $0 < 0 || Int($0) >= vocabulary })
            ?? record.topIDs.first(where: { $0 < -1 || Int($0) >= vocabulary }) {
            throw TrainingError.tokenizerMismatch(
                "\(trace) has teacher token id \(bad), outside the student's vocabulary of \(vocabulary) tokens")
        }
        guard decode else { return }
        let decoded = tokenizer.decode(record.tokenIDs)
        if decoded != record.completion {
            let encoded = tokenizer.encode(record.completion, addSpecialTokens: false, parseSpecialTokens: true)
            let same = zip(encoded, record.tokenIDs).prefix { $0 == $1 }.count
            throw TrainingError.tokenizerMismatch(
                "the student's tokenizer decodes the \(record.tokenIDs.count) teacher ids of \(trace) as "
                    + "\(quoted(decoded)) but the teacher wrote \(quoted(record.completion)); "
                    + "the student encodes that text as \(encoded.count) ids, the first \(same) equal to the teacher's")
        }
    }

    private static func quoted(_ text: String) -> String {
        let head = text.prefix(60)
        return "\"\(head)\(head.count < text.count ? "…" : "")\""
    }
}
