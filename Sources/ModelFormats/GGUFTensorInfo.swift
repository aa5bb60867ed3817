/// One tensor-info record (GGUF.md §1.4), validated and resolved to absolute file offsets.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// Dimensions in ggml `ne` order: `shape[0]` is the contiguous one (a row).
    /// An HF `[out, in]` weight appears here as `[in, out]`.
    public let shape: [Int]
    public let type: GGMLType
    /// Absolute byte offset of the first block in the file (`data_start + offset`, §1.5).
    public let offset: Int
    public let byteCount: Int
    public let elementCount: Int

    /// Elements per row (`ne[0]`).
    public var rowLength: Int { shape.first ?? 1 }
    /// Number of rows (`ne[1]·ne[2]·ne[3]`).
    public var rowCount: Int { rowLength == 0 ? 0 : elementCount / rowLength }
}
