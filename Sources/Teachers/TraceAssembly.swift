import Traces

/// Turns a teacher's completion into the trace record the shards keep.
enum TraceAssembly {
    static func record(job: TeacherJob, prompt: PromptRecord, promptID: String, completion: TeacherCompletion,
                       teacher: TeacherIdentity, settings: GenerateSettings) -> TraceRecord {
        let (reasoning, answer) = ReasoningSplit.split(content: completion.content, reasoningContent: completion.reasoningContent)
        var verification: TraceVerification?
        if let method = settings.verificationMethod, let reference = prompt.referenceAnswer {
            verification = AnswerVerifier.verify(answer: answer, reference: reference, method: method)
        }
        // The completion as the teacher's tokens encode it: with its reasoning inline when
        // the endpoint sent it apart.
        var text = completion.content
        if let separate = completion.reasoningContent, !separate.isEmpty { text = "<think>\n\(separate)\n</think>\n\n" + text }
        let tokens = completion.tokens
        let ids = tokens.allSatisfy { $0.id != nil } ? tokens.compactMap(\.id) : []
        let logprobs = tokens.allSatisfy { $0.logprob != nil } ? tokens.compactMap(\.logprob) : []
        var topK = 0, topIDs: [Int32] = [], topLogprobs: [Float] = []
        let alternativesKnown = tokens.allSatisfy { $0.alternatives.allSatisfy { $0.id != nil } }
        if job.topLogprobs > 0, !ids.isEmpty, alternativesKnown, tokens.contains(where: { !$0.alternatives.isEmpty }) {
            topK = job.topLogprobs
            for token in tokens {
                let row = token.alternatives.prefix(topK)
                topIDs += row.compactMap(\.id) + Array(repeating: -1, count: topK - row.count)
                topLogprobs += row.map(\.logprob) + Array(repeating: -.infinity, count: topK - row.count)
            }
        }
        return TraceRecord(
            id: job.traceID, promptID: promptID, sampleIndex: job.sampleIndex, attempt: job.attempt,
            messages: job.messages.map { TraceMessage(role: $0.role, content: $0.content) },
            reasoning: reasoning, answer: answer, completion: text, referenceAnswer: prompt.referenceAnswer ?? "",
            verification: verification, teacher: teacher,
            sampling: TraceSampling(temperature: Double(job.temperature), topP: Double(job.topP), maxTokens: job.maxTokens,
                                    seed: job.seed, topLogprobs: job.topLogprobs),
            finishReason: completion.finishReason, promptTokens: completion.promptTokens,
            completionTokens: completion.completionTokens,
            timings: TraceTimings(firstTokenSeconds: completion.firstTokenSeconds, totalSeconds: completion.totalSeconds),
            tokenIDs: ids, tokenLogprobs: logprobs.count == ids.count || ids.isEmpty ? logprobs : [],
            topK: topK, topIDs: topIDs, topLogprobs: topLogprobs, metadata: prompt.metadata)
    }
}
