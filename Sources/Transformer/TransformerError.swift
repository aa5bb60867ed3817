/// Errors of the decoder engine; each message says what is wrong and how to fix it.
public enum TransformerError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(String)
    case weightShape(name: String, expected: [Int], found: [Int])
    case unsupportedWeightType(name: String, type: String)
    case contextOverflow(slot: Int, needed: Int, capacity: Int)
    case invalidBatch(String)
    case tokenOutOfRange(token: Int32, vocabularySize: Int)
    case outOfMemory(floats: Int)

    public var description: String {
        switch self {
        case .invalidConfig(let why):
            return "invalid model configuration: \(why)"
        case .weightShape(let name, let expected, let found):
            return "tensor '\(name)' has shape \(found), expected \(expected): the file does not match its own metadata"
        case .unsupportedWeightType(let name, let type):
            return "tensor '\(name)' has type \(type), which the engine cannot run directly; dequantise it at load time"
        case .contextOverflow(let slot, let needed, let capacity):
            return "sequence \(slot) needs \(needed) positions but the context holds \(capacity): shorten the prompt or lower --max-tokens"
        case .invalidBatch(let why):
            return "invalid batch: \(why)"
        case .outOfMemory(let floats):
            return "could not allocate \(floats) floats (\(floats / 262_144) MiB): free memory or use a smaller model or batch"
        case .tokenOutOfRange(let token, let vocabularySize):
            return "token id \(token) is outside the vocabulary (0..<\(vocabularySize))"
        }
    }
}
