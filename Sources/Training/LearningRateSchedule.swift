#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Linear warm-up, then cosine decay to `minimumRatio · peak` at `totalSteps` (the shape of
/// transformers' `get_cosine_schedule_with_warmup`). Steps count from 0; warm-up reaches the
/// peak at its last step rather than starting from a useless lr of 0.
public struct LearningRateSchedule: Sendable, Equatable {
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var minimumRatio: Float

    public init(peak: Float, warmupSteps: Int, totalSteps: Int, minimumRatio: Float = 0.1) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minimumRatio = minimumRatio
    }

    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let decaySteps = max(totalSteps - warmupSteps, 1)
        let progress = min(Float(step - warmupSteps) / Float(decaySteps), 1)
        let cosine = 0.5 * (1 + cosf(.pi * progress))
        return peak * (minimumRatio + (1 - minimumRatio) * cosine)
    }
}
