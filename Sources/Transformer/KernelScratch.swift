/// Buffers the quantised kernels need per call (Q4 activations permuted to the kernel's
/// element order, and their per-block sums; int8 activations for Q5 and K-quants), grown on
/// demand and reused.
public final class KernelScratch: @unchecked Sendable {
    private var permuted: FloatBuffer?
    private var sums: FloatBuffer?
    private var int8Values: FloatBuffer?   // n × columns bytes, as Float storage rounded up
    private var int8Scales: FloatBuffer?
    private var int8Sums: FloatBuffer?

    public init() {}

    func q4Activations(n: Int, columns: Int) throws -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) {
        let needed = n * columns
        if (permuted?.count ?? 0) < needed { permuted = try FloatBuffer(count: needed) }
        if (sums?.count ?? 0) < needed / 32 + 1 { sums = try FloatBuffer(count: needed / 32 + 1) }
        guard let permuted, let sums else { throw TransformerError.outOfMemory(floats: needed) }
        return (permuted.pointer, sums.pointer)
    }

    /// Activations as int8 per 32 values for the Q5 and K-quant kernels
    /// (`dst_quantize_activations_q8`): values [n × columns], scales [n × columns/32],
    /// half-group sums [n × columns/16].
    func int8Activations(n: Int, columns: Int) throws -> Int8Activations {
        let needed = n * columns
        if (int8Values?.count ?? 0) < needed / 4 + 1 { int8Values = try FloatBuffer(count: needed / 4 + 1) }
        if (int8Scales?.count ?? 0) < needed / 32 + 1 { int8Scales = try FloatBuffer(count: needed / 32 + 1) }
        if (int8Sums?.count ?? 0) < needed / 16 + 1 { int8Sums = try FloatBuffer(count: needed / 16 + 1) }
        guard let int8Values, let int8Scales, let int8Sums else { throw TransformerError.outOfMemory(floats: needed) }
        // The buffer only ever holds int8 values, which only C reads.
        let values = UnsafeMutableRawPointer(int8Values.pointer).bindMemory(to: Int8.self, capacity: needed)
        return Int8Activations(values: values, scales: int8Scales.pointer, sums: int8Sums.pointer)
    }
}

struct Int8Activations {
    let values: UnsafeMutablePointer<Int8>
    let scales: UnsafeMutablePointer<Float>
    let sums: UnsafeMutablePointer<Float>
}
