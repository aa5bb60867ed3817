import ModelFormats

/// Which type each tensor gets in a file of one of our targets, following llama-quantize's
/// rules for these file types without `--pure` (`llama_tensor_get_type` and the quantise
/// filter in llama-quant.cpp; GGUF.md §7.2–§7.4).
enum TensorTypeRule {
    /// The chosen type, and a note when we depart from llama.cpp.
    struct Choice: Equatable {
        var type: GGMLType
        var note: String?
    }

    /// `shape` is in `ne` order. `tied` is true when the file has no `output.weight`, so
    /// `token_embd.weight` doubles as the output head.
    static func choose(name: String, shape: [Int], sourceType: GGMLType, target: QuantizationTarget,
                       tied: Bool) throws -> Choice {
        // §7.2: 1-D tensors (after dropping trailing 1s), non-weights and norms keep their type.
        let dims = shape.reversed().drop(while: { $0 == 1 }).count
        if dims < 2 || !name.hasSuffix("weight") || name.contains("_norm.weight")
            || name.hasSuffix("ffn_gate_inp.weight") || name == "rope_freqs.weight" {
            return Choice(type: sourceType)
        }
        let rowLength = shape.first ?? 0
        var type = target.tensorType
        var note: String?
        // §7.3 rule 2 applies to every quantised file type: the output head (or the tied
        // embedding) gets Q6_K unless the file is Q8_0; Q6_K falls back to Q8_0 when the row
        // is not a whole number of 256-blocks (§7.4).
        let isOutput = name == "output.weight" || (tied && name == "token_embd.weight")
        if target.isQuantized, isOutput, target != .q8_0 {
            type = .q8_0
            if rowLength % GGMLType.q6_K.blockSize == 0 {
                note = "\(name): llama.cpp would store Q6_K; Distillery has no Q6_K quantiser yet and stores Q8_0 (more bits)"
            }
        }
        guard rowLength % type.blockSize == 0 else {
            throw QuantizeError.rowLengthNotMultipleOfBlock(tensor: name, rowLength: rowLength, type: type)
        }
        return Choice(type: type, note: note)
    }
}
