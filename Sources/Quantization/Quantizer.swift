import Foundation
import ModelLoading

/// The library call behind `distillery quantize MODEL --type T --out FILE`.
public enum Quantizer {
    /// `model` is a GGUF file, a Hugging Face folder or a cached model name (`ModelStore`);
    /// `type` a name such as `Q8_0`. A folder is converted as llama.cpp's converter would
    /// (`HFToGGUF`) and quantised on the way, without an intermediate file. `calibration`
    /// (from `--calibrate`) weighs each column's rounding error by how much that column's
    /// activations matter.
    public static func quantize(model: String, type: String, output: URL, calibration: Calibration? = nil,
                                store: ModelStore = ModelStore()) throws -> QuantizeSummary {
        let target = try QuantizationTarget(name: type)
        switch try store.resolve(model) {
        case .gguf(let url):
            return try GGUFQuantizer.quantize(source: url, target: target, output: output, calibration: calibration)
        case .huggingFace(let url):
            let start = Date()
            // Writing over a file the conversion reads (weights, config) would lose the input.
            let written = output.standardizedFileURL
            if written.deletingLastPathComponent().path == url.standardizedFileURL.path,
               ["safetensors", "json"].contains(written.pathExtension) {
                throw QuantizationError.outputIsInput(path: output.path)
            }
            return try GGUFQuantizer.quantize(HFToGGUF.source(folder: url), target: target, output: output, calibration: calibration, start: start)
        }
    }
}
