import Foundation
import Tokenizers
import Transformer

/// One request's generation as it passes from the batcher's thread to the connection's
/// thread. The batcher side turns tokens into text pieces (UTF-8 safe, stop strings applied)
/// and never blocks on the network; the connection side takes pieces and writes them.
final class CompletionStream: @unchecked Sendable {
    struct Piece {
        var text: String
        var logprobs: [TokenLogprobEntry]
    }

    enum Event {
        case pieces([Piece])
        case finished(Result<Finish, Error>)
    }

    struct Finish {
        var reason: String
        var promptTokens: Int
        var completionTokens: Int
    }

    private let tokenizer: BPETokenizer
    private let wantsLogprobs: Bool
    private var detokenizer: StreamingDetokenizer
    private var stops: StopSequenceMatcher
    private var completionTokens = 0

    private let condition = NSCondition()
    private var pending: [Piece] = []
    private var finished: Result<Finish, Error>?
    private var cancelled = false

    init(tokenizer: BPETokenizer, stop: [String], wantsLogprobs: Bool) {
        self.tokenizer = tokenizer
        self.wantsLogprobs = wantsLogprobs
        detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        stops = StopSequenceMatcher(stop)
    }

    // MARK: the batcher's side

    /// The batcher's `onToken`: false stops the generation (stop string or client gone).
    func receive(_ generated: GeneratedToken) -> Bool {
        completionTokens += 1
        let text = stops.append(detokenizer.append(generated.token))
        let piece = Piece(text: text, logprobs: wantsLogprobs ? [entry(for: generated)] : [])
        condition.lock()
        defer { condition.unlock() }
        if !piece.text.isEmpty || !piece.logprobs.isEmpty {
            pending.append(piece)
            condition.signal()
        }
        return !cancelled && !stops.stopped
    }

    /// The batcher's `onFinish`.
    func finish(_ result: Result<GenerationOutcome, Error>) {
        let tail = stops.append(detokenizer.finish()) + stops.finish()
        let stoppedByString = stops.stopped
        condition.lock()
        defer { condition.unlock() }
        if !tail.isEmpty { pending.append(Piece(text: tail, logprobs: [])) }
        finished = result.map { outcome in
            Finish(reason: stoppedByString ? FinishReason.stop.rawValue : outcome.finishReason.rawValue,
                   promptTokens: outcome.promptTokenCount, completionTokens: completionTokens)
        }
        condition.signal()
    }

    // MARK: the connection's side

    /// Waits up to `seconds` for pieces or the end; returns nil on timeout.
    func next(waiting seconds: Double) -> Event? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while pending.isEmpty && finished == nil {
            if !condition.wait(until: deadline) { return nil }
        }
        if !pending.isEmpty {
            defer { pending.removeAll() }
            return .pieces(pending)
        }
        return finished.map(Event.finished)
    }

    /// The client is gone: the next token ends the generation.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.unlock()
    }

    private func entry(for generated: GeneratedToken) -> TokenLogprobEntry {
        let bytes = tokenizer.tokenBytes(generated.token)
        return TokenLogprobEntry(
            id: generated.token, token: String(decoding: bytes, as: UTF8.self), logprob: Self.reported(generated.logprob),
            bytes: bytes,
            topLogprobs: generated.top.map { alternative in
                let bytes = tokenizer.tokenBytes(alternative.token)
                return .init(id: alternative.token, token: String(decoding: bytes, as: UTF8.self),
                             logprob: Self.reported(alternative.logprob), bytes: bytes)
            })
    }

    /// JSON has no -inf; OpenAI reports a vanishing probability as -9999.
    static func reported(_ logprob: Float) -> Float {
        logprob.isFinite ? max(logprob, -9999) : -9999
    }
}
