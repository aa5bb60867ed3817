import Foundation

/// What stops a pipeline: each message names the file, key or stage and says what to do.
public enum PipelineError: Error, CustomStringConvertible, Equatable {
    /// The pipeline file cannot be read or parsed.
    case unreadableFile(path: String, why: String)
    /// A key holds a value the pipeline cannot use.
    case invalidSetting(path: String, key: String, why: String)
    /// A stage failed; what it wrote so far is kept and the next run resumes it.
    case stageFailed(stage: String, why: String)
    /// The audit found a failing obligation: the artefacts exist but must not be published as they are.
    case auditFailed(report: String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, why): return "\(path): \(why)"
        case let .invalidSetting(path, key, why): return "\(path): \(key): \(why)"
        case let .stageFailed(stage, why):
            return "stage \(stage) failed: \(why)\n(what it wrote is kept; run the same command again to resume)"
        case let .auditFailed(report):
            return "the audit failed; the artefacts were written but must not be published as they are:\n\(report)"
        }
    }
}
