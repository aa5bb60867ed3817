/// Buffers the quantised kernels need per call (Q4 activations permuted to the kernel's
/// element order, and their per-block sums), grown on demand and reused.
public final class KernelScratch: @unchecked Sendable {
    private var permuted: FloatBuffer?
    private var sums: FloatBuffer?

    public init() {}

    func q4Activations(n: Int, columns: Int) throws -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) {
        let needed = n * columns
        if (permuted?.count ?? 0) < needed { permuted = try FloatBuffer(count: needed) }
        if (sums?.count ?? 0) < needed / 32 + 1 { sums = try FloatBuffer(count: needed / 32 + 1) }
        guard let permuted, let sums else { throw TransformerError.outOfMemory(floats: needed) }
        return (permuted.pointer, sums.pointer)
    }
}
