import Foundation

/// A pipeline file (`distillery distill PIPELINE.yaml`): everything that decides what a run
/// makes. Keys are snake_case in YAML; paths are relative to the file's folder. The loader
/// (`PipelineSpec.load`) rejects unknown keys, so a typo never silently falls back to a default.
public struct PipelineSpec: Sendable, Equatable, Codable {
    /// The derivative's name as published; license naming rules read it.
    public var name: String
    /// Its license id (SPDX, Hub or knowledge-base id).
    public var license: String
    /// Hub repository id (`org/name`) when it will be published.
    public var id: String?
    /// The folder every stage writes into.
    public var output: String
    /// The prompt file (JSONL or plain text), as `distillery generate --prompts`.
    public var prompts: String
    public var teacher: TeacherSpec
    public var generate: GenerateSpec
    public var student: StudentSpec
    public var train: TrainSpec
    public var quantize: QuantizeSpec
    /// Facts only the publisher knows, as `distillery manifest declare KEY=VALUE`.
    public var declarations: [String: String]
    /// Files copied into every published model folder: license texts, NOTICE, USE_POLICY.md.
    public var ship: [String]
    /// Compute threads for every local stage (nil: all cores).
    public var threads: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, license, id, output, prompts, teacher, generate, student, train, quantize, declarations, ship, threads
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        license = try c.decode(String.self, forKey: .license)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        output = try c.decode(String.self, forKey: .output)
        prompts = try c.decode(String.self, forKey: .prompts)
        teacher = try c.decode(TeacherSpec.self, forKey: .teacher)
        generate = try c.decodeIfPresent(GenerateSpec.self, forKey: .generate) ?? GenerateSpec()
        student = try c.decode(StudentSpec.self, forKey: .student)
        train = try c.decodeIfPresent(TrainSpec.self, forKey: .train) ?? TrainSpec()
        quantize = try c.decodeIfPresent(QuantizeSpec.self, forKey: .quantize) ?? QuantizeSpec()
        declarations = try c.decodeIfPresent([String: String].self, forKey: .declarations) ?? [:]
        ship = try c.decodeIfPresent([String].self, forKey: .ship) ?? []
        threads = try c.decodeIfPresent(Int.self, forKey: .threads)
    }
}

/// The teacher: a local model (`model` is a cached name, a .gguf or a HF folder), or an
/// OpenAI-compatible `endpoint` (then `model` is the endpoint's model id).
public struct TeacherSpec: Sendable, Equatable, Codable {
    public var model: String
    public var endpoint: String?
    /// The teacher's Hub id for the lineage (e.g. deepseek-ai/DeepSeek-R1); its license is
    /// looked up in the knowledge base unless `license` is given.
    public var id: String?
    public var license: String?
    /// Endpoint only: the environment variable holding the API key (the key never goes in the file).
    public var apiKeyEnv: String?
    public var concurrency: Int?
    public var stream: Bool?
    public var requestTimeout: Double?
    public var maxRetries: Int?
    /// USD per million prompt / completion tokens, for the cost estimate.
    public var priceIn: Double?
    public var priceOut: Double?
    public var returnTokenIds: Bool?
    /// Local only: a chat template name that overrides the model's.
    public var chatTemplate: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, endpoint, id, license, apiKeyEnv = "api_key_env", concurrency, stream,
             requestTimeout = "request_timeout", maxRetries = "max_retries", priceIn = "price_in",
             priceOut = "price_out", returnTokenIds = "return_token_ids", chatTemplate = "chat_template"
    }

    public var isEndpoint: Bool { endpoint != nil }
}

/// `distillery generate`'s settings.
public struct GenerateSpec: Sendable, Equatable, Codable {
    public var samplesPerPrompt = 1
    public var maxTokens = 1024
    public var temperature: Float = 0.6
    public var topP: Float = 0.95
    public var seed: UInt64 = 0
    /// Top-k alternatives kept per generated token (0: none; then training is SFT only).
    public var logprobs = 0
    public var verify: String?
    /// all, or correct (rejection sampling against the prompts' answers).
    public var keep = "all"
    public var maxAttempts = 4
    /// Local teacher: sequences generated at once.
    public var batch = 8

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case samplesPerPrompt = "samples_per_prompt", maxTokens = "max_tokens", temperature, topP = "top_p", seed,
             logprobs, verify, keep, maxAttempts = "max_attempts", batch
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = GenerateSpec()
        samplesPerPrompt = try c.decodeIfPresent(Int.self, forKey: .samplesPerPrompt) ?? d.samplesPerPrompt
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens) ?? d.maxTokens
        temperature = try c.decodeIfPresent(Float.self, forKey: .temperature) ?? d.temperature
        topP = try c.decodeIfPresent(Float.self, forKey: .topP) ?? d.topP
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        logprobs = try c.decodeIfPresent(Int.self, forKey: .logprobs) ?? d.logprobs
        verify = try c.decodeIfPresent(String.self, forKey: .verify)
        keep = try c.decodeIfPresent(String.self, forKey: .keep) ?? d.keep
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? d.maxAttempts
        batch = try c.decodeIfPresent(Int.self, forKey: .batch) ?? d.batch
    }
}

