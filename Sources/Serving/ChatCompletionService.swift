import Foundation
import ModelLoading
import Tokenizers
import Transformer

/// The OpenAI routes over one model: `GET /v1/models` and `POST /v1/chat/completions`,
/// whose generations all go through one continuous batcher, so concurrent requests share
/// each forward pass.
final class ChatCompletionService: @unchecked Sendable {
    let model: LoadedModel
    let modelName: String
    let template: ChatTemplate
    let batcher: ContinuousBatcher
    /// Prompt plus completion tokens one request may use (a batcher slot's size).
    let capacity: Int
    private let startedAt = Int(Date().timeIntervalSince1970)

    init(model: LoadedModel, modelName: String, batcher: ContinuousBatcher, capacity: Int) throws {
        self.model = model
        self.modelName = modelName
        self.template = try model.chatTemplate()
        self.batcher = batcher
        self.capacity = capacity
    }

    func handle(_ request: HTTPRequest, _ writer: HTTPResponseWriter) {
        switch (request.method, request.path) {
        case ("GET", "/v1/models"):
            writer.sendJSON(ModelList(data: [.init(id: modelName, created: startedAt)]))
        case ("POST", "/v1/chat/completions"):
            chatCompletion(request, writer)
        case ("GET", "/health"):
            writer.send(status: 200, contentType: "application/json", body: Array(#"{"status":"ok"}"#.utf8))
        case (_, "/v1/models"), (_, "/v1/chat/completions"), (_, "/health"):
            writer.send(APIError(status: 405, message: "\(request.method) is not allowed on \(request.path)",
                                 code: "method_not_allowed"))
        default:
            writer.send(APIError(status: 404, message: "Invalid URL (\(request.method) \(request.path)): this server has "
                                 + "GET /v1/models and POST /v1/chat/completions", code: "unknown_url"))
        }
    }

    private func chatCompletion(_ http: HTTPRequest, _ writer: HTTPResponseWriter) {
        let request: ChatCompletionRequest
        let job: GenerationRequest
        do {
            request = try Self.decode(http.body)
            try request.validate()
            job = try generationRequest(for: request)
        } catch let error as APIError {
            return writer.send(error)
        } catch {
            return writer.send(APIError.badRequest("\(error)"))
        }

        let stream = CompletionStream(tokenizer: model.tokenizer, stop: request.stop, wantsLogprobs: request.logprobs)
        batcher.submit(job, onToken: stream.receive, onFinish: stream.finish)
        let reply = ChatCompletionReply(id: "chatcmpl-" + Self.randomID(), created: Int(Date().timeIntervalSince1970),
                                        model: modelName, request: request)
        if request.stream {
            reply.stream(stream, to: writer)
        } else {
            reply.whole(stream, to: writer)
        }
    }

    /// The prompt rendered with the model's chat template and tokenised, and the sampling
    /// settings. Defaults are OpenAI's (temperature 1, top_p 1, no top-k, min-p or penalty),
    /// not `distillery run`'s llama.cpp ones, so a teacher samples the model's own distribution
    /// unless the client asks otherwise.
    private func generationRequest(for request: ChatCompletionRequest) throws -> GenerationRequest {
        // OpenAI renamed the system role `developer` for its newer models; clients send either.
        let conversation = request.messages.map { ChatMessage(role: $0.role == "developer" ? "system" : $0.role, content: $0.content) }
        let text: String
        do {
            text = try template.render(conversation, addGenerationPrompt: true)
        } catch {
            throw APIError.badRequest("\(error)", code: "invalid_messages")
        }
        // The template writes any BOS itself.
        let prompt = model.tokenizer.encode(text, addSpecialTokens: false, parseSpecialTokens: true)
        guard prompt.count < capacity else {
            throw APIError.badRequest("This model's maximum context length is \(capacity) tokens per request (serve --context); "
                                      + "the messages take \(prompt.count) tokens. Shorten them.", code: "context_length_exceeded")
        }
        var sampling = SamplingSettings()
        sampling.temperature = request.temperature ?? 1
        sampling.topP = request.topP ?? 1
        sampling.topK = request.topK ?? 0
        sampling.minP = request.minP ?? 0
        sampling.repetitionPenalty = request.repetitionPenalty ?? 1
        sampling.seed = request.seed ?? UInt64.random(in: 0...UInt64.max)
        // Without a limit the completion may fill the slot, as OpenAI's runs to the context end.
        let room = capacity - prompt.count
        let maxTokens = min(request.maxCompletionTokens ?? request.maxTokens ?? room, room)
        return GenerationRequest(prompt: prompt, maxTokens: maxTokens, sampling: sampling,
                                 stopTokens: model.tokenizer.endOfGenerationIDs,
                                 topLogprobs: request.logprobs ? (request.topLogprobs ?? 0) : 0)
    }

    /// Decodes the body, turning decoder errors into messages that name the field.
    static func decode(_ body: [UInt8]) throws -> ChatCompletionRequest {
        do {
            return try JSONDecoder().decode(ChatCompletionRequest.self, from: Data(body))
        } catch let error as DecodingError {
            func path(_ context: DecodingError.Context) -> String {
                context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                    .trimmingCharacters(in: CharacterSet(charactersIn: "."))
            }
            switch error {
            case .dataCorrupted(let context) where context.codingPath.isEmpty:
                throw APIError.badRequest("the request body is not valid JSON", code: "invalid_json")
            case .keyNotFound(let key, let context):
                let field = (path(context).isEmpty ? "" : path(context) + ".") + key.stringValue
                throw APIError.badRequest("missing required field '\(field)'", code: "missing_field")
            case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
                throw APIError.badRequest("field '\(path(context))' must be of type \(type)", code: "invalid_type")
            case .dataCorrupted(let context):
                throw APIError.badRequest("field '\(path(context))' is invalid: \(context.debugDescription)", code: "invalid_value")
            @unknown default:
                throw APIError.badRequest("invalid request body: \(error)")
            }
        }
    }

    static func randomID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<24).map { _ in alphabet.randomElement()! })
    }
}
