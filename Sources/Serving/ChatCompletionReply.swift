import Transformer

/// Writes one completion's answer as it comes out of its `CompletionStream`: one JSON
/// object, or server-sent events (`data: {chunk}` … `data: [DONE]`) as OpenAI streams them.
struct ChatCompletionReply {
    var id: String
    var created: Int
    var model: String
    var request: ChatCompletionRequest

    /// How often a waiting non-streamed request checks that its client is still there.
    static let disconnectCheckSeconds = 0.25

    func whole(_ stream: CompletionStream, to writer: HTTPResponseWriter) {
        var text = ""
        var logprobs: [TokenLogprobEntry] = []
        while true {
            guard let event = stream.next(waiting: Self.disconnectCheckSeconds) else {
                if writer.clientHasClosed() { stream.cancel() }
                continue
            }
            switch event {
            case .pieces(let pieces):
                for piece in pieces {
                    text += piece.text
                    logprobs += piece.logprobs
                }
            case .finished(.failure(let error)):
                return writer.send(Self.apiError(error))
            case .finished(.success(let finish)):
                let choice = ChatCompletion.Choice(index: 0, message: .init(role: "assistant", content: text),
                                                   logprobs: request.logprobs ? ChoiceLogprobs(content: logprobs) : nil,
                                                   finishReason: finish.reason)
                return writer.sendJSON(ChatCompletion(id: id, created: created, model: model, choices: [choice],
                                                      usage: usage(finish)))
            }
        }
    }

    func stream(_ stream: CompletionStream, to writer: HTTPResponseWriter) {
        let includeUsage = request.streamOptions?.includeUsage == true
        writer.startStream(contentType: "text/event-stream")
        send(chunk(.init(role: "assistant", content: ""), logprobs: nil, finish: nil, includeUsage: includeUsage),
             to: writer, cancelling: stream)
        while true {
            guard let event = stream.next(waiting: Self.disconnectCheckSeconds) else {
                if writer.clientHasClosed() { stream.cancel() }
                continue
            }
            switch event {
            case .pieces(let pieces):
                for piece in pieces {
                    let logprobs = request.logprobs ? ChoiceLogprobs(content: piece.logprobs) : nil
                    send(chunk(.init(content: piece.text), logprobs: logprobs, finish: nil, includeUsage: includeUsage),
                         to: writer, cancelling: stream)
                }
            case .finished(.failure(let error)):
                writer.writeChunk(Self.event(Self.apiError(error).body))
                writer.writeChunk(Self.event(Array("[DONE]".utf8)))
                return writer.endStream()
            case .finished(.success(let finish)):
                send(chunk(.init(), logprobs: nil, finish: finish.reason, includeUsage: includeUsage), to: writer, cancelling: stream)
                if includeUsage {
                    let last = ChatCompletionChunk(id: id, created: created, model: model, choices: [], usage: .some(usage(finish)))
                    send(last, to: writer, cancelling: stream)
                }
                writer.writeChunk(Self.event(Array("[DONE]".utf8)))
                return writer.endStream()
            }
        }
    }

    private func chunk(_ delta: ChatCompletionChunk.Delta, logprobs: ChoiceLogprobs?, finish: String?,
                       includeUsage: Bool) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: model,
                            choices: [.init(index: 0, delta: delta, logprobs: logprobs, finishReason: finish)],
                            usage: includeUsage ? .some(nil) : nil)
    }

    /// A write that fails means the client went away: its generation stops at the next token.
    private func send(_ chunk: ChatCompletionChunk, to writer: HTTPResponseWriter, cancelling stream: CompletionStream) {
        guard let json = try? JSONText.encode(chunk) else { return }
        if !writer.writeChunk(Self.event(json)) { stream.cancel() }
    }

    private func usage(_ finish: CompletionStream.Finish) -> Usage {
        Usage(promptTokens: finish.promptTokens, completionTokens: finish.completionTokens,
              totalTokens: finish.promptTokens + finish.completionTokens)
    }

    static func event(_ data: [UInt8]) -> [UInt8] {
        Array("data: ".utf8) + data + Array("\n\n".utf8)
    }

    static func apiError(_ error: Error) -> APIError {
        if let error = error as? APIError { return error }
        if let error = error as? TransformerError, case .contextOverflow = error {
            return .badRequest(error.description, code: "context_length_exceeded")
        }
        return .server("generation failed: \(error)")
    }
}
