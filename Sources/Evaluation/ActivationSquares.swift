import Transformer

/// Accumulates, for every linear weight, Σ x² per input column and the number of activation
/// vectors seen: llama.cpp's imatrix (`collect_imatrix` in imatrix.cpp), summed in Double.
public final class ActivationSquares: ActivationObserver {
    public private(set) var sums: [String: [Double]] = [:]
    /// Activation vectors (tokens) seen per weight.
    public private(set) var counts: [String: Int] = [:]

    public init() {}

    public func observe(weight: String, input: UnsafePointer<Float>, rows: Int, columns: Int) {
        // Taken out of the dictionary so the update does not copy the array.
        var sum = sums.removeValue(forKey: weight) ?? [Double](repeating: 0, count: columns)
        // A weight's input width never changes within a model; a mismatch is a caller mixing models.
        guard sum.count == columns else {
            sums[weight] = sum
            return
        }
        sum.withUnsafeMutableBufferPointer { s in
            for row in 0..<rows {
                let x = input + row * columns
                for c in 0..<columns { s[c] += Double(x[c]) * Double(x[c]) }
            }
        }
        sums[weight] = sum
        counts[weight, default: 0] += rows
    }

    /// Mean x² per column, by weight name.
    public var meanSquares: [String: [Float]] {
        sums.reduce(into: [:]) { out, entry in
            let n = Double(max(counts[entry.key] ?? 0, 1))
            out[entry.key] = entry.value.map { Float($0 / n) }
        }
    }
}
