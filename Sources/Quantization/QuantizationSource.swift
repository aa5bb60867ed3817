import ModelFormats

/// What `GGUFQuantizer` reads, whatever the input format: the metadata to carry over in order
/// and the tensors in GGUF naming and layout, each read only when it is written so one tensor
/// at a time is in memory. A GGUF file gives its own keys and tensors; a Hugging Face folder
/// gives what llama.cpp's converter would have written (`HFToGGUF`).
struct QuantizationSource {
    struct Tensor {
        let name: String
        /// ggml `ne` order: `shape[0]` is a row.
        let shape: [Int]
        /// The type the tensor has in the source; a tensor whose chosen type equals it is
        /// copied through `storedBytes` unchanged.
        let type: GGMLType
        /// The values in Float32 (dequantised or widened exactly).
        let values: () throws -> [Float]
        /// The bytes as the source stores them in `type`; nil when only `values` exists.
        let storedBytes: (() throws -> [UInt8])?
    }

    /// The file or folder name used in messages.
    let displayName: String
    let metadata: [(key: String, value: GGUFValue)]
    let tensors: [Tensor]
    /// Lower-case hex SHA-256 naming exactly what was read (`general.source.sha256`), hashed
    /// while the tensors are quantised.
    let sha256: PendingDigest
}
