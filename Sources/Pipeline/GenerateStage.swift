import Foundation
import ModelLoading
import Provenance
import Teachers
import Traces

/// What the generate stage reports: the whole dataset's figures, and the teacher's pace in
/// the run that finished it.
public struct GenerateResult: Codable, Sendable, Equatable {
    public var prompts: Int
    public var traces: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var verifiedCorrect: Int
    public var verifiedIncorrect: Int
    /// Completion tokens per second of the last run (a resumed run counts only its own part).
    public var teacherTokensPerSecond: Double
    public var teacher: String
    public var keptLogprobs: Int
}

/// Stage 1: the teacher answers the prompt set into MDS trace shards (`distillery generate`).
struct GenerateStage {
    let spec: PipelineSpec
    let threads: Int
    let folder: URL

    /// What decides the traces: the teacher, the prompts and the sampling settings. Endpoint
    /// concurrency, timeouts and keys do not change a trace, so they are left out.
    func fingerprint(models: ModelDigestCache) throws -> String {
        let teacher: String
        if let url = spec.teacher.endpointURL {
            teacher = "endpoint \(url.absoluteString) \(spec.teacher.model) ids=\(spec.teacher.returnTokenIds ?? false)"
        } else {
            teacher = "local \(try ContentDigest.model(spec.teacher.model, cache: models)) template=\(spec.teacher.chatTemplate ?? "")"
        }
        return ContentDigest.combine(["generate", teacher, try ContentDigest.file(URL(fileURLWithPath: spec.prompts)),
                                      try ContentDigest.settings(spec.generate)])
    }

    func run(progress: @escaping (GenerateProgress) -> Void, note: (String) -> Void) throws -> GenerateResult {
        let file = try PromptFile(contentsOf: URL(fileURLWithPath: spec.prompts), onBadLine: .fail)
        let g = spec.generate
        var settings = GenerateSettings()
        settings.samplesPerPrompt = g.samplesPerPrompt
        settings.maxTokens = g.maxTokens
        settings.temperature = g.temperature
        settings.topP = g.topP
        settings.seed = g.seed
        settings.topLogprobs = g.logprobs
        settings.verify = g.verify
        settings.keepOnlyCorrect = g.keep == "correct"
        settings.maxAttempts = g.maxAttempts

        let teacher = try makeTeacher(prompts: file.prompts)
        let run = try GenerateRun(prompts: file.prompts, teacher: teacher, settings: settings, output: folder)
        let summary = try run.run(progress: progress)
        if let http = teacher as? HTTPTeacher {
            for line in http.summary.lines(pricing: http.configuration.pricing) { note(line) }
        }
        if !summary.failures.isEmpty {
            let shown = summary.failures.prefix(5).map { "  \($0)" }.joined(separator: "\n")
            throw PipelineError.stageFailed(stage: "generate", why: "\(summary.failures.count) samples failed:\n\(shown)")
        }
        let dataset = try DatasetSummary(dataset: try MDSDataset(directory: folder))
        let figures = dataset.trace
        return GenerateResult(prompts: file.prompts.count, traces: dataset.samples,
                              promptTokens: figures?.promptTokens ?? 0, completionTokens: figures?.completionTokens ?? 0,
                              verifiedCorrect: figures?.correct ?? 0, verifiedIncorrect: figures?.incorrect ?? 0,
                              teacherTokensPerSecond: summary.completionTokensPerSecond, teacher: teacher.identity.model,
                              keptLogprobs: g.logprobs)
    }

    private func makeTeacher(prompts: [PromptRecord]) throws -> Teacher {
        let t = spec.teacher
        if let url = t.endpointURL {
            var key: String?
            if let name = t.apiKeyEnv {
                guard let value = ProcessInfo.processInfo.environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines),
                      !value.isEmpty else {
                    throw PipelineError.stageFailed(stage: "generate", why: "teacher.api_key_env names \(name), which is not set or empty; export \(name)=… first")
                }
                key = value
            }
            let pricing = t.priceIn.flatMap { input in t.priceOut.map { TokenPricing(inputPerMillion: input, outputPerMillion: $0) } }
            return HTTPTeacher(configuration: HTTPTeacherConfiguration(
                baseURL: url, model: t.model, apiKey: key, concurrency: t.concurrency ?? 8, stream: t.stream ?? true,
                requestTimeout: t.requestTimeout ?? 600, retryPolicy: RetryPolicy(maxRetries: t.maxRetries ?? 6),
                returnTokensAsTokenIDs: t.returnTokenIds ?? false, pricing: pricing))
        }
        let model = try LoadedModel.load(t.model, threads: threads)
        var identity = TeacherIdentity(model: model.location.url.deletingPathExtension().lastPathComponent)
        if case .gguf(let url) = model.location { identity.sha256 = try FileDigest.sha256(of: url).hex }
        return try LocalTeacher.sized(model: model, template: try model.chatTemplate(override: t.chatTemplate),
                                      identity: identity, slots: spec.generate.batch, prompts: prompts,
                                      maxTokens: spec.generate.maxTokens)
    }
}
