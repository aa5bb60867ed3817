/// A micro-batch as the trainer consumes it: `rows` sequences of `sequenceLength` tokens,
/// flattened row after row. Several traces may be packed into one row; each is a
/// `document`, attention never crosses a document boundary, and positions restart at 0 in
/// each (so a packed row computes exactly what the traces would compute alone).
public struct TrainingBatch: Sendable, Equatable {
    public var rows: Int
    public var sequenceLength: Int
    /// `rows × sequenceLength` token ids; padding is token 0 outside every document.
    public var tokens: [Int32]
    /// Contiguous spans of flattened indices, in order; none crosses a row boundary.
    public var documents: [Range<Int>]
    /// For each position, the token the model should predict there (the next token), or -1
    /// where nothing is learned: prompt, padding, the last token of a document.
    public var targets: [Int32]
    /// The teacher's top-k alternatives for the token predicted at each position
    /// ([tokens.count × teacherTopK], best first, id -1 and logprob -infinity as padding);
    /// a position without teacher data has every id -1. Empty when `teacherTopK` is 0.
    public var teacherTopK: Int
    public var teacherIDs: [Int32]
    public var teacherLogprobs: [Float]

    public init(rows: Int, sequenceLength: Int, tokens: [Int32], documents: [Range<Int>], targets: [Int32],
                teacherTopK: Int = 0, teacherIDs: [Int32] = [], teacherLogprobs: [Float] = []) {
        self.rows = rows
        self.sequenceLength = sequenceLength
        self.tokens = tokens
        self.documents = documents
        self.targets = targets
        self.teacherTopK = teacherTopK
        self.teacherIDs = teacherIDs
        self.teacherLogprobs = teacherLogprobs
    }

    public var tokenCount: Int { tokens.count }
    /// Positions with a target: the SFT loss's denominator.
    public var targetCount: Int { targets.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }
    /// Positions with teacher data: the KD loss's denominator.
    public var teacherPositionCount: Int {
        guard teacherTopK > 0 else { return 0 }
        return stride(from: 0, to: teacherIDs.count, by: teacherTopK).reduce(0) { $0 + (teacherIDs[$1] >= 0 ? 1 : 0) }
    }
}

extension TrainingBatch {
    /// The batch for plain SFT: teacher data dropped so the head skips the KD work.
    public func withoutTeacher() -> TrainingBatch {
        guard teacherTopK > 0 else { return self }
        var copy = self
        copy.teacherTopK = 0
        copy.teacherIDs = []
        copy.teacherLogprobs = []
        return copy
    }
}
