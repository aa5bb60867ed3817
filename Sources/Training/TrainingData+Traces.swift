import Foundation
import Tokenizers
import Traces

extension TrainingData {
    /// The traces of `directory` (a folder `distillery generate` wrote) as training data for a
    /// student with this chat template and tokenizer, split by `options.heldOut`.
    ///
    /// SFT re-encodes each completion's text (`TrainingExample(record:…)`), so the teacher's
    /// tokenizer does not matter, unless the traces kept top-k logprobs and the student reads
    /// the teacher's ids: then those ids are used, so that evaluation can report KL. Logit distillation takes the teacher's ids and top-k as
    /// they are, so it first checks, on every trace, that the ids are inside the student's
    /// vocabulary, and on the first few that the student decodes them into the text the
    /// teacher wrote.
    public static func load(traces directory: URL, options: TrainingDataOptions, template: ChatTemplate,
                            tokenizer: BPETokenizer) throws -> TrainingData {
        let all = try examples(in: directory, options: options, template: template, tokenizer: tokenizer)
        var train: [TrainingExample], eval: [TrainingExample]
        switch options.heldOut {
        case .fraction(let fraction):
            guard fraction > 0, fraction < 1 else {
                throw TrainingError.invalidSetting(
                    "the held-out fraction is \(fraction); give one above 0 and below 1 (0.05 holds out 5%), or --eval-traces DIR")
            }
            let held = Set(TrainingDataSplit.heldOut(ids: all.map(\.id), fraction: fraction))
            train = all.indices.filter { !held.contains($0) }.map { all[$0] }
            eval = all.indices.filter { held.contains($0) }.map { all[$0] }
            if eval.isEmpty {
                throw TrainingError.noTraces(directory: directory.path, why:
                    "its one trace leaves none to hold out for evaluation; give --eval-traces DIR or more traces")
            }
            if train.isEmpty {
                throw TrainingError.noTraces(directory: directory.path, why:
                    "all \(all.count) traces fall in the held-out \(Int((fraction * 100).rounded()))%; "
                        + "lower --eval-fraction or give --eval-traces DIR")
            }
        case .directory(let evalDirectory):
            train = all
            eval = try examples(in: evalDirectory, options: options, template: template, tokenizer: tokenizer)
        }
        let data = try TrainingData(train: train, eval: eval, sequenceLength: options.sequenceLength, seed: options.seed)
        let cut = " within the first \(options.sequenceLength) tokens; raise --seq-len"
        if data.train.isEmpty {
            throw TrainingError.noTraces(directory: directory.path, why: "no training trace has a completion token" + cut)
        }
        if data.eval.isEmpty {
            let evalFolder: URL
            if case .directory(let url) = options.heldOut { evalFolder = url } else { evalFolder = directory }
            throw TrainingError.noTraces(directory: evalFolder.path, why: "no held-out trace has a completion token" + cut)
        }
        return data
    }

    /// Every trace of `directory` as an example, in dataset order, one shard in memory at a time.
    static func examples(in directory: URL, options: TrainingDataOptions, template: ChatTemplate,
                         tokenizer: BPETokenizer) throws -> [TrainingExample] {
        let path = directory.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw TrainingError.noTraces(directory: path, why: "there is no such folder; give the folder `distillery generate --out` wrote")
        }
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("index.json").path) else {
            throw TrainingError.noTraces(directory: path, why: "no index.json; give a folder written by `distillery generate`")
        }
        let dataset: MDSDataset
        do { dataset = try MDSDataset(directory: directory) } catch {
            throw TrainingError.noTraces(directory: path, why: "the dataset does not read: \(error)")
        }
        guard DatasetSummary.isTraceDataset(dataset) else {
            throw TrainingError.noTraces(directory: path, why:
                "not a trace dataset (columns: \(dataset.columns.map(\.name).joined(separator: ", "))); "
                    + "give a folder written by `distillery generate`")
        }
        guard dataset.count > 0 else { throw TrainingError.noTraces(directory: path, why: "the dataset holds 0 samples") }
        var examples: [TrainingExample] = []
        examples.reserveCapacity(dataset.count)
        // For SFT, traces that kept the teacher's ids and top-k still use them when the student
        // reads them as the teacher wrote them: the held-out figures then include KL to the
        // teacher. The first trace that fails the check turns this off for the rest.
        var teacherTokensUsable = true
        try TraceDatasetReader.forEachRecord(in: dataset) { i, record in
            var useTeacher = options.usesTeacherTopK
            if options.usesTeacherTopK {
                try TeacherTokenCheck.check(record, sample: i, directory: path, tokenizer: tokenizer,
                                            decode: i < TeacherTokenCheck.decodedTraces)
            } else if teacherTokensUsable, record.topK > 0, !record.tokenIDs.isEmpty {
                do {
                    try TeacherTokenCheck.check(record, sample: i, directory: path, tokenizer: tokenizer,
                                                decode: i < TeacherTokenCheck.decodedTraces)
                    useTeacher = true
                } catch { teacherTokensUsable = false }
            }
            do {
                examples.append(useTeacher
                    ? try TrainingExample(teacherTokensOf: record, template: template, tokenizer: tokenizer)
                    : try TrainingExample(record: record, template: template, tokenizer: tokenizer))
            } catch {
                throw TrainingError.noTraces(directory: path, why:
                    "trace \(i) (\(record.id.prefix(12))) does not render with the student's chat template: \(error)")
            }
        }
        return examples
    }
}
