import Dispatch
import Foundation

/// Generates many sequences at once over one KV cache: every step runs a single `forward`
/// holding one decoding token per active sequence plus a slice of the prompts being
/// prefilled, and a finished sequence's slot is refilled from the queue at the next step
/// (continuous batching, as vLLM and llama-server schedule).
///
/// `submit` may be called from any thread. One thread drives the steps (`runUntilIdle` or
/// `serve`); callbacks run on it with no lock held, so they may submit more requests.
public final class ContinuousBatcher: @unchecked Sendable {
    public typealias TokenHandler = (GeneratedToken) -> Bool
    public typealias FinishHandler = (Result<GenerationOutcome, Error>) -> Void

    public let model: DecoderModel
    public let cache: KVCache
    /// Prompt tokens run per step at most, so decoding sequences are not stalled for long by
    /// a long prompt arriving (llama.cpp's n_batch plays the same part).
    public let prefillChunk: Int

    private let condition = NSCondition()
    private var queue: [QueuedRequest] = []
    private var nextID = 0
    private var stopped = false
    /// Driving thread only.
    private var active: [Int: ActiveSequence] = [:]

    public init(model: DecoderModel, slots: Int, capacity: Int, prefillChunk: Int = 512) throws {
        self.model = model
        self.cache = try KVCache(config: model.config, slots: slots, capacity: capacity)
        self.prefillChunk = max(prefillChunk, 1)
    }

    /// Queues a request. `onToken` sees each token as it is sampled and returns false to end
    /// the request there (finish reason `stop`); `onFinish` is called exactly once.
    @discardableResult
    public func submit(_ request: GenerationRequest, onToken: @escaping TokenHandler = { _ in true },
                       onFinish: @escaping FinishHandler) -> Int {
        condition.lock()
        defer { condition.unlock() }
        nextID += 1
        queue.append(QueuedRequest(request: request, onToken: onToken, onFinish: onFinish,
                                   submitted: DispatchTime.now().uptimeNanoseconds))
        condition.signal()
        return nextID
    }

    /// Runs steps on the calling thread until no request is queued or active.
    public func runUntilIdle() throws {
        while try step() {}
    }

