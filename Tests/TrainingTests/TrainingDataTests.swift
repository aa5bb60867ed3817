import Foundation
import Testing
import Transformer
import Evaluation
import ModelLoading
import Tokenizers
import Traces
@testable import Training

/// Traces into training rows, on real traces with the real SmolLM2 tokenizer.
///
/// heldout_traces (64) and calibration_traces (32) are the Evaluation fixtures: SmolLM2 traces
/// of 256 tokens at most, no top-k. Fixtures/kd_traces (12) keep the teacher's top-8 per
/// token, sampled at temperature 0.3 (scripts/fixtures/make_kd_traces.sh).
@Suite(.serialized)
struct TrainingDataTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let heldOut = here.deletingLastPathComponent().appendingPathComponent("EvaluationTests/Fixtures/heldout_traces")
    static let calibration = here.deletingLastPathComponent().appendingPathComponent("EvaluationTests/Fixtures/calibration_traces")
    static let kdTraces = here.appendingPathComponent("Fixtures/kd_traces")
    static let model = Result { try LoadedModel.load("smollm2-135m-instruct", threads: 1) }

    static func smolLM2() throws -> (ChatTemplate, BPETokenizer) {
        let model = try Self.model.get()
        return (try model.chatTemplate(), model.tokenizer)
    }

    static func load(_ traces: URL, length: Int = 1024, heldOut: HeldOutTraces = .defaultFraction, seed: UInt64 = 0,
                     kd: Bool = false) throws -> TrainingData {
        let (template, tokenizer) = try smolLM2()
        return try TrainingData.load(traces: traces, options: TrainingDataOptions(
            sequenceLength: length, heldOut: heldOut, seed: seed, objective: TrainingObjective(kdWeight: kd ? 0.5 : 0)),
            template: template, tokenizer: tokenizer)
    }

    static func records(_ folder: URL) throws -> [TraceRecord] {
        var records: [TraceRecord] = []
        try TraceDatasetReader.forEachRecord(in: try MDSDataset(directory: folder)) { records.append($1) }
        return records
    }

    /// A new trace folder holding these records; the caller removes it.
    static func folder(_ records: [TraceRecord]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-train-\(UUID().uuidString)")
        let writer = try MDSShardWriter(directory: url, columns: TraceRecord.columns, sizeLimit: 1 << 20, compressionLevel: 3)
        for record in records { try writer.write(record.mdsSample) }
        _ = try writer.finish()
        return url
    }

    // MARK: Targets

    @Test func promptIsMaskedAndEveryCompletionTokenIncludingEndOfTurnIsTheNextTokenTarget() throws {
        let data = try Self.load(Self.heldOut)
        let endOfTurn = try #require(try Self.smolLM2().1.id(of: "<|im_end|>"))
        #expect(data.train.count + data.eval.count == 64)
        for (index, example) in data.train.enumerated() {
            let batch = data.batch(trainRows: [[index]])
            let n = example.tokens.count, start = example.completionStart
            #expect(batch.documents == [0..<n])
            #expect(Array(batch.tokens[0..<n]) == example.tokens)
            // Prompt positions (system and user turns, generation prompt) learn nothing...
            #expect(batch.targets[0..<(start - 1)].allSatisfy { $0 == -1 })
            // ...every completion token is the target of the position before it...
            #expect(Array(batch.targets[(start - 1)..<(n - 1)]) == Array(example.tokens[start..<n]))
            // ...the end-of-turn token closes the completion and is learned...
            #expect(example.tokens[n - 1] == endOfTurn)
            #expect(batch.targets[n - 2] == endOfTurn)
            // ...and the last token and the padding predict nothing.
            #expect(batch.targets[(n - 1)...].allSatisfy { $0 == -1 })
            #expect(batch.tokens[n...].allSatisfy { $0 == 0 })
            #expect(batch.targetCount == example.targetCount)
        }
        #expect(data.trainCounts.targetTokens == data.train.map(\.targetCount).reduce(0, +))
        #expect(data.trainCounts.truncated == 0 && data.trainCounts.dropped == 0)
    }

    @Test func oneDocumentAloneIsTheTokenSequenceEvalScores() throws {
        let (template, tokenizer) = try Self.smolLM2()
        let sequences = try TraceSequence.load(from: Self.heldOut, template: template, tokenizer: tokenizer)
        let data = try Self.load(Self.heldOut)
        let examples = Dictionary(uniqueKeysWithValues: (data.train + data.eval).map { ($0.id, $0) })
        #expect(examples.count == sequences.count)
        for sequence in sequences {
            let example = try #require(examples[sequence.id])
            #expect(example.tokens == sequence.tokens)
            #expect(example.completionStart == sequence.promptCount)
        }
    }

    // MARK: Packing

    @Test func documentsNeverCrossRowsAndLongTracesAreCutAndCounted() throws {
        let length = 256
        let (template, tokenizer) = try Self.smolLM2()
        let full = try Self.records(Self.heldOut).map { try TrainingExample(record: $0, template: template, tokenizer: tokenizer) }
        let data = try Self.load(Self.heldOut, length: length)
        // Counted independently of the packer: traces longer than a row.
        #expect(data.trainCounts.truncated + data.evalCounts.truncated == full.filter { $0.tokens.count > length }.count)
        #expect(data.trainCounts.truncated > 0)
        let byID = Dictionary(uniqueKeysWithValues: full.map { ($0.id, $0) })
        for step in 0..<6 {
            for batch in data.batches(ofStep: step, rowsPerStep: 4, rowsPerBatch: 2) {
                #expect(batch.tokens.count == batch.rows * length && batch.targets.count == batch.tokens.count)
                var covered = [Bool](repeating: false, count: batch.tokens.count)
                var previousEnd = 0
                for document in batch.documents {
                    #expect(document.lowerBound >= previousEnd)
                    #expect(document.lowerBound / length == (document.upperBound - 1) / length)
                    #expect(document.count <= length)
                    #expect(batch.targets[document.upperBound - 1] == -1)
                    for i in document { covered[i] = true }
                    previousEnd = document.upperBound
                }
                for i in covered.indices where !covered[i] {
                    #expect(batch.tokens[i] == 0 && batch.targets[i] == -1)
                }
            }
            // Each packed document is a prefix of its whole trace.
            for row in data.rows(ofStep: step, rowsPerStep: 4) {
                #expect(row.examples.map { data.train[$0].tokens.count }.reduce(0, +) <= length)
                for index in row.examples {
                    let example = data.train[index]
                    let whole = try #require(byID[example.id])
                    #expect(Array(whole.tokens.prefix(length)) == example.tokens)
                }
            }
        }
    }

    @Test func packingIsNextFitInOrder() {
        // 5 then 4 do not share a row of 8; 3 after 4 does not fit either, next-fit never goes back.
        #expect(SequencePacker.pack(lengths: [5, 4, 3, 1, 8], order: [0, 1, 2, 3, 4], sequenceLength: 8)
            == [[0], [1, 2, 3], [4]])
        #expect(SequencePacker.pack(lengths: [5, 4, 3, 1, 8], order: [4, 3, 2, 1, 0], sequenceLength: 8)
            == [[4], [3, 2, 1], [0]])
    }

    // MARK: Split

    @Test func splitBucketsAreSha256OfTheIDAsPythonComputesThem() {
        // int.from_bytes(hashlib.sha256(id.encode()).digest()[:8], "big") % 1000
        #expect(TrainingDataSplit.bucket(of: "trace-0") == 202)
        #expect(TrainingDataSplit.bucket(of: "trace-1") == 953)
        #expect(TrainingDataSplit.bucket(of: "a") == 250)
        #expect(TrainingDataSplit.bucket(of: "0123456789abcdef") == 128)
        // At least one held out from two traces, even when no bucket is below the cut.
        #expect(TrainingDataSplit.heldOut(ids: ["trace-0", "trace-1"], fraction: 0.05) == [0])
        #expect(TrainingDataSplit.heldOut(ids: ["trace-0"], fraction: 0.05) == [])
    }

    @Test func splitIsDeterministicDisjointAndCoversEveryTrace() throws {
        let ids = try Self.records(Self.heldOut).map(\.id)
        let a = try Self.load(Self.heldOut, heldOut: .fraction(0.2))
        let b = try Self.load(Self.heldOut, heldOut: .fraction(0.2), seed: 99)
        #expect(a.train.map(\.id) == b.train.map(\.id))
        #expect(a.eval.map(\.id) == b.eval.map(\.id))
        #expect(Set(a.train.map(\.id)).isDisjoint(with: a.eval.map(\.id)))
        #expect(Set(a.train.map(\.id) + a.eval.map(\.id)) == Set(ids))
        #expect(a.eval.map(\.id) == ids.filter { TrainingDataSplit.bucket(of: $0) < 200 })
        #expect(!a.eval.isEmpty && !a.train.isEmpty)
        // A bigger fraction holds out a superset: a trace never changes side as the cut grows.
        let c = try Self.load(Self.heldOut, heldOut: .fraction(0.5))
        #expect(Set(a.eval.map(\.id)).isSubset(of: c.eval.map(\.id)))
        // A separate folder: everything trains, that folder evaluates.
        let d = try Self.load(Self.heldOut, heldOut: .directory(Self.calibration))
        #expect(d.train.count == 64 && d.eval.count == 32)
    }

    // MARK: Order

    @Test func sameSeedSameBatchesOtherSeedOtherOrder() throws {
        let a = try Self.load(Self.heldOut, seed: 7)
        let b = try Self.load(Self.heldOut, seed: 7)
        let c = try Self.load(Self.heldOut, seed: 8)
        for step in 0..<4 {
            #expect(a.batches(ofStep: step, rowsPerStep: 2, rowsPerBatch: 1) == b.batches(ofStep: step, rowsPerStep: 2, rowsPerBatch: 1))
        }
        #expect(a.rows(ofEpoch: 0) == b.rows(ofEpoch: 0))
        #expect(a.rows(ofEpoch: 0) != c.rows(ofEpoch: 0))
        #expect(a.rows(ofEpoch: 0) != a.rows(ofEpoch: 1))
        // Each epoch is a permutation: every training trace exactly once.
        for epoch in 0..<3 {
            #expect(a.rows(ofEpoch: epoch).flatMap { $0 }.sorted() == Array(a.train.indices))
        }
        #expect(SplitMix64.permutation(of: 10, seed: 1) == SplitMix64.permutation(of: 10, seed: 1))
        // SplitMix64's first outputs from seed 0 (the reference values of Vigna's splitmix64.c).
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func resumingAtAStepGivesTheRowsOfAnUninterruptedRun() throws {
        let data = try Self.load(Self.heldOut, length: 512, seed: 3)
        let rowsPerStep = 5
        let perEpoch = (0..<4).map { data.rowCount(ofEpoch: $0) }
        let stream = (0..<4).flatMap { data.rows(ofEpoch: $0) }
        let steps = (perEpoch[0] + perEpoch[1] + perEpoch[2]) / rowsPerStep
        #expect(steps >= 3)
        var fromZero: [[Int]] = []
        for step in 0..<steps { fromZero += data.rows(ofStep: step, rowsPerStep: rowsPerStep).map(\.examples) }
        #expect(fromZero == Array(stream.prefix(steps * rowsPerStep)))
        // A fresh load, asked only for the step number, continues with the same rows and batches.
        let resumed = try Self.load(Self.heldOut, length: 512, seed: 3)
        for step in [steps / 2, steps - 1] {
            #expect(resumed.rows(ofStep: step, rowsPerStep: rowsPerStep).map(\.examples)
                == Array(fromZero[(step * rowsPerStep)..<((step + 1) * rowsPerStep)]))
            #expect(resumed.batches(ofStep: step, rowsPerStep: rowsPerStep, rowsPerBatch: 2)
                == data.batches(ofStep: step, rowsPerStep: rowsPerStep, rowsPerBatch: 2))
        }
        // A step that straddles two epochs says so.
        let straddling = (perEpoch[0] - 1) / rowsPerStep
        #expect(data.rows(ofStep: straddling, rowsPerStep: rowsPerStep).map(\.epoch)
            == (0..<rowsPerStep).map { straddling * rowsPerStep + $0 < perEpoch[0] ? 0 : 1 })
        #expect(abs(data.epochs(afterSteps: steps, rowsPerStep: rowsPerStep) - Double(steps * rowsPerStep - perEpoch[0] - perEpoch[1]) / Double(perEpoch[2]) - 2) < 1e-9)
    }

    @Test func evalBatchesKeepDatasetOrder() throws {
        let data = try Self.load(Self.heldOut, length: 512, heldOut: .directory(Self.calibration))
        let batches = data.evalBatches(rows: 3)
        #expect(batches.allSatisfy { $0.rows <= 3 })
        let documents = batches.flatMap { batch in batch.documents.map { Array(batch.tokens[$0]) } }
        #expect(documents == data.eval.map(\.tokens))
        #expect(batches.map(\.targetCount).reduce(0, +) == data.evalCounts.targetTokens)
        #expect(data.evalBatches(rows: 3) == batches)
    }

    // MARK: Logit distillation

    @Test func teacherTopKLinesUpWithTheTokenItPredicts() throws {
        let records = try Self.records(Self.kdTraces)
        #expect(records.count == 12 && records.allSatisfy { $0.topK == 8 })
        let data = try Self.load(Self.kdTraces, kd: true)
        let endOfTurn = try #require(try Self.smolLM2().1.id(of: "<|im_end|>"))
        #expect(data.teacherTopK == 8)
        let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) })
        var positions = 0, topOne = 0, shiftedTopOne = 0, logprobsChecked = 0
        for (index, example) in data.train.enumerated() {
            let record = try #require(byID[example.id])
            let batch = data.batch(trainRows: [[index]])
            let n = example.tokens.count, start = example.completionStart, k = batch.teacherTopK
            // The completion is the teacher's own ids, closed by the end-of-turn it stopped at.
            #expect(Array(example.tokens[start...]) == record.tokenIDs + [endOfTurn])
            #expect(batch.teacherPositionCount == record.tokenIDs.count)
            for j in record.tokenIDs.indices {
                let position = start + j - 1
                #expect(batch.targets[position] == record.tokenIDs[j])
                let row = Array(batch.teacherIDs[(position * k)..<((position + 1) * k)])
                let logprobs = Array(batch.teacherLogprobs[(position * k)..<((position + 1) * k)])
                #expect(row == Array(record.topIDs[(j * k)..<((j + 1) * k)]))
                positions += 1
                if row[0] == batch.targets[position] { topOne += 1 }
                // The sampled token's own logprob, stored apart from the top-k, is its entry there.
                if let slot = row.firstIndex(of: record.tokenIDs[j]) {
                    #expect(abs(logprobs[slot] - record.tokenLogprobs[j]) < 1e-5)
                    logprobsChecked += 1
                }
                // The same rows one position late: what an off-by-one alignment would show.
                if j + 1 < record.tokenIDs.count, row[0] == record.tokenIDs[j + 1] { shiftedTopOne += 1 }
            }
            // The end-of-turn position has a target but no teacher data; prompt positions neither.
            #expect(batch.targets[n - 2] == endOfTurn)
            #expect(batch.teacherIDs[((n - 2) * k)..<((n - 1) * k)].allSatisfy { $0 == -1 })
            #expect(batch.teacherIDs[0..<((start - 1) * k)].allSatisfy { $0 == -1 })
        }
        // Sampled at temperature 0.3, top-p 0.95 from a 135M model whose distributions are
        // flat (the misses are mostly near-ties): the sampled token is the teacher's top-1 at
        // 446 of the 506 positions (88%), against 8 when the rows are read one position late.
        // The sampled token's logprob matches its top-k entry at 505; at the other (trace 6's
        // first token, logprob -3.63) it was sampled from outside the top 8.
        #expect(positions == 506)
        #expect(topOne == 446)
        #expect(shiftedTopOne == 8)
        #expect(logprobsChecked == 505)
    }

    @Test func tokenizerCheckDecodesBecauseSampledIDsAreNotAlwaysTheCanonicalEncoding() throws {
        let tokenizer = try Self.smolLM2().1
        var records = try Self.records(Self.heldOut)
        // Re-encoding the text gives the teacher's sampled ids back for 59 of the 64 traces;
        // decoding the ids gives the text back for all 64. Comparing encodings would call the
        // teacher's own tokenizer a mismatch.
        #expect(records.filter { tokenizer.encode($0.completion, addSpecialTokens: false, parseSpecialTokens: true) == $0.tokenIDs }.count == 59)
        #expect(records.filter { tokenizer.decode($0.tokenIDs) == $0.completion }.count == 64)
        // So with top-1 data made from their own ids (and logprobs), all 64 pass as distillation data,
        // and the 5 whose re-encoding differs keep the teacher's ids.
        for i in records.indices {
            records[i].topK = 1
            records[i].topIDs = records[i].tokenIDs
            records[i].topLogprobs = records[i].tokenLogprobs
        }
        let folder = try Self.folder(records)
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try Self.load(folder, kd: true)
        #expect(data.train.count + data.eval.count == 64)
        let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) })
        for example in data.train + data.eval {
            let record = try #require(byID[example.id])
            #expect(Array(example.tokens[example.completionStart...].dropLast()) == record.tokenIDs)
        }
    }

    @Test func distillationRefusesTracesWithoutTopK() throws {
        #expect(throws: TrainingError.self) { try Self.load(Self.heldOut, kd: true) }
        do {
            _ = try Self.load(Self.heldOut, kd: true)
        } catch let error as TrainingError {
            guard case .invalidSetting(let why) = error else { Issue.record("\(error)"); return }
            #expect(why.contains("--kd-weight 0") && why.contains("--logprobs"))
        }
        // Plain SFT on the same traces is fine, and needs no teacher ids.
        #expect(try Self.load(Self.heldOut).train.count > 0)
    }

    @Test func distillationRefusesAStudentWithAnotherTokenizer() throws {
        let qwen = try BPETokenizer(tokenizerJSON: Self.here.deletingLastPathComponent()
            .appendingPathComponent("TokenizersTests/Fixtures/qwen2/tokenizer.json"))
        let (template, _) = try Self.smolLM2()
        let options = TrainingDataOptions(sequenceLength: 512, objective: TrainingObjective(kdWeight: 1))
        do {
            _ = try TrainingData.load(traces: Self.kdTraces, options: options, template: template, tokenizer: qwen)
            Issue.record("a student with the Qwen2 fixture tokenizer was accepted")
        } catch TrainingError.tokenizerMismatch(let why) {
            #expect(why.contains("outside the student's vocabulary of \(qwen.vocabularySize) tokens"))
        }
        // SFT re-encodes the text, so the same student trains on the same traces.
        let sft = TrainingDataOptions(sequenceLength: 512, objective: TrainingObjective(kdWeight: 0))
        #expect(try TrainingData.load(traces: Self.kdTraces, options: sft, template: template, tokenizer: qwen).train.count > 0)

        // Ids inside the vocabulary that spell something else: a tokenizer of the same size
        // with other tokens. Shifting every id by one is such a tokenizer's view.
        var records = try Self.records(Self.kdTraces)
        records[0].tokenIDs = records[0].tokenIDs.map { $0 + 1 }
        let shifted = try Self.folder(records)
        defer { try? FileManager.default.removeItem(at: shifted) }
        do {
            _ = try Self.load(shifted, kd: true)
            Issue.record("shifted teacher ids were accepted")
        } catch TrainingError.tokenizerMismatch(let why) {
            #expect(why.contains("decodes the \(records[0].tokenIDs.count) teacher ids of trace 0"))
        }
    }

    // MARK: No data

    @Test func missingEmptyOrForeignFoldersSayWhy() throws {
        func why(_ folder: URL, heldOut: HeldOutTraces = .defaultFraction, length: Int = 1024) throws -> String {
            do {
                _ = try Self.load(folder, length: length, heldOut: heldOut)
            } catch TrainingError.noTraces(_, let why) {
                return why
            }
            Issue.record("\(folder.path) loaded")
            return ""
        }
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-none-\(UUID().uuidString)")
        #expect(try why(missing).contains("no such folder"))
        try FileManager.default.createDirectory(at: missing, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: missing) }
        #expect(try why(missing).contains("no index.json"))
        let foreign = Self.here.deletingLastPathComponent().appendingPathComponent("TracesTests/Fixtures/python_zstd")
        #expect(try why(foreign).contains("not a trace dataset"))

        // One trace: nothing to hold out. All traces held out: nothing to train on.
        let records = try Self.records(Self.heldOut)
        let one = try Self.folder([records[0]])
        defer { try? FileManager.default.removeItem(at: one) }
        #expect(try why(one).contains("--eval-traces"))
        #expect(try why(Self.heldOut, heldOut: .fraction(0.999)).contains("held-out"))
        // A row too short for any prompt: no trace has a completion token.
        #expect(try why(Self.heldOut, length: 16).contains("raise --seq-len"))
        #expect(throws: TrainingError.self) { try Self.load(Self.heldOut, heldOut: .fraction(0)) }
        #expect(throws: TrainingError.invalidSetting("the sequence length is 1; it must be at least 2")) {
            try TrainingData(train: [], eval: [], sequenceLength: 1, seed: 0)
        }
    }
}
