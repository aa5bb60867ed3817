import Foundation

/// One line of `metrics.jsonl`: what a training or evaluation step measured.
/// Optional figures are left out of the line when unknown, rather than written as null.
public struct MetricsRecord: Codable, Sendable, Equatable {
    public enum Split: String, Codable, Sendable { case train, eval }

    public var step: Int
    public var split: Split
    /// The objective's total for train records; the SFT cross-entropy for eval records.
    public var loss: Double
    /// The KD term (mean forward KL from the teacher), when the step had teacher data.
    public var kl: Double?
    /// Fraction of target positions where the student's argmax is the target.
    public var top1: Double?
    public var tokensPerSecond: Double?
    public var learningRate: Double?
    /// exp(loss) on the eval split.
    public var perplexity: Double?

    enum CodingKeys: String, CodingKey {
        case step, split, loss, kl, top1
        case tokensPerSecond = "tokens_per_s"
        case learningRate = "lr"
        case perplexity
    }

    public init(step: Int, split: Split, loss: Double, kl: Double? = nil, top1: Double? = nil,
                tokensPerSecond: Double? = nil, learningRate: Double? = nil, perplexity: Double? = nil) {
        self.step = step
        self.split = split
        self.loss = loss
        self.kl = kl
        self.top1 = top1
        self.tokensPerSecond = tokensPerSecond
        self.learningRate = learningRate
        self.perplexity = perplexity
    }
}

/// `metrics.jsonl` beside a run's checkpoints: one JSON object a line, appended as steps
/// finish, so `tail -f` and `pandas.read_json(lines=True)` both follow a run.
///
/// Resume is designed in (llm.c's rule): a run restarted from the checkpoint at step S
/// recomputes steps after S, so opening the log at S first drops every line past S, and the
/// file never holds a step twice.
public struct MetricsLog: Sendable {
    public static let fileName = "metrics.jsonl"

    public let url: URL

    /// Opens the log for a run starting fresh (`step` nil: any earlier file is emptied, its
    /// records belong to a run this one replaces) or resuming after `step` (lines with a
    /// larger step are dropped). Either way the file is rewritten atomically, so a kill here
    /// leaves the old file or the new one, never half of one.
    public init(url: URL, resumingAt step: Int?) throws(TrainingError) {
        self.url = url
        var kept = Data()
        if let step, FileManager.default.fileExists(atPath: url.path) {
            for (line, record) in try Self.lines(in: url) where record.step <= step {
                kept.append(line)
                kept.append(0x0A)
            }
        }
        try writeAtomically(kept, to: url)
    }

    /// Appends one record as one write(2) of one line, so a kill cannot interleave two lines;
    /// at worst it leaves a torn last line, which reading skips.
    public func append(_ record: MetricsRecord) throws(TrainingError) {
        let line: Data
        do { line = try Self.encoder.encode(record) + Data([0x0A]) } catch {
            throw .metrics(path: url.path, why: "cannot encode step \(record.step): \(error)")
        }
        do {
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } catch {
            throw .metrics(path: url.path, why: "cannot be appended to: \(error.localizedDescription)")
        }
    }

    /// Every record in the file, in file order.
    public static func records(in url: URL) throws(TrainingError) -> [MetricsRecord] {
        try lines(in: url).map(\.record)
    }

    /// The file's lines with what they decode to. A last line that does not decode is a
    /// write torn by a kill and is skipped; one anywhere else means the file is not ours.
    static func lines(in url: URL) throws(TrainingError) -> [(line: Data, record: MetricsRecord)] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .metrics(path: url.path, why: "cannot be read: \(error.localizedDescription)")
        }
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: true)
        var result: [(line: Data, record: MetricsRecord)] = []
        for (index, line) in lines.enumerated() {
            do {
                result.append((Data(line), try decoder.decode(MetricsRecord.self, from: Data(line))))
            } catch {
                if index == lines.count - 1 { break }
                throw .metrics(path: url.path, why: "line \(index + 1) is not a metrics record (\(error)); "
                    + "move the file aside to start a new log")
            }
        }
        return result
    }

    // A diverged step's loss is NaN or infinite and still worth a line; JSON has no such
    // numbers, so they are written as the strings Python's float() also reads.
    private static let nonFinite = (positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: nonFinite.positiveInfinity, negativeInfinity: nonFinite.negativeInfinity, nan: nonFinite.nan)
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: nonFinite.positiveInfinity, negativeInfinity: nonFinite.negativeInfinity, nan: nonFinite.nan)
        return decoder
    }
}

/// Writes a temporary file in the destination's folder, then rename(2)s it over the
/// destination, so a reader (a browser refreshing loss.svg, a resumed run) never sees half
/// a file. Shared by the metrics log and the loss curve.
func writeAtomically(_ data: Data, to url: URL) throws(TrainingError) {
    let temporary = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
    do { try data.write(to: temporary) } catch {
        throw .metrics(path: url.path, why: "cannot be written: \(error.localizedDescription)")
    }
    guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw .metrics(path: url.path, why: "cannot be replaced: \(reason)")
    }
}
