import Foundation
import ModelFormats
import ModelLoading
import Testing
import Transformer

/// Parity with transformers on tiny random Hugging Face checkpoints of each architecture
/// (scripts/fixtures/make_tiny_models.py wrote the folders and reference.json): llama with
/// Llama 3.1 rope scaling and GQA, qwen2 with q/k/v biases and tied embeddings, mistral.
struct TinyModelParityTests {
    static let models = ["tiny-llama3", "tiny-qwen2", "tiny-mistral"]

    struct Reference: Decodable {
        struct Greedy: Decodable {
            var sequence: Int
            var tokens: [Int32]
        }
        var sequences: [[Int32]]
        var logits: [[Float]]
        var greedy: Greedy
    }

    static func folder(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil), "fixture \(name) is not in the test bundle")
    }

    static func load(_ name: String) throws -> (DecoderModel, Reference) {
        let directory = try folder(name)
        let data = try Data(contentsOf: directory.appendingPathComponent("reference.json"))
        let reference = try JSONDecoder().decode(Reference.self, from: data)
        return (try HFModelLoader.decoder(directory: directory, threads: 2), reference)
    }

    /// The indices where `ours` is farther from `expected` than 1e-4 relative, or 1e-5
    /// absolute for values near 0 (float32 summation order alone stays well inside this).
    static func mismatches(_ ours: some Collection<Float>, _ expected: [Float]) -> [String] {
        guard ours.count == expected.count else { return ["count \(ours.count) ≠ \(expected.count)"] }
        return zip(ours, expected).enumerated().compactMap { i, pair in
            abs(pair.0 - pair.1) <= max(1e-4 * abs(pair.1), 1e-5) ? nil : "[\(i)] \(pair.0) vs \(pair.1)"
        }
    }

    // MARK: - Parity with transformers

    @Test(arguments: models)
    func lastPositionLogitsMatchTransformers(_ name: String) throws {
        let (model, reference) = try Self.load(name)
        #expect(reference.sequences.map(\.count) == [5, 17, 40])
        for (tokens, expected) in zip(reference.sequences, reference.logits) {
            let bad = Self.mismatches(try model.lastLogits(of: tokens), expected)
            #expect(bad.isEmpty, "\(name), \(tokens.count) tokens: \(bad.count) logits differ, first \(bad.prefix(3))")
        }
    }

    @Test(arguments: models)
    func greedyContinuationMatchesTransformers(_ name: String) throws {
        let (model, reference) = try Self.load(name)
        var sampler = Sampler(settings: .greedy)
        let result = try model.generate(prompt: reference.sequences[reference.greedy.sequence],
                                        maxTokens: reference.greedy.tokens.count, sampler: &sampler, stopTokens: [])
        #expect(result.tokens == reference.greedy.tokens)
    }

    /// The 40-token sequence reaches position 39, past the original context of 32, and the
    /// fixture's frequencies hit all three branches of the rule: without the factors the
    /// logits must be far off, or the parity test would not be testing the scaling.
    @Test func llama3ScalingChangesTheLogits() throws {
        let (model, reference) = try Self.load("tiny-llama3")
        let factors = try #require(model.config.ropeFrequencyFactors)
        #expect(factors.count == 8)
        #expect(factors[0] == 1)
        #expect(factors[1] > 1 && factors[1] < 8)
        #expect(factors[2...].allSatisfy { $0 == 8 })

        var unscaled = model.config
        unscaled.ropeFrequencyFactors = nil
        let plain = try DecoderModel(config: unscaled, weights: model.weights, threads: 2)
        let logits = try plain.lastLogits(of: reference.sequences[2])
        let worst = zip(logits, reference.logits[2]).map { abs($0 - $1) }.max() ?? 0
        #expect(worst > 1e-2)
    }

    @Test func configsMapTheArchitectureFeatures() throws {
        let (llama, _) = try Self.load("tiny-llama3")
        let (qwen, _) = try Self.load("tiny-qwen2")
        let (mistral, _) = try Self.load("tiny-mistral")
        #expect(llama.config.ropeStyle == .halves && !llama.config.tiedEmbeddings && !llama.config.hasAttentionBias)
        #expect(llama.config.keyValueHeadCount == 2 && llama.config.headCount == 4)
        #expect(qwen.config.hasAttentionBias && qwen.config.tiedEmbeddings && qwen.config.ropeFrequencyFactors == nil)
        // Mistral's sliding window (64) caps the context below max_position_embeddings (128).
        #expect(mistral.config.contextLength == 64)
    }

    // MARK: - Batching and the KV cache

    /// Three sequences in one call, each in its own cache slot, one of them only a prefill
    /// chunk; then that one continues a token per call, the first call also decoding the
    /// other two slots. Every row must match the sequence run alone from an empty cache.
    @Test(arguments: models)
    func batchedSlotsMatchSeparateRuns(_ name: String) throws {
        let (model, reference) = try Self.load(name)
        let short = reference.sequences[0], medium = reference.sequences[1], long = reference.sequences[2]
        let chunk = 25
        let cache = try KVCache(config: model.config, slots: 3, capacity: 48)

        func entries(_ tokens: ArraySlice<Int32>, slot: Int) -> [BatchEntry] {
            tokens.indices.map { BatchEntry(token: tokens[$0], slot: slot, position: $0, wantsLogits: $0 == tokens.count - 1) }
        }
        func check(_ rows: UnsafeBufferPointer<Float>, _ row: Int, _ expected: [Float], _ what: String) {
            let v = model.config.vocabularySize
            let bad = Self.mismatches(Array(rows[(row * v)..<((row + 1) * v)]), expected)
            #expect(bad.isEmpty, "\(name) \(what): \(bad.count) logits differ, first \(bad.prefix(3))")
        }

        let alone = (short: try model.lastLogits(of: short), medium: try model.lastLogits(of: medium),
                     chunk: try model.lastLogits(of: Array(long[..<chunk])))
        let first = try model.forward(entries(short[...], slot: 0) + entries(long[..<chunk], slot: 1)
                                      + entries(medium[...], slot: 2), cache: cache)
        #expect(first.count == 3 * model.config.vocabularySize)
        check(first, 0, alone.short, "slot 0 prefill")
        check(first, 1, alone.chunk, "slot 1 prefill chunk")
        check(first, 2, alone.medium, "slot 2 prefill")
        check(first, 0, reference.logits[0], "slot 0 vs transformers")
        check(first, 2, reference.logits[1], "slot 2 vs transformers")
        #expect(cache.lengths == [short.count, chunk, medium.count])

        for position in chunk..<long.count {
            var batch = [BatchEntry(token: long[position], slot: 1, position: position, wantsLogits: true)]
            if position == chunk {
                batch.insert(BatchEntry(token: 7, slot: 0, position: short.count, wantsLogits: true), at: 0)
                batch.append(BatchEntry(token: 9, slot: 2, position: medium.count, wantsLogits: true))
            }
            let rows = try model.forward(batch, cache: cache)
            if position == chunk {
                check(rows, 0, try model.lastLogits(of: short + [7]), "slot 0 decode step")
                check(rows, 2, try model.lastLogits(of: medium + [9]), "slot 2 decode step")
            }
            let row = position == chunk ? 1 : 0
            check(rows, row, try model.lastLogits(of: Array(long[...position])), "slot 1 step at \(position)")
            if position == long.count - 1 { check(rows, row, reference.logits[2], "slot 1 end vs transformers") }
        }
        #expect(cache.lengths == [short.count + 1, long.count, medium.count + 1])
    }

    // MARK: - Bad input gives typed errors

    typealias Tensors = [(name: String, shape: [Int], values: [Float])]

    /// A copy of fixture `name` in a temporary folder, with its config and tensors edited.
    static func editedCopy(of name: String, config edit: (inout [String: Any]) -> Void = { _ in },
                           tensors editTensors: (inout Tensors) -> Void = { _ in }) throws -> URL {
        let source = try folder(name)
        let destination = FileManager.default.temporaryDirectory
            .appendingPathComponent("distillery-tiny-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        let configData = try Data(contentsOf: source.appendingPathComponent("config.json"))
        var config = try #require(try JSONSerialization.jsonObject(with: configData) as? [String: Any])
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: destination.appendingPathComponent("config.json"))
        let model = try SafetensorsModel(directory: source)
        var tensors: Tensors = try model.tensorNames.map { name in
            let tensor = try model.tensor(named: name)
            return (name, tensor.shape, tensor.values)
        }
        editTensors(&tensors)
        try SafetensorsWriter.write(tensors: tensors, dtype: .f32, to: destination.appendingPathComponent("model.safetensors"))
        return destination
    }

    static func loadError(_ directory: URL) -> (any Error)? {
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            _ = try HFModelLoader.decoder(directory: directory, threads: 1)
            return nil
        } catch {
            return error
        }
    }

    @Test func unknownArchitectureIsAConfigError() throws {
        let directory = try Self.editedCopy(of: "tiny-llama3") {
            $0["model_type"] = "gpt2"
            $0["architectures"] = ["GPT2LMHeadModel"]
        }
        let error = try #require(Self.loadError(directory) as? HFConfigError)
        #expect(error.reason.contains("gpt2"))
        #expect(error.description.contains("config.json"))
    }

    @Test func missingTensorIsNamed() throws {
        let removed = "model.layers.1.mlp.up_proj.weight"
        let directory = try Self.editedCopy(of: "tiny-mistral", tensors: { $0.removeAll { $0.name == removed } })
        let error = Self.loadError(directory)
        guard case .missingTensor(let name, _)? = error as? ModelLoadingError else {
            Issue.record("expected missingTensor, got \(String(describing: error))")
            return
        }
        #expect(name == removed)
    }

    @Test func missingQwen2BiasIsNamed() throws {
        let removed = "model.layers.0.self_attn.k_proj.bias"
        let directory = try Self.editedCopy(of: "tiny-qwen2", tensors: { $0.removeAll { $0.name == removed } })
        guard case .missingTensor(let name, _)? = Self.loadError(directory) as? ModelLoadingError else {
            Issue.record("expected missingTensor")
            return
        }
        #expect(name == removed)
    }

    @Test func wrongShapeIsNamed() throws {
        // k_proj stored transposed: same element count, so only the shape check catches it.
        let name = "model.layers.0.self_attn.k_proj.weight"
        let directory = try Self.editedCopy(of: "tiny-llama3", tensors: { tensors in
            for i in tensors.indices where tensors[i].name == name { tensors[i].shape.reverse() }
        })
        let error = Self.loadError(directory) as? TransformerError
        #expect(error == .weightShape(name: name, expected: [32, 64], found: [64, 32]))
    }

    @Test func outputProjectionBiasIsRefused() throws {
        let directory = try Self.editedCopy(of: "tiny-llama3", config: { $0["attention_bias"] = true })
        guard case .unsupportedArchitecture(let what, _)? = Self.loadError(directory) as? ModelLoadingError else {
            Issue.record("expected unsupportedArchitecture")
            return
        }
        #expect(what.contains("o_proj"))
    }

    @Test func tensorTheEngineWouldIgnoreIsRefused() throws {
        // llama's mlp_bias: dropping it would run a different model.
        let extra = "model.layers.1.mlp.down_proj.bias"
        let directory = try Self.editedCopy(of: "tiny-llama3", tensors: { $0.append((extra, [64], Array(repeating: 0.5, count: 64))) })
        guard case .unsupportedArchitecture(let what, _)? = Self.loadError(directory) as? ModelLoadingError else {
            Issue.record("expected unsupportedArchitecture")
            return
        }
        #expect(what.contains(extra))
    }
}
