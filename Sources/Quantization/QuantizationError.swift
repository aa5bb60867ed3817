/// Why `distillery quantize` could not make a file. Each message names the input and says
/// how to fix it; the tensor-level failures come through as `QuantizeError` / `GGUFError`.
public enum QuantizationError: Error, Sendable, CustomStringConvertible {
    case unknownType(String)
    case unsupportedSource(path: String, why: String)
    case outputIsInput(path: String)

    public var description: String {
        switch self {
        case .unknownType(let name):
            let known = QuantizationTarget.allCases.map(\.name).joined(separator: ", ")
            return "unknown quantisation type '\(name)'; the types are \(known)"
        case .unsupportedSource(let path, let why):
            return "\(path): \(why)"
        case .outputIsInput(let path):
            return "the output \(path) is the input model; give another --out path"
        }
    }
}
