import ModelFormats

/// Which type each tensor gets in a file of one of our targets, following llama-quantize's
/// rules (`llama_tensor_get_type` and the quantise filter in llama-quant.cpp; GGUF.md §7.2–§7.4).
enum TensorTypeRule {
    /// The chosen type, and the type the rules wanted when a mix fell back from it.
    struct Choice: Equatable {
        var type: GGMLType
        var fellBackFrom: GGMLType?
    }

    /// What the rules need to know about the whole model.
    struct ModelContext: Equatable {
        /// `<arch>.block_count`: the mixes give more bits to some layers' `attn_v`/`ffn_down`.
        var layerCount: Int
        /// True when the file has no `output.weight`, so `token_embd.weight` doubles as the head.
        var tied: Bool
        /// True when importance statistics are given (`--calibrate`): llama.cpp then gives the
        /// first eighth of a Q4_0/Q5_0 file's `ffn_down` the _1 type.
        var calibrated = false
    }

    /// `shape` is in `ne` order.
    static func choose(name: String, shape: [Int], sourceType: GGMLType, target: QuantizationTarget,
                       model: ModelContext) throws -> Choice {
        // §7.2: 1-D tensors (after dropping trailing 1s), non-weights and norms keep their type.
        let dims = shape.reversed().drop(while: { $0 == 1 }).count
        if dims < 2 || !name.hasSuffix("weight") || name.contains("_norm.weight")
            || name.hasSuffix("ffn_gate_inp.weight") || name == "rope_freqs.weight" {
            return Choice(type: sourceType)
        }
        let rowLength = shape.first ?? 0
        guard target.isQuantized else { return Choice(type: target.tensorType) }
        let isOutput = name == "output.weight" || (model.tied && name == "token_embd.weight")
        let wanted = isOutput ? outputType(rowLength: rowLength, target: target)
                              : mixedType(name: name, target: target, model: model)
        if rowLength % wanted.blockSize == 0 { return Choice(type: wanted) }
        // §7.4: only the mixes fall back; a pure type was asked for every tensor, and a
        // silently different type would not be what the user asked for.
        guard target.isMix, let fallback = fallback(for: wanted, rowLength: rowLength) else {
            throw QuantizationError.rowDoesNotFitTarget(tensor: name, rowLength: rowLength, type: wanted, target: target.name)
        }
        return Choice(type: fallback, fellBackFrom: wanted)
    }

    /// §7.3 rule 2 for every quantised file type: the head gets Q6_K (Q8_0 in a Q8_0 file),
    /// and Q8_0 when its row is not a whole number of 256-blocks.
    static func outputType(rowLength: Int, target: QuantizationTarget) -> GGMLType {
        if target == .q8_0 || rowLength % GGMLType.q6_K.blockSize != 0 { return .q8_0 }
        return .q6_K
    }

    /// §7.3 rules 3–8 for the K mixes; the one type everywhere else.
    static func mixedType(name: String, target: QuantizationTarget, model: ModelContext) -> GGMLType {
        let layer = layerIndex(of: name)
        if target.isMix, let layer, name.hasSuffix("attn_v.weight") || name.hasSuffix("ffn_down.weight"),
           usesMoreBits(layer: layer, of: model.layerCount) {
            return .q6_K
        }
        if model.calibrated, let layer, name.hasSuffix("ffn_down.weight"), layer < model.layerCount / 8 {
            if target == .q4_0 { return .q4_1 }
            if target == .q5_0 { return .q5_1 }
        }
        return target.tensorType
    }

    /// llama.cpp's `use_more_bits`: the first and last eighth of the layers, and every third
    /// layer between.
    static func usesMoreBits(layer i: Int, of n: Int) -> Bool {
        i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2
    }

    /// §7.4: the type llama.cpp uses when a row does not fit the K block; F16 when it does not
    /// fit 32 either.
    static func fallback(for type: GGMLType, rowLength: Int) -> GGMLType? {
        let replacement: GGMLType
        switch type {
        case .q2_K, .q3_K: replacement = .q4_0
        case .q4_K: replacement = .q5_0
        case .q5_K: replacement = .q5_1
        case .q6_K: replacement = .q8_0
        default: return nil
        }
        return rowLength % replacement.blockSize == 0 ? replacement : .f16
    }

    /// `N` of `blk.N.…`; nil for tensors outside the blocks.
    static func layerIndex(of name: String) -> Int? {
        let parts = name.split(separator: ".")
        guard parts.count > 2, parts[0] == "blk" else { return nil }
        return Int(parts[1])
    }
}
