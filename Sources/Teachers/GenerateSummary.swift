/// What a generate run did, printed at its end (and as JSON with `--json`).
public struct GenerateSummary: Sendable, Codable, Equatable {
    public var prompts = 0
    /// Traces the folder held already when the run started (a resumed run).
    public var tracesFoundDone = 0
    public var tracesWritten = 0
    /// Samples of prompts whose messages repeat an earlier line's: they share its trace ids.
    public var duplicateSamples = 0
    /// Samples given up after `max_attempts` without a correct answer (`--keep correct`).
    public var samplesWithoutCorrectAnswer = 0
    public var verifiedCorrect = 0
    public var verifiedIncorrect = 0
    public var attempts = 0
    public var promptTokens = 0
    public var completionTokens = 0
    public var seconds = 0.0
    public var failures: [GenerateFailure] = []

    public var completionTokensPerSecond: Double { seconds > 0 ? Double(completionTokens) / seconds : 0 }

    enum CodingKeys: String, CodingKey {
        case prompts, tracesFoundDone = "traces_found_done", tracesWritten = "traces_written"
        case samplesWithoutCorrectAnswer = "samples_without_correct_answer"
        case verifiedCorrect = "verified_correct", verifiedIncorrect = "verified_incorrect", attempts
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", seconds, failures
    }
}

/// A sample that got no trace in this run because its teacher request failed; rerunning
/// the command tries it again.
public struct GenerateFailure: Sendable, Codable, Equatable, CustomStringConvertible {
    public var line: Int
    public var promptID: String
    public var sample: Int
    public var message: String

    public var description: String { "line \(line) (prompt \(promptID), sample \(sample)): \(message)" }

    enum CodingKeys: String, CodingKey { case line, promptID = "prompt_id", sample, message }
}

/// Where a run stands, for the progress line.
public struct GenerateProgress: Sendable {
    public var samplesTotal: Int
    public var samplesSettled: Int
    public var tracesKept: Int
    public var completionTokens: Int
    public var seconds: Double

    public var tokensPerSecond: Double { seconds > 0 ? Double(completionTokens) / seconds : 0 }
    /// Seconds left at the current pace; nil before the first sample settles.
    public var estimatedSecondsLeft: Double? {
        samplesSettled > 0 ? seconds / Double(samplesSettled) * Double(samplesTotal - samplesSettled) : nil
    }
}
