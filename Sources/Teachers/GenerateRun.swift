import Dispatch
import Foundation
import Traces

/// `distillery generate`: asks a teacher for `samplesPerPrompt` traces of every prompt and
/// writes them into an MDS dataset. Rerunning it on the same folder resumes: traces already
/// in the shards or the writer's journal, and samples already given up, are not asked again.
public final class GenerateRun {
    public let prompts: [PromptRecord]
    public let teacher: Teacher
    public let settings: GenerateSettings
    public let output: URL

    public init(prompts: [PromptRecord], teacher: Teacher, settings: GenerateSettings, output: URL) throws {
        guard settings.samplesPerPrompt >= 1 else { throw GenerateError.invalidSettings("--samples-per-prompt must be at least 1") }
        guard settings.maxTokens >= 1 else { throw GenerateError.invalidSettings("--max-tokens must be at least 1") }
        guard settings.topLogprobs >= 0 else { throw GenerateError.invalidSettings("--logprobs must be 0 or more") }
        guard settings.maxAttempts >= 1 else { throw GenerateError.invalidSettings("--max-attempts must be at least 1") }
        if settings.keepOnlyCorrect && settings.verificationMethod == nil {
            throw GenerateError.invalidSettings("--keep correct needs --verify numeric|exact|boxed")
        }
        if let verify = settings.verify, settings.verificationMethod == nil {
            throw GenerateError.invalidSettings("--verify \(verify) is not one of numeric, exact, boxed")
        }
        self.prompts = prompts
        self.teacher = teacher
        self.settings = settings
        self.output = output
    }

    /// Runs until every sample has a trace, has been given up, or failed; failures are in
    /// the summary and are asked again by the next run. `progress` is called after each
    /// settled job, serially.
    public func run(progress: @escaping (GenerateProgress) -> Void = { _ in }) throws -> GenerateSummary {
        let start = DispatchTime.now().uptimeNanoseconds
        var ledger = try RunLedger(directory: output, teacher: teacher.identity, settings: settings)
        let writer = try MDSShardWriter(resumingIn: output, columns: TraceRecord.columns,
                                        sizeLimit: settings.shardSizeLimit, compressionLevel: settings.compressionLevel)
        let done = try RunLedger.doneTraceIDs(in: output, writer: writer)

        var summary = GenerateSummary()
        summary.prompts = prompts.count
        var work: [(prompt: Int, sample: Int, traceID: String)] = []
        var seen = Set<String>()
        for (p, prompt) in prompts.enumerated() {
            for s in 0..<settings.samplesPerPrompt {
                let id = traceID(prompt, sample: s)
                // The same messages twice in the file are the same question: asked once.
                guard seen.insert(id).inserted else { summary.duplicateSamples += 1; continue }
                if done.contains(id) { summary.tracesFoundDone += 1 } else if !ledger.settled.contains(id) { work.append((p, s, id)) }
            }
        }
        let total = work.count
        var next = 0, settledCount = 0
        var fatal: Error?

        func job(_ item: (prompt: Int, sample: Int, traceID: String), attempt: Int) -> TeacherJob {
            TeacherJob(promptIndex: item.prompt, sampleIndex: item.sample, attempt: attempt, traceID: item.traceID,
                       messages: prompts[item.prompt].messages, maxTokens: settings.maxTokens,
                       temperature: settings.temperature, topP: settings.topP,
                       seed: TraceID.seed(runSeed: settings.seed, traceID: item.traceID, attempt: attempt),
                       topLogprobs: settings.topLogprobs)
        }
        // A window of queued jobs, refilled as results come: a million prompts never sit
        // in memory as jobs at once.
        let window = max(2 * teacher.parallelism, 4)
        var queue: JobQueue!
        func feed(_ count: Int) {
            let end = min(next + count, work.count)
            guard next < end else { return }
            queue.push(work[next..<end].map { job($0, attempt: 0) })
            next = end
        }

        queue = JobQueue { [self] job, result in
            guard fatal == nil else { return }
            summary.attempts += 1
            defer {
                progress(GenerateProgress(samplesTotal: total, samplesSettled: settledCount, tracesKept: summary.tracesWritten,
                                          completionTokens: summary.completionTokens,
                                          seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
            }
            let prompt = prompts[job.promptIndex]
            let promptID = prompt.id ?? TraceID.prompt(prompt.messages)
            switch result {
            case .failure(let failure):
                summary.failures.append(GenerateFailure(line: prompt.lineNumber, promptID: promptID, sample: job.sampleIndex,
                                                        message: failure.message))
                settledCount += 1
                feed(1)
            case .success(let completion):
                summary.promptTokens += completion.promptTokens
                summary.completionTokens += completion.completionTokens
                let record = TraceAssembly.record(job: job, prompt: prompt, promptID: promptID, completion: completion,
                                                  teacher: teacher.identity, settings: settings)
                if let verification = record.verification {
                    if verification.correct { summary.verifiedCorrect += 1 } else { summary.verifiedIncorrect += 1 }
                }
                do {
                    if settings.keepOnlyCorrect, record.verification?.correct != true {
                        if job.attempt + 1 < settings.maxAttempts, record.verification != nil {
                            var retry = job
                            retry.attempt += 1
                            retry.seed = TraceID.seed(runSeed: settings.seed, traceID: job.traceID, attempt: retry.attempt)
                            queue.push([retry])
                            return
                        }
                        try ledger.settle(job.traceID)
                        summary.samplesWithoutCorrectAnswer += 1
                    } else {
                        try writer.write(try record.mdsSample)
                        summary.tracesWritten += 1
                    }
                } catch {
                    fatal = error
                    queue.close()
                    return
                }
                settledCount += 1
                feed(1)
            }
        }
        feed(window)
        do {
            try teacher.run(queue)
        } catch {
            fatal = fatal ?? error
        }
        // Whatever was written stays: finished shards are in the index, the rest in the journal.
        if let fatal { throw fatal }
        try writer.finish()
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return summary
    }

    private func traceID(_ prompt: PromptRecord, sample: Int) -> String {
        TraceID.make(messages: prompt.messages, teacher: teacher.identity, temperature: settings.temperature,
                     topP: settings.topP, maxTokens: settings.maxTokens, seed: settings.seed,
                     topLogprobs: settings.topLogprobs, sampleIndex: sample)
    }
}
