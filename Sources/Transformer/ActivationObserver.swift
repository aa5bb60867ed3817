/// Sees the input of every linear layer during `DecoderModel.forward`: what llama.cpp's
/// imatrix collects (per-column mean of x² over the calibration tokens) to weigh rounding
/// errors in the quantisers. Passing none costs one nil check per layer.
///
/// `weight` is the GGUF tensor name (`blk.N.attn_q.weight`, …) whatever file the model came
/// from. The head is `output.weight`, or `token_embd.weight` when the embeddings are tied,
/// because that is the tensor the head's matmul reads; it is seen only for the entries that
/// want logits. `input` holds `rows` activation vectors of `columns` floats, row after row,
/// valid only during the call. Weights that read the same input (Q, K and V; gate and up)
/// are each reported with that input.
public protocol ActivationObserver: AnyObject {
    func observe(weight: String, input: UnsafePointer<Float>, rows: Int, columns: Int)
}

/// GGUF names of one block's linear weights, built once per forward call that observes.
struct LayerTensorNames {
    let query, key, value, attentionOutput, gate, up, down: String

    init(layer l: Int) {
        let b = "blk.\(l)."
        query = b + "attn_q.weight"
        key = b + "attn_k.weight"
        value = b + "attn_v.weight"
        attentionOutput = b + "attn_output.weight"
        gate = b + "ffn_gate.weight"
        up = b + "ffn_up.weight"
        down = b + "ffn_down.weight"
    }
}
