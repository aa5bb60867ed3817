/// Why a tensor could not be quantised. Each case names the tensor so the message says which
/// weight of which model is at fault; nothing is written when one is thrown.
public enum QuantizeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The row (`ne[0]`) is not a whole number of the type's blocks.
    case rowLengthNotMultipleOfBlock(tensor: String, rowLength: Int, type: GGMLType)
    /// A weight is NaN or ±infinity; `index` is the element's position in the tensor (`ne` order).
    case nonFiniteWeight(tensor: String, index: Int, value: Float)
    /// No quantiser for this type.
    case unsupportedType(tensor: String, type: GGMLType)
    /// The buffer does not hold a whole number of rows.
    case elementCountMismatch(tensor: String, count: Int, rowLength: Int)
    /// The importance vector (imatrix entry) does not hold one value per column.
    case importanceCountMismatch(tensor: String, count: Int, rowLength: Int)
    /// An importance value is negative, NaN or infinite; `index` is its column.
    case invalidImportance(tensor: String, index: Int, value: Float)

    public var description: String {
        switch self {
        case .rowLengthNotMultipleOfBlock(let tensor, let rowLength, let type):
            return "tensor '\(tensor)': rows of \(rowLength) elements are not a multiple of the \(type) block of \(type.blockSize); pick a type whose block divides \(rowLength) (F16, F32, BF16 always fit)"
        case .nonFiniteWeight(let tensor, let index, let value):
            return "tensor '\(tensor)': element \(index) is \(value); the source model holds non-finite weights, fix or re-export it before quantising"
        case .unsupportedType(let tensor, let type):
            return "tensor '\(tensor)': quantising to \(type) is not implemented; use one of \(GGMLType.quantizable.map(\.description).joined(separator: ", "))"
        case .elementCountMismatch(let tensor, let count, let rowLength):
            return "tensor '\(tensor)': \(count) elements is not a whole number of rows of \(rowLength)"
        case .importanceCountMismatch(let tensor, let count, let rowLength):
            return "tensor '\(tensor)': the importance matrix has \(count) values for rows of \(rowLength); it needs one per column (was it computed for another model?)"
        case .invalidImportance(let tensor, let index, let value):
            return "tensor '\(tensor)': importance value \(index) is \(value); importance values must be finite and non-negative, recompute the importance matrix"
        }
    }
}