/// Where the student starts: exactly one of a pretrained model, a depth-pruned teacher
/// (`keep_every` or `keep_layers`, local teacher only) or a fresh `config`.
public struct StudentSpec: Sendable, Equatable, Codable {
    public var pretrained: String?
    public var keepEvery: Int?
    public var keepLayers: [Int]?
    /// A HF config.json for fresh weights; the tokenizer comes from `tokenizer` (default: the local teacher).
    public var config: String?
    public var tokenizer: String?
    /// The pretrained student's Hub id for the lineage (its license is looked up).
    public var baseId: String?
    public var baseLicense: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case pretrained, keepEvery = "keep_every", keepLayers = "keep_layers", config, tokenizer,
             baseId = "base_id", baseLicense = "base_license"
    }

    public var isPruned: Bool { keepEvery != nil || keepLayers != nil }
}

/// `distillery train`'s settings.
public struct TrainSpec: Sendable, Equatable, Codable {
    public var steps: Int?
    public var epochs: Double = 1
    public var lr: Float = 1e-4
    public var warmupSteps: Int?
    public var weightDecay: Float = 0.01
    public var maxGradNorm: Float = 1
    public var seqLen = 512
    public var tokensPerStep = 8192
    public var batchRows = 4
    public var kdWeight: Float = 0
    public var kdTemperature: Float = 1
    public var evalFraction = 0.05
    public var saveEvery = 0
    public var seed: UInt64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case steps, epochs, lr, warmupSteps = "warmup_steps", weightDecay = "weight_decay", maxGradNorm = "max_grad_norm",
             seqLen = "seq_len", tokensPerStep = "tokens_per_step", batchRows = "batch_rows", kdWeight = "kd_weight",
             kdTemperature = "kd_temperature", evalFraction = "eval_fraction", saveEvery = "save_every", seed
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainSpec()
        steps = try c.decodeIfPresent(Int.self, forKey: .steps)
        epochs = try c.decodeIfPresent(Double.self, forKey: .epochs) ?? d.epochs
        lr = try c.decodeIfPresent(Float.self, forKey: .lr) ?? d.lr
        warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps)
        weightDecay = try c.decodeIfPresent(Float.self, forKey: .weightDecay) ?? d.weightDecay
        maxGradNorm = try c.decodeIfPresent(Float.self, forKey: .maxGradNorm) ?? d.maxGradNorm
        seqLen = try c.decodeIfPresent(Int.self, forKey: .seqLen) ?? d.seqLen
        tokensPerStep = try c.decodeIfPresent(Int.self, forKey: .tokensPerStep) ?? d.tokensPerStep
        batchRows = try c.decodeIfPresent(Int.self, forKey: .batchRows) ?? d.batchRows
        kdWeight = try c.decodeIfPresent(Float.self, forKey: .kdWeight) ?? d.kdWeight
        kdTemperature = try c.decodeIfPresent(Float.self, forKey: .kdTemperature) ?? d.kdTemperature
        evalFraction = try c.decodeIfPresent(Double.self, forKey: .evalFraction) ?? d.evalFraction
        saveEvery = try c.decodeIfPresent(Int.self, forKey: .saveEvery) ?? d.saveEvery
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
    }
}

/// The GGUF files to write, and how many traces measure each against the trained student.
public struct QuantizeSpec: Sendable, Equatable, Codable {
    public var types: [String] = ["Q8_0", "Q4_K_M"]
    public var evalSequences = 32
    /// Weigh each column's rounding error by its mean squared activation on the traces
    /// (llama.cpp's imatrix), over this many tokens; worth it below 8 bits.
    public var calibrate = false
    public var calibrationTokens = 16384

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case types, evalSequences = "eval_sequences", calibrate, calibrationTokens = "calibration_tokens"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = QuantizeSpec()
        types = try c.decodeIfPresent([String].self, forKey: .types) ?? d.types
        evalSequences = try c.decodeIfPresent(Int.self, forKey: .evalSequences) ?? d.evalSequences
        calibrate = try c.decodeIfPresent(Bool.self, forKey: .calibrate) ?? d.calibrate
        calibrationTokens = try c.decodeIfPresent(Int.self, forKey: .calibrationTokens) ?? d.calibrationTokens
    }
}
