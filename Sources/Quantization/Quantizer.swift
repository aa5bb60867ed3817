import Foundation
import ModelLoading

/// The library call behind `distillery quantize MODEL --type T --out FILE`.
public enum Quantizer {
    /// `model` is a path or a cached model name (`ModelStore`); `type` a name such as `Q8_0`.
    /// `calibration` (from `--calibrate`) weighs each column's rounding error by how much that
    /// column's activations matter.
    public static func quantize(model: String, type: String, output: URL, calibration: Calibration? = nil,
                                store: ModelStore = ModelStore()) throws -> QuantizeSummary {
        let target = try QuantizationTarget(name: type)
        switch try store.resolve(model) {
        case .gguf(let url):
            return try GGUFQuantizer.quantize(source: url, target: target, output: output, calibration: calibration)
        case .huggingFace(let url):
            throw QuantizationError.unsupportedSource(
                path: url.path,
                why: "quantising a Hugging Face folder directly is not implemented yet; convert it with llama.cpp's convert_hf_to_gguf.py --outtype f32 and quantise that GGUF")
        }
    }
}
