import Foundation
import ModelFormats
import ModelLoading
import Tokenizers
import Transformer

extension Student {
    /// A student that starts as a copy of a model: any GGUF file (every stored type is
    /// dequantised to Float32) or Hugging Face folder `LoadedModel` can load, by path or cache
    /// name. Q/K rows of a `llama` GGUF are put back in half-rotation order (GGUF.md §10).
    public static func pretrained(reference: String) throws -> Student {
        let model = try load(reference)
        return try copying(model, keepLayers: Array(0..<model.config.layerCount))
    }

    /// Loads a model, reporting any failure as a student-initialisation error.
    static func load(_ reference: String) throws -> LoadedModel {
        do {
            return try LoadedModel.load(reference, threads: 1)
        } catch {
            throw TrainingError.studentInitialisation("cannot load \(reference) as a dense decoder: \(error)")
        }
    }

    /// The model's blocks `keepLayers` (in that order) with its embedding, final norm and head.
    static func copying(_ model: LoadedModel, keepLayers: [Int]) throws -> Student {
        let source = model.decoder.config
        var config = source
        config.layerCount = keepLayers.count
        config.ropeStyle = .halves
        var hf = try huggingFaceConfig(of: model)
        hf.numHiddenLayers = keepLayers.count
        let layout = ParameterLayout(config: config)
        let parameters = try FloatBuffer(count: layout.totalCount)
        let weights = model.decoder.weights
        let base = parameters.pointer

        func copyMatrix(_ w: LinearWeight, to name: String, ropeHeads: Int? = nil) throws {
            guard let t = layout.tensor(named: name), t.shape == [w.rows, w.columns] else {
                throw TrainingError.studentInitialisation("\(w.name) is \(w.rows)×\(w.columns), not the shape of \(name)")
            }
            let destination = base + t.offset
            for row in 0..<w.rows {
                // GGUF row h·hd + 2i + j holds HF row h·hd + j·hd/2 + i (GGUF.md §10).
                var target = row
                if let heads = ropeHeads, source.ropeStyle == .adjacentPairs {
                    let hd = w.rows / heads, head = row / hd, r = row % hd
                    target = head * hd + (r % 2) * (hd / 2) + r / 2
                }
                try w.row(row, into: destination + target * w.columns)
            }
        }
        func copyVector(_ v: [Float]?, to name: String) throws {
            guard let v else { return }
            guard let t = layout.tensor(named: name), t.count == v.count else {
                throw TrainingError.studentInitialisation("\(name) has \(v.count) values, the layout expects another count")
            }
            v.withUnsafeBufferPointer { if let b = $0.baseAddress { (base + t.offset).update(from: b, count: v.count) } }
        }
        func rows(_ v: [Float]?, heads: Int) -> [Float]? {
            // Biases are permuted like the rows they belong to.
            guard let v, source.ropeStyle == .adjacentPairs else { return v }
            let hd = v.count / heads
            var out = v
            for (row, value) in v.enumerated() {
                let head = row / hd, r = row % hd
                out[head * hd + (r % 2) * (hd / 2) + r / 2] = value
            }
            return out
        }

        try copyMatrix(weights.tokenEmbedding, to: ParameterNames.embedding)
        for (studentLayer, teacherLayer) in keepLayers.enumerated() {
            let from = weights.layers[teacherLayer], to = ParameterNames(layer: studentLayer)
            try copyVector(from.attentionNorm, to: to.attentionNorm)
            try copyMatrix(from.query, to: to.query, ropeHeads: source.headCount)
            try copyMatrix(from.key, to: to.key, ropeHeads: source.keyValueHeadCount)
            try copyMatrix(from.value, to: to.value)
            try copyMatrix(from.attentionOutput, to: to.attentionOutput)
            if config.hasAttentionBias {
                try copyVector(rows(from.queryBias, heads: source.headCount), to: to.queryBias)
                try copyVector(rows(from.keyBias, heads: source.keyValueHeadCount), to: to.keyBias)
                try copyVector(from.valueBias, to: to.valueBias)
            }
            try copyVector(from.feedForwardNorm, to: to.feedForwardNorm)
            try copyMatrix(from.gate, to: to.gate)
            try copyMatrix(from.up, to: to.up)
            try copyMatrix(from.down, to: to.down)
        }
        try copyVector(weights.outputNorm, to: ParameterNames.outputNorm)
        if !config.tiedEmbeddings { try copyMatrix(weights.outputHead, to: ParameterNames.outputHead) }
        return try Student(config: config, huggingFaceConfig: hf, parameters: parameters, tokenizer: try tokenizer(of: model))
    }

