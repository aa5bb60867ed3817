/// What a step minimises: `(1 − α)·SFT + α·T²·KD` (Hinton et al. 2015). SFT is the mean
/// cross-entropy over target positions; KD is the mean, over positions with teacher data, of
/// the forward KL from the teacher's top-k distribution (renormalised over its k entries
/// after dividing the logprobs by T) to the student's softmax at temperature T over the
/// whole vocabulary.
public struct TrainingObjective: Sendable, Equatable {
    /// α, in [0, 1]; 0 is plain SFT.
    public var kdWeight: Float
    /// T > 0.
    public var kdTemperature: Float

    public init(kdWeight: Float = 0, kdTemperature: Float = 1) {
        self.kdWeight = kdWeight
        self.kdTemperature = kdTemperature
    }
}
