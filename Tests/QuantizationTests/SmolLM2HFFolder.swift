import Foundation
import ModelFormats
import ModelLoading

/// A real Hugging Face folder of SmolLM2-135M-Instruct, made at test time from the cached
/// Q4_1 GGUF (the only copy we have offline): every tensor dequantised to F32 and renamed, q/k
/// rows put back in HF's half-rotation order (the inverse of GGUF.md §10), config.json from the
/// GGUF's hyper-parameters, and the tokenizer.json / tokenizer_config.json that transformers
/// made from the same GGUF (TokenizersTests/Fixtures/smollm2, make_tokenizer_fixtures.py).
/// Our engine running this folder as the teacher runs checks the inversion independently.
enum SmolLM2HFFolder {
    static func make(from teacher: GGUFFile, in folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let heads = try teacher.int("llama.attention.head_count"), kvHeads = try teacher.int("llama.attention.head_count_kv")
        let config = HFModelConfig(
            architecture: .llama, hiddenSize: try teacher.int("llama.embedding_length"),
            intermediateSize: try teacher.int("llama.feed_forward_length"), numHiddenLayers: try teacher.int("llama.block_count"),
            numAttentionHeads: heads, numKeyValueHeads: kvHeads,
            rmsNormEps: Double(try teacher.float("llama.attention.layer_norm_rms_epsilon")),
            ropeTheta: Double(try teacher.float("llama.rope.freq_base")),
            maxPositionEmbeddings: try teacher.int("llama.context_length"), vocabSize: try teacher.int("llama.vocab_size"),
            tieWordEmbeddings: teacher.tensor(named: "output.weight") == nil,
            bosTokenIds: [try teacher.int("tokenizer.ggml.bos_token_id")], eosTokenIds: [try teacher.int("tokenizer.ggml.eos_token_id")],
            torchDtype: "float32")
        try config.write(to: folder.appendingPathComponent("config.json"))

        var tensors: [(name: String, shape: [Int], values: [Float])] = []
        for info in teacher.tensors {
            let (name, ropeHeads) = try hfName(of: info.name, heads: heads, kvHeads: kvHeads)
            var values = try teacher.dequantized(info)
            if let ropeHeads { values = toHalves(values, heads: ropeHeads, columns: info.shape[0]) }
            tensors.append((name, info.shape.reversed(), values))
        }
        try SafetensorsWriter.write(tensors: tensors, dtype: .f32, metadata: ["format": "pt"],
                                    to: folder.appendingPathComponent("model.safetensors"))
        let tokenizers = HFFolderSupport.fixtures.appendingPathComponent("TokenizersTests/Fixtures/smollm2")
        for file in ["tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: tokenizers.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        // The published card's license and language (HuggingFaceTB/SmolLM2-135M-Instruct).
        try Data("---\nlicense: apache-2.0\nlanguage:\n- en\nlibrary_name: transformers\n---\n\n# SmolLM2\n".utf8)
            .write(to: folder.appendingPathComponent("README.md"))
    }

    /// GGUF row `h·hd + 2i + j` back to HF row `h·hd + j·hd/2 + i` (GGUF.md §10, reader side).
    static func toHalves(_ values: [Float], heads: Int, columns: Int) -> [Float] {
        let headDim = values.count / columns / heads, half = headDim / 2
        var out = values
        for head in 0..<heads {
            for i in 0..<half {
                for j in 0..<2 {
                    let hfRow = head * headDim + j * half + i, ggufRow = head * headDim + 2 * i + j
                    out.replaceSubrange(hfRow * columns ..< (hfRow + 1) * columns, with: values[ggufRow * columns ..< (ggufRow + 1) * columns])
                }
            }
        }
        return out
    }

    static func hfName(of ggufName: String, heads: Int, kvHeads: Int) throws -> (String, Int?) {
        switch ggufName {
        case "token_embd.weight": return ("model.embed_tokens.weight", nil)
        case "output_norm.weight": return ("model.norm.weight", nil)
        case "output.weight": return ("lm_head.weight", nil)
        default: break
        }
        let parts = ggufName.split(separator: ".", maxSplits: 2)
        let suffixes: [String: (String, Int?)] = [
            "attn_norm.weight": ("input_layernorm.weight", nil), "ffn_norm.weight": ("post_attention_layernorm.weight", nil),
            "attn_q.weight": ("self_attn.q_proj.weight", heads), "attn_k.weight": ("self_attn.k_proj.weight", kvHeads),
            "attn_v.weight": ("self_attn.v_proj.weight", nil), "attn_output.weight": ("self_attn.o_proj.weight", nil),
            "ffn_gate.weight": ("mlp.gate_proj.weight", nil), "ffn_up.weight": ("mlp.up_proj.weight", nil),
            "ffn_down.weight": ("mlp.down_proj.weight", nil),
        ]
        guard parts.count == 3, parts[0] == "blk", let (suffix, ropeHeads) = suffixes[String(parts[2])] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "unexpected tensor \(ggufName)"])
        }
        return ("model.layers.\(parts[1]).\(suffix)", ropeHeads)
    }
}
