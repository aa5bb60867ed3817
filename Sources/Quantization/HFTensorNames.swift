import ModelFormats

/// Hugging Face tensor names of a llama-family decoder → GGUF names, with the shape each must
/// have (GGUF.md §8.1). A name outside this table has no place in a llama.cpp file, which
/// fails a model holding tensors it did not ask for (§1.6, rule 3).
enum HFTensorNames {
    /// The GGUF name, the HF shape the config implies (PyTorch order) and, for q/k, how many
    /// heads to permute the rows over; nil for a name that is not a llama-family tensor.
    struct Mapping: Equatable {
        var name: String
        var shape: [Int]
        var ropeHeads: Int?
    }

    static func mapping(of hfName: String, config: HFModelConfig) -> Mapping? {
        let h = config.hiddenSize, vocab = config.vocabSize, ffn = config.intermediateSize
        let q = config.numAttentionHeads * config.headDim, kv = config.numKeyValueHeads * config.headDim
        switch hfName {
        case "model.embed_tokens.weight": return Mapping(name: "token_embd.weight", shape: [vocab, h])
        case "model.norm.weight": return Mapping(name: "output_norm.weight", shape: [h])
        case "lm_head.weight": return Mapping(name: "output.weight", shape: [vocab, h])
        default: break
        }
        let parts = hfName.split(separator: ".", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "model", parts[1] == "layers",
              let layer = Int(parts[2]), layer >= 0, layer < config.numHiddenLayers, String(layer) == parts[2] else { return nil }
        let prefix = "blk.\(layer)."
        // Only llama's layout is permuted: llama.cpp rotates adjacent pairs for `llama`
        // (and Mistral, converted as llama) and halves, as HF does, for `qwen2` (§10).
        let permutes = config.architecture != .qwen2
        switch String(parts[3]) {
        case "input_layernorm.weight": return Mapping(name: prefix + "attn_norm.weight", shape: [h])
        case "post_attention_layernorm.weight": return Mapping(name: prefix + "ffn_norm.weight", shape: [h])
        case "self_attn.q_proj.weight": return Mapping(name: prefix + "attn_q.weight", shape: [q, h], ropeHeads: permutes ? config.numAttentionHeads : nil)
        case "self_attn.k_proj.weight": return Mapping(name: prefix + "attn_k.weight", shape: [kv, h], ropeHeads: permutes ? config.numKeyValueHeads : nil)
        case "self_attn.v_proj.weight": return Mapping(name: prefix + "attn_v.weight", shape: [kv, h])
        case "self_attn.o_proj.weight": return Mapping(name: prefix + "attn_output.weight", shape: [h, q])
        case "self_attn.q_proj.bias": return Mapping(name: prefix + "attn_q.bias", shape: [q], ropeHeads: permutes ? config.numAttentionHeads : nil)
        case "self_attn.k_proj.bias": return Mapping(name: prefix + "attn_k.bias", shape: [kv], ropeHeads: permutes ? config.numKeyValueHeads : nil)
        case "self_attn.v_proj.bias": return Mapping(name: prefix + "attn_v.bias", shape: [kv])
        case "self_attn.o_proj.bias": return Mapping(name: prefix + "attn_output.bias", shape: [h])
        case "mlp.gate_proj.weight": return Mapping(name: prefix + "ffn_gate.weight", shape: [ffn, h])
        case "mlp.up_proj.weight": return Mapping(name: prefix + "ffn_up.weight", shape: [ffn, h])
        case "mlp.down_proj.weight": return Mapping(name: prefix + "ffn_down.weight", shape: [h, ffn])
        default: return nil
        }
    }

    /// The HF names every model of this config must hold (biases as the config says).
    static func required(by config: HFModelConfig) -> [String] {
        var names = ["model.embed_tokens.weight", "model.norm.weight"]
        if !config.tieWordEmbeddings { names.append("lm_head.weight") }
        for layer in 0..<config.numHiddenLayers {
            let p = "model.layers.\(layer)."
            names += ["input_layernorm.weight", "post_attention_layernorm.weight", "self_attn.q_proj.weight",
                      "self_attn.k_proj.weight", "self_attn.v_proj.weight", "self_attn.o_proj.weight",
                      "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight"].map { p + $0 }
            if config.hasQKVBias { names += ["self_attn.q_proj.bias", "self_attn.k_proj.bias", "self_attn.v_proj.bias"].map { p + $0 } }
            if config.hasOutputBias { names.append(p + "self_attn.o_proj.bias") }
        }
        return names
    }

    /// Reorders the rows of a q or k projection (or bias, `columns` 1) from HF's half-rotation
    /// layout to llama.cpp's adjacent pairs, per head (GGUF.md §10): GGUF row `h·hd + 2i + j`
    /// is HF row `h·hd + j·hd/2 + i`. The caller has checked that rows = heads · hd, hd even.
    static func ropeRowsToAdjacentPairs(_ values: [Float], heads: Int, columns: Int) -> [Float] {
        let rows = values.count / columns, headDim = rows / heads, half = headDim / 2
        var out = [Float](repeating: 0, count: values.count)
        for head in 0..<heads {
            for i in 0..<half {
                for j in 0..<2 {
                    let target = (head * headDim + 2 * i + j) * columns
                    let source = (head * headDim + j * half + i) * columns
                    out[target ..< target + columns] = values[source ..< source + columns]
                }
            }
        }
        return out
    }
}
