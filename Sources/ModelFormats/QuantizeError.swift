/// Why a tensor could not be quantised. Each case names the tensor so the message says which
/// weight of which model is at fault; nothing is written when one is thrown.
public enum QuantizeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The row (`ne[0]`) is not a whole number of the type's blocks.
    case rowLengthNotMultipleOfBlock(tensor: String, rowLength: Int, type: GGMLType)
    /// A weight is NaN or ±infinity; `index` is the element's position in the tensor (`ne` order).
    case nonFiniteWeight(tensor: String, index: Int, value: Float)
    /// No quantiser for this type yet (the K-quants are dequantise-only so far).
    case unsupportedType(tensor: String, type: GGMLType)
    /// The buffer does not hold a whole number of rows.
    case elementCountMismatch(tensor: String, count: Int, rowLength: Int)

    public var description: String {
        switch self {
        case .rowLengthNotMultipleOfBlock(let tensor, let rowLength, let type):
            return "tensor '\(tensor)': rows of \(rowLength) elements are not a multiple of the \(type) block of \(type.blockSize); pick a type whose block divides \(rowLength) (F16, F32, BF16 always fit)"
        case .nonFiniteWeight(let tensor, let index, let value):
            return "tensor '\(tensor)': element \(index) is \(value); the source model holds non-finite weights, fix or re-export it before quantising"
        case .unsupportedType(let tensor, let type):
            return "tensor '\(tensor)': quantising to \(type) is not implemented yet; use F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0 or Q5_1"
        case .elementCountMismatch(let tensor, let count, let rowLength):
            return "tensor '\(tensor)': \(count) elements is not a whole number of rows of \(rowLength)"
        }
    }
}