    /// The source's own `config.json`, or one made from the GGUF hyper-parameters.
    static func huggingFaceConfig(of model: LoadedModel) throws -> HFModelConfig {
        if case .huggingFace(let url) = model.location {
            do { return try HFModelConfig(url: url.appendingPathComponent("config.json")) } catch {
                throw TrainingError.studentInitialisation("\(error)")
            }
        }
        let c = model.decoder.config
        guard let architecture = HFModelConfig.Architecture(rawValue: c.architecture) else {
            throw TrainingError.studentInitialisation(
                "\(model.location.url.lastPathComponent) is a '\(c.architecture)' model; a student can be llama, qwen2 or mistral")
        }
        guard c.ropeFrequencyFactors == nil else {
            // The GGUF keeps only the per-frequency divisors (rope_freqs), not the rope_scaling
            // parameters config.json needs to recompute them.
            throw TrainingError.studentInitialisation(
                "\(model.location.url.lastPathComponent) uses Llama 3.1 rope scaling, which a GGUF file cannot give back as config.json's rope_scaling; start from the Hugging Face folder instead")
        }
        let tokenizer = model.tokenizer
        return HFModelConfig(
            architecture: architecture, hiddenSize: c.hiddenSize, intermediateSize: c.intermediateSize,
            numHiddenLayers: c.layerCount, numAttentionHeads: c.headCount, numKeyValueHeads: c.keyValueHeadCount,
            headDim: c.headDimension, rmsNormEps: Double(c.rmsNormEpsilon), ropeTheta: Double(c.ropeTheta),
            maxPositionEmbeddings: c.contextLength, vocabSize: c.vocabularySize, tieWordEmbeddings: c.tiedEmbeddings,
            attentionBias: false, bosTokenIds: tokenizer.bosID.map { [Int($0)] } ?? [],
            eosTokenIds: tokenizer.eosID.map { [Int($0)] } ?? [], torchDtype: "float32")
    }

    /// The source folder's tokenizer files, or files written from the GGUF vocabulary.
    static func tokenizer(of model: LoadedModel) throws -> StudentTokenizer {
        switch model.location {
        case .huggingFace(let url):
            var tokenizer = try StudentTokenizer(huggingFaceFolder: url)
            if tokenizer.files["generation_config.json"] == nil {
                let hf = try huggingFaceConfig(of: model)
                tokenizer.files["generation_config.json"] = StudentTokenizer.generationConfig(bos: hf.bosTokenIds, eos: hf.eosTokenIds)
            }
            return tokenizer
        case .gguf:
            guard let file = model.gguf else { throw TrainingError.studentInitialisation("no GGUF file behind \(model.location.url.path)") }
            do {
                let vocabulary = try GGUFTokenizerLoader.vocabulary(of: file)
                return StudentTokenizer(files: [
                    "tokenizer.json": try TokenizerJSONWriter.tokenizerJSON(vocabulary),
                    "tokenizer_config.json": try TokenizerJSONWriter.tokenizerConfig(
                        vocabulary, chatTemplate: model.chatTemplateSource, modelMaxLength: model.config.contextLength),
                    "generation_config.json": StudentTokenizer.generationConfig(
                        bos: vocabulary.bosID.map { [Int($0)] } ?? [], eos: vocabulary.eosID.map { [Int($0)] } ?? []),
                ])
            } catch let error as TrainingError {
                throw error
            } catch {
                throw TrainingError.studentInitialisation("cannot write the tokenizer of \(file.url.lastPathComponent) as tokenizer.json: \(error)")
            }
        }
    }
}
