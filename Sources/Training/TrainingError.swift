/// Why training cannot go on, with what to do about it.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(String)
    case noTraces(directory: String, why: String)
    case tokenizerMismatch(String)
    case nonFiniteLoss(step: Int, loss: Float)
    case checkpoint(path: String, why: String)
    case studentInitialisation(String)
    case metrics(path: String, why: String)

    public var description: String {
        switch self {
        case .invalidSetting(let why): return "invalid training setting: \(why)"
        case .noTraces(let directory, let why): return "no training data in \(directory): \(why)"
        case .tokenizerMismatch(let why):
            return "logit distillation needs the teacher's tokenizer: \(why); train with --kd-weight 0 (plain SFT) instead"
        case .nonFiniteLoss(let step, let loss):
            return "the loss became \(loss) at step \(step); the last good checkpoint is kept. Lower --lr or raise --warmup-steps"
        case .checkpoint(let path, let why): return "checkpoint \(path): \(why)"
        case .studentInitialisation(let why): return "cannot initialise the student: \(why)"
        case .metrics(let path, let why): return "metrics \(path): \(why)"
        }
    }
}