    /// Runs steps on the calling thread, sleeping while there is nothing to do, until `stop()`.
    public func serve() {
        while true {
            condition.lock()
            while queue.isEmpty && active.isEmpty && !stopped { condition.wait() }
            let stopping = stopped
            condition.unlock()
            if stopping { return }
            _ = try? step()
        }
    }

    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sequences generating now plus requests waiting for a slot.
    public var load: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count + active.count
    }

    /// One scheduling step; false when there was nothing to do.
    func step() throws -> Bool {
        admitQueuedRequests()
        guard !active.isEmpty else { return false }
        let (entries, sampled) = plan()
        let logits: UnsafeBufferPointer<Float>
        do {
            logits = try model.forward(entries, cache: cache)
        } catch {
            // The batch is lost as a whole; its sequences fail rather than hang.
            for slot in active.keys.sorted() { finish(slot: slot, with: .failure(error)) }
            return true
        }
        let vocabulary = model.config.vocabularySize
        for (row, slot) in sampled.enumerated() {
            let rowLogits = UnsafeBufferPointer(rebasing: logits[(row * vocabulary)..<((row + 1) * vocabulary)])
            advance(slot: slot, logits: rowLogits)
        }
        return true
    }

    /// Moves queued requests into free slots; a request that cannot fit fails at once.
    private func admitQueuedRequests() {
        var rejected: [(QueuedRequest, Error)] = []
        condition.lock()
        var free = (0..<cache.slotCount).filter { active[$0] == nil }
        while !free.isEmpty, !queue.isEmpty {
            let queued = queue.removeFirst()
            let prompt = queued.request.prompt
            if prompt.isEmpty {
                rejected.append((queued, TransformerError.invalidBatch("the prompt is empty")))
                continue
            }
            if let bad = prompt.first(where: { $0 < 0 || Int($0) >= model.config.vocabularySize }) {
                rejected.append((queued, TransformerError.tokenOutOfRange(token: bad, vocabularySize: model.config.vocabularySize)))
                continue
            }
            guard prompt.count < cache.capacity else {
                rejected.append((queued, TransformerError.contextOverflow(slot: 0, needed: prompt.count + 1, capacity: cache.capacity)))
                continue
            }
            let slot = free.removeFirst()
            cache.reset(slot: slot)
            active[slot] = ActiveSequence(queued: queued, capacity: cache.capacity)
        }
        condition.unlock()
        for (queued, error) in rejected { queued.onFinish(.failure(error)) }
    }

    /// The step's batch: each decoding sequence's newest token, then prompt tokens up to the
    /// prefill budget. Returns the slots whose logits rows come back, in row order.
    private func plan() -> (entries: [BatchEntry], sampled: [Int]) {
        var entries: [BatchEntry] = []
        var sampled: [Int] = []
        let slots = active.keys.sorted()
        for slot in slots {
            guard let sequence = active[slot], sequence.isDecoding, let last = sequence.history.last else { continue }
            entries.append(BatchEntry(token: last, slot: slot, position: sequence.history.count - 1, wantsLogits: true))
            sampled.append(slot)
        }
        var budget = prefillChunk
        for slot in slots where budget > 0 {
            guard var sequence = active[slot], !sequence.isDecoding else { continue }
            let prompt = sequence.request.prompt
            let end = min(prompt.count, sequence.prefilled + budget)
            for position in sequence.prefilled..<end {
                entries.append(BatchEntry(token: prompt[position], slot: slot, position: position,
                                          wantsLogits: position == prompt.count - 1))
            }
            if end == prompt.count { sampled.append(slot) }
            budget -= end - sequence.prefilled
            sequence.prefilled = end
            active[slot] = sequence
        }
        // Logits rows come back in batch order; decoding rows precede prompt rows.
        return (entries, sampled)
    }

    /// Samples a slot's next token from its logits row and ends the sequence if it is done.
    private func advance(slot: Int, logits: UnsafeBufferPointer<Float>) {
        guard var sequence = active[slot] else { return }
        if sequence.budget == 0 { return finish(slot: slot, reason: .length) }
        let token = sequence.sampler.sample(logits, history: sequence.history[...])
        let now = DispatchTime.now().uptimeNanoseconds
        if sequence.firstToken == nil { sequence.firstToken = now }
        if sequence.request.stopTokens.contains(token) {
            active[slot] = sequence
            return finish(slot: slot, reason: .stop)
        }
        let normaliser = TokenLogprobs.logSumExp(logits)
        let generated = GeneratedToken(token: token, logprob: logits[Int(token)] - normaliser,
                                       top: TokenLogprobs.top(sequence.request.topLogprobs, of: logits, logSumExp: normaliser))
        sequence.generated.append(generated)
        sequence.history.append(token)
        active[slot] = sequence
        if !sequence.onToken(generated) { return finish(slot: slot, reason: .stop) }
        if sequence.generated.count >= sequence.budget { return finish(slot: slot, reason: .length) }
    }

    private func finish(slot: Int, reason: FinishReason) {
        guard let sequence = active[slot] else { return }
        let end = DispatchTime.now().uptimeNanoseconds
        let outcome = GenerationOutcome(
            tokens: sequence.generated, promptTokenCount: sequence.request.prompt.count, finishReason: reason,
            firstTokenSeconds: Double((sequence.firstToken ?? end) - sequence.submitted) / 1e9,
            totalSeconds: Double(end - sequence.submitted) / 1e9)
        finish(slot: slot, with: .success(outcome))
    }

    private func finish(slot: Int, with result: Result<GenerationOutcome, Error>) {
        guard let sequence = active.removeValue(forKey: slot) else { return }
        cache.reset(slot: slot)
        sequence.onFinish(result)
    }
}

private struct QueuedRequest {
    var request: GenerationRequest
    var onToken: ContinuousBatcher.TokenHandler
    var onFinish: ContinuousBatcher.FinishHandler
    var submitted: UInt64
}

/// A request holding a slot: prefilling its prompt, then decoding.
private struct ActiveSequence {
    var request: GenerationRequest
    var onToken: ContinuousBatcher.TokenHandler
    var onFinish: ContinuousBatcher.FinishHandler
    var submitted: UInt64
    var sampler: Sampler
    /// Prompt and generated tokens: the repetition penalty's window and the next position.
    var history: [Int32]
    var generated: [GeneratedToken] = []
    var prefilled = 0
    var firstToken: UInt64?
    /// Tokens it may generate: its max_tokens, cut so prompt + completion fit the slot.
    var budget: Int

    init(queued: QueuedRequest, capacity: Int) {
        request = queued.request
        onToken = queued.onToken
        onFinish = queued.onFinish
        submitted = queued.submitted
        sampler = Sampler(settings: queued.request.sampling)
        history = queued.request.prompt
        budget = min(max(queued.request.maxTokens, 0), capacity - queued.request.prompt.count)
    }

    var isDecoding: Bool { prefilled == request.prompt.count }
}
