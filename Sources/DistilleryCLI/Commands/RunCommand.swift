import ArgumentParser
import Foundation
import ModelLoading
import Tokenizers
import Transformer

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Generate text: streams the continuation to stdout, speed and token counts to stderr.")

    @OptionGroup var options: ModelOptions

    @Option(help: "The prompt text.")
    var prompt: String?

    @Option(help: "A JSON file of chat messages: [{\"role\": ..., \"content\": ...}] or {\"messages\": [...]}.")
    var messages: String?

    @Flag(help: "Wrap --prompt as a user message in the model's chat template.")
    var chat = false

    @Option(help: "Use this chat template instead of the model's (implies --chat): \(ChatTemplate.names.joined(separator: ", ")).")
    var chatTemplate: String?

    @Option(help: "Stop after this many new tokens.")
    var maxTokens = 256

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0.8

    @Option(help: "Top-k cut-off (0 = off).")
    var topK = 40

    @Option(help: "Top-p (nucleus) cut-off (1 = off).")
    var topP: Float = 0.95

    @Option(help: "Min-p cut-off (0 = off).")
    var minP: Float = 0.05

    @Option(help: "Repetition penalty over the last 64 tokens (1 = off).")
    var repeatPenalty: Float = 1

    @Option(help: "Random seed for sampling.")
    var seed: UInt64 = 0

    func validate() throws {
        guard (prompt == nil) != (messages == nil) else { throw ValidationError("give exactly one of --prompt and --messages") }
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must not be negative") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be 0 or more") }
        guard topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        guard minP >= 0, minP < 1 else { throw ValidationError("--min-p must be in [0, 1)") }
        guard topK >= 0 else { throw ValidationError("--top-k must not be negative") }
        guard repeatPenalty > 0 else { throw ValidationError("--repeat-penalty must be positive") }
        if let chatTemplate { _ = try ChatTemplate.named(chatTemplate) }
    }

    func run() throws {
        let model = try options.load()
        let ids = try promptTokens(for: model)
        var settings = SamplingSettings()
        settings.temperature = temperature
        settings.topK = topK
        settings.topP = topP
        settings.minP = minP
        settings.repetitionPenalty = repeatPenalty
        settings.seed = seed
        var sampler = Sampler(settings: settings)
        var detokenizer = StreamingDetokenizer(tokenizer: model.tokenizer)
        let result = try model.decoder.generate(prompt: ids, maxTokens: maxTokens, sampler: &sampler,
                                                stopTokens: model.tokenizer.endOfGenerationIDs) { token in
            printStreamed(detokenizer.append(token))
            return true
        }
        printStreamed(detokenizer.finish() + "\n")
        printError(String(format: "prompt: %d tokens, %.1f tok/s | generated: %d tokens, %.1f tok/s | finish: %@",
                          result.promptTokenCount, result.prefillTokensPerSecond, result.tokens.count,
                          result.decodeTokensPerSecond, result.finishReason.rawValue))
    }

    private func promptTokens(for model: LoadedModel) throws -> [Int32] {
        var conversation: [ChatMessage]?
        if let messages {
            conversation = try ChatMessageFile.read(messages)
        } else if chat || chatTemplate != nil, let prompt {
            conversation = [ChatMessage(role: "user", content: prompt)]
        }
        let ids: [Int32]
        if let conversation {
            let text = try model.chatTemplate(override: chatTemplate).render(conversation, addGenerationPrompt: true)
            // The template writes any BOS itself.
            ids = model.tokenizer.encode(text, addSpecialTokens: false, parseSpecialTokens: true)
        } else {
            ids = model.encode(prompt ?? "")
        }
        guard !ids.isEmpty else { throw ValidationError("the prompt tokenises to nothing; give some text") }
        return ids
    }
}
