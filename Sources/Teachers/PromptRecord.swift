import Tokenizers

/// One prompt of a prompt file, ready to become teacher jobs.
public struct PromptRecord: Sendable, Equatable {
    /// 0-based position among the file's good prompts.
    public var index: Int
    /// 1-based line in the file, for messages that point the user at it.
    public var lineNumber: Int
    /// The "id" field (a JSON string, or an integer kept as its decimal text); nil when absent.
    public var id: String?
    /// The conversation to answer; a "prompt" string or a plain-text line becomes one user message.
    public var messages: [ChatMessage]
    /// The "answer" field as text (a JSON number becomes its decimal text); nil when absent.
    public var referenceAnswer: String?
    /// Every other field of the line, as a JSON object text with sorted keys; "{}" if none.
    public var metadata: String

    public init(index: Int, lineNumber: Int, id: String?, messages: [ChatMessage], referenceAnswer: String?,
                metadata: String = "{}") {
        self.index = index
        self.lineNumber = lineNumber
        self.id = id
        self.messages = messages
        self.referenceAnswer = referenceAnswer
        self.metadata = metadata
    }
}

/// What `--on-bad-line` does with a line that is not a valid prompt.
public enum BadLinePolicy: String, CaseIterable, Sendable {
    /// Report the line (`PromptFile.skipped`) and go on with the others.
    case skip
    /// Stop at the first bad line.
    case fail
}
