import Foundation
import ModelFormats
import ModelLoading
import Transformer

extension Student {
    /// A student with fresh weights for the architecture `configFile` (a Hugging Face
    /// `config.json`) describes, and the tokenizer of the model `tokenizerFrom` names.
    ///
    /// As transformers' `LlamaPreTrainedModel._init_weights`: every matrix normal(0, σ) with
    /// σ = `initializer_range` (0.02 when absent), norms 1, biases 0. The numbers come from
    /// `NormalSampler(seed:)` (SplitMix64, Box–Muller) in layout order, so a seed gives the same bytes on every run.
    public static func fresh(configFile: URL, tokenizerFrom reference: String, seed: UInt64) throws -> Student {
        let hf: HFModelConfig
        let config: ModelConfig
        do {
            hf = try HFModelConfig(url: configFile)
            config = try HFModelLoader.config(of: hf, file: configFile.path)
            try config.validate()
        } catch {
            throw TrainingError.studentInitialisation("\(error)")
        }
        let sigma = try initializerRange(configFile)
        let source = try load(reference)
        guard source.tokenizer.vocabularySize <= config.vocabularySize else {
            throw TrainingError.studentInitialisation(
                "\(configFile.path) has vocab_size \(config.vocabularySize) but the tokenizer of \(reference) has \(source.tokenizer.vocabularySize) tokens")
        }

        let layout = ParameterLayout(config: config)
        let parameters = try FloatBuffer(count: layout.totalCount)
        var random = NormalSampler(seed: seed)
        for t in layout.tensors {
            let values = parameters.pointer + t.offset
            if t.shape.count == 2 {
                for i in 0..<t.count { values[i] = Float(random.next() * sigma) }
            } else if t.name.hasSuffix("norm.weight") {
                values.update(repeating: 1, count: t.count)
            }  // Biases stay 0 (FloatBuffer is zero-initialised).
        }
        var tokenizer = try Student.tokenizer(of: source)
        var saved = hf
        saved.torchDtype = "float32"
        if saved.bosTokenIds.isEmpty, let bos = source.tokenizer.bosID { saved.bosTokenIds = [Int(bos)] }
        if saved.eosTokenIds.isEmpty, let eos = source.tokenizer.eosID { saved.eosTokenIds = [Int(eos)] }
        tokenizer.files["generation_config.json"] = StudentTokenizer.generationConfig(bos: saved.bosTokenIds, eos: saved.eosTokenIds)
        return try Student(config: config, huggingFaceConfig: saved, parameters: parameters, tokenizer: tokenizer)
    }

    /// `initializer_range` from config.json (HFModelConfig does not keep it), 0.02 when absent.
    static func initializerRange(_ configFile: URL) throws -> Double {
        guard let data = try? Data(contentsOf: configFile),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TrainingError.studentInitialisation("\(configFile.path) is not a readable JSON object")
        }
        guard let value = object["initializer_range"] else { return 0.02 }
        guard let number = value as? NSNumber, number.doubleValue.isFinite, number.doubleValue >= 0 else {
            throw TrainingError.studentInitialisation("\(configFile.path): initializer_range must be a non-negative number (found \(value))")
        }
        return number.doubleValue
    }
}
