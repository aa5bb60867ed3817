import Foundation
import ModelLoading
import Tokenizers
import Transformer

/// The local engine as a teacher: jobs become requests of one continuous batcher, and a
/// slot freed by a finished sequence takes the next job at once.
public final class LocalTeacher: Teacher {
    public let identity: TeacherIdentity
    public let model: LoadedModel
    public let template: ChatTemplate
    public let slots: Int
    /// Positions per slot: the longest prompt plus max tokens, within the model's context.
    public let capacity: Int

    public var parallelism: Int { slots }

    public init(model: LoadedModel, template: ChatTemplate, identity: TeacherIdentity, slots: Int, capacity: Int) {
        self.model = model
        self.template = template
        self.identity = identity
        self.slots = max(slots, 1)
        self.capacity = capacity
    }

    /// A teacher whose slots each hold the longest of `prompts` plus `maxTokens`, within the
    /// model's context, so no prompt is cut and no slot is larger than it must be.
    public static func sized(model: LoadedModel, template: ChatTemplate, identity: TeacherIdentity, slots: Int,
                             prompts: [PromptRecord], maxTokens: Int) throws -> LocalTeacher {
        let probe = LocalTeacher(model: model, template: template, identity: identity, slots: slots, capacity: 1)
        let longest = try prompts.map { try probe.promptTokens($0.messages).count }.max() ?? 0
        let capacity = min(model.config.contextLength, longest + maxTokens)
        return LocalTeacher(model: model, template: template, identity: identity, slots: slots, capacity: capacity)
    }

    /// The prompt's token ids as the teacher sees them: its chat template with the
    /// generation prompt, special tokens parsed.
    public func promptTokens(_ messages: [ChatMessage]) throws -> [Int32] {
        let text = try template.render(messages, addGenerationPrompt: true)
        return model.tokenizer.encode(text, addSpecialTokens: false, parseSpecialTokens: true)
    }

    public func run(_ queue: JobQueue) throws {
        let batcher = try ContinuousBatcher(model: model.decoder, slots: slots, capacity: capacity)
        while let first = queue.take() {
            submit(first, to: batcher, queue: queue)
            while batcher.load < slots, let job = queue.tryTake() { submit(job, to: batcher, queue: queue) }
            try batcher.runUntilIdle()
        }
    }

    private func submit(_ job: TeacherJob, to batcher: ContinuousBatcher, queue: JobQueue) {
        let prompt: [Int32]
        do { prompt = try promptTokens(job.messages) } catch {
            return queue.report(job, .failure(TeacherFailure("cannot render the prompt with the teacher's chat template: \(error)")))
        }
        var sampling = SamplingSettings()
        // An endpoint's semantics (OpenAI, vLLM): temperature and top-p only, nothing else
        // trimmed, so local and remote teachers sample alike.
        sampling.temperature = job.temperature
        sampling.topP = job.topP
        sampling.topK = 0
        sampling.minP = 0
        sampling.seed = job.seed
        let request = GenerationRequest(prompt: prompt, maxTokens: job.maxTokens, sampling: sampling,
                                        stopTokens: model.tokenizer.endOfGenerationIDs, topLogprobs: job.topLogprobs)
        batcher.submit(request) { [self] result in
            switch result {
            case .success(let outcome): queue.report(job, .success(completion(of: outcome)))
            case .failure(let error): queue.report(job, .failure(TeacherFailure("\(error)")))
            }
            // The freed slot takes the next job now, not after the whole batch drains.
            if let next = queue.tryTake() { submit(next, to: batcher, queue: queue) }
        }
    }

    private func completion(of outcome: GenerationOutcome) -> TeacherCompletion {
        let tokenizer = model.tokenizer
        let tokens = outcome.tokens.map { generated in
            TeacherToken(id: generated.token, text: tokenizer.decode([generated.token]), logprob: generated.logprob,
                         alternatives: generated.top.map {
                             TokenAlternative(id: $0.token, text: tokenizer.decode([$0.token]), logprob: $0.logprob)
                         })
        }
        return TeacherCompletion(
            content: tokenizer.decode(outcome.tokens.map(\.token)), finishReason: outcome.finishReason.rawValue,
            promptTokens: outcome.promptTokenCount, completionTokens: outcome.tokens.count, tokens: tokens,
            firstTokenSeconds: outcome.firstTokenSeconds, totalSeconds: outcome.totalSeconds)
    }
}
