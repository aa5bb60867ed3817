import Foundation

/// The JSON body of `POST /chat/completions` for one job (OpenAI's Chat Completions API,
/// which DeepSeek, vLLM, SGLang, llama-server, Ollama's `/v1` and `distillery serve` accept).
enum ChatCompletionRequest {
    /// OpenAI rejects `top_logprobs` above 20, and vLLM's default `--max-logprobs` is 20 too.
    static let maxTopLogprobs = 20

    static func body(for job: TeacherJob, configuration: HTTPTeacherConfiguration) throws -> Data {
        guard job.topLogprobs <= maxTopLogprobs else {
            throw HTTPTeacherError.invalidJob("top_logprobs \(job.topLogprobs) exceeds \(maxTopLogprobs), "
                + "the most OpenAI-compatible endpoints return; ask for at most \(maxTopLogprobs)")
        }
        var body: [String: Any] = [
            "model": configuration.model,
            // Only role and content: DeepSeek's API answers 400 when a message carries
            // `reasoning_content`, and no chat template renders it anyway.
            "messages": job.messages.map { ["role": $0.role, "content": $0.content] },
            "max_tokens": job.maxTokens,
            "temperature": decimal(job.temperature),
            "top_p": decimal(job.topP),
            // The job's seed is 64-bit; llama-server reads a uint32 and other servers an int,
            // so send 31 bits. It is still a pure function of the job, so reruns ask the same.
            "seed": Int(job.seed & 0x7fff_ffff),
            "stream": configuration.stream,
        ]
        if configuration.stream {
            // Without it OpenAI, vLLM and DeepSeek send no usage on a stream.
            body["stream_options"] = ["include_usage": true]
        }
        if job.topLogprobs > 0 || configuration.returnTokensAsTokenIDs {
            body["logprobs"] = true
            body["top_logprobs"] = job.topLogprobs
        }
        if configuration.returnTokensAsTokenIDs {
            body["return_tokens_as_token_ids"] = true
        }
        return try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
    }

    /// The Float as its shortest decimal, so 0.6 is sent as 0.6 and not 0.6000000238418579.
    private static func decimal(_ value: Float) -> Double {
        Double("\(value)") ?? Double(value)
    }
}
