import Foundation
import ModelLoading
import Serving
import Tokenizers
import Transformer

/// One server on the real SmolLM2 for the whole test run (port 0, a few slots), and a
/// second copy of the model for references: a `DecoderModel` runs one forward at a time,
/// and the server's is busy.
final class ServingFixture: @unchecked Sendable {
    let server: ModelServer
    let reference: LoadedModel
    let base: String
    static let modelName = "smollm2-test"

    private init() throws {
        // scripts/setup.sh unpacked it into the model cache (see TransformerTests' TestModels).
        let model = try LoadedModel.load("smollm2-135m-instruct", threads: 2)
        reference = try LoadedModel.load("smollm2-135m-instruct", threads: 2)
        var options = ModelServer.Options(modelName: Self.modelName)
        options.port = 0
        options.slots = 4
        options.context = 512
        server = try ModelServer(model: model, options: options)
        base = server.baseURL
    }

    private static let result = Result { try ServingFixture() }
    static func shared() throws -> ServingFixture { try result.get() }

    /// The prompt the server renders for `messages`, as `distillery run --messages` renders it.
    func prompt(_ messages: [ChatMessage]) throws -> [Int32] {
        let text = try reference.chatTemplate().render(messages, addGenerationPrompt: true)
        return reference.tokenizer.encode(text, addSpecialTokens: false, parseSpecialTokens: true)
    }

    /// Greedy tokens from the engine's own single-sequence loop, which TransformerTests hold
    /// to transformers' output.
    func greedy(_ messages: [ChatMessage], maxTokens: Int) throws -> GenerationResult {
        var sampler = Sampler(settings: .greedy)
        return try reference.decoder.generate(prompt: try prompt(messages), maxTokens: maxTokens, sampler: &sampler,
                                              stopTokens: reference.tokenizer.endOfGenerationIDs)
    }

    func complete(_ body: [String: Any]) throws -> LoopbackClient.Response {
        try LoopbackClient.post(base + "/v1/chat/completions", json: body)
    }
}
