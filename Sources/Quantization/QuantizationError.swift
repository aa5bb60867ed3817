import ModelFormats

/// Why `distillery quantize` could not make a file. Each message names the input and says
/// how to fix it; the tensor-level failures come through as `QuantizeError` / `GGUFError`.
public enum QuantizationError: Error, Sendable, CustomStringConvertible {
    case unknownType(String)
    case unsupportedSource(path: String, why: String)
    case outputIsInput(path: String)
    case rowDoesNotFitTarget(tensor: String, rowLength: Int, type: GGMLType, target: String)

    public var description: String {
        switch self {
        case .unknownType(let name):
            let known = QuantizationTarget.allCases.map(\.name).joined(separator: ", ")
            return "unknown quantisation type '\(name)'; the types are \(known)"
        case .unsupportedSource(let path, let why):
            return "\(path): \(why)"
        case .rowDoesNotFitTarget(let tensor, let rowLength, let type, let target):
            return "\(tensor): rows of \(rowLength) values are not a whole number of \(type) blocks (\(type.blockSize) values), "
                + "and --type \(target) gives this tensor \(type); a mix falls back where rows do not fit "
                + "(Q4_K_M or Q5_K_M, as llama.cpp does), and F16, BF16 and F32 fit any row"
        case .outputIsInput(let path):
            return "the output \(path) is the input model; give another --out path"
        }
    }
}
