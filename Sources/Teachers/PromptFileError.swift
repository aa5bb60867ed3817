import Foundation

/// A line of a prompt file that is not a valid prompt. Printed as `prompts.jsonl:12: reason`,
/// the form editors and `grep -n` use, so the user can jump to it.
public struct PromptLineError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file's name as given (its last path component).
    public var file: String
    /// 1-based line number.
    public var line: Int
    public var reason: String

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { "\(file):\(line): \(reason)" }
}

/// The prompt file as a whole could not be read.
public struct PromptFileError: Error, Equatable, CustomStringConvertible, Sendable {
    public var file: String
    public var reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}
