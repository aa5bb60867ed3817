import Foundation
import Provenance
import Quantization
import Teachers
import Training
import Yams

extension PipelineSpec {
    /// Reads and checks a pipeline file. Relative input paths (prompts, models, configs) are
    /// taken from the file's folder, so a pipeline moves together with its prompt set; the
    /// output stays relative to the current directory, like every command's `--out`.
    public static func load(from url: URL) throws -> PipelineSpec {
        let path = url.path
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw PipelineError.unreadableFile(path: path, why: "cannot read it (\(error.localizedDescription))")
        }
        return try parse(text, path: path, baseFolder: url.deletingLastPathComponent())
    }

    /// Parses pipeline YAML; `path` names it in errors.
    public static func parse(_ text: String, path: String, baseFolder: URL) throws -> PipelineSpec {
        let tree: Any?
        do {
            tree = try Yams.load(yaml: text)
        } catch {
            throw PipelineError.unreadableFile(path: path, why: "not valid YAML: \(error)")
        }
        guard let root = tree as? [String: Any] else {
            throw PipelineError.unreadableFile(path: path, why: "the file must be a YAML mapping of keys (name, license, teacher, …)")
        }
        try rejectUnknownKeys(root, path: path)
        var spec: PipelineSpec
        do {
            spec = try YAMLDecoder().decode(PipelineSpec.self, from: text)
        } catch let error as DecodingError {
            throw PipelineError.unreadableFile(path: path, why: describe(error))
        }
        spec.resolvePaths(against: baseFolder)
        try spec.validate(path: path)
        return spec
    }

    /// Keys each section accepts; anything else is a typo the user must hear about.
    private static let sections: [String: [String]] = [
        "teacher": TeacherSpec.CodingKeys.allCases.map(\.rawValue),
        "generate": GenerateSpec.CodingKeys.allCases.map(\.rawValue),
        "student": StudentSpec.CodingKeys.allCases.map(\.rawValue),
        "train": TrainSpec.CodingKeys.allCases.map(\.rawValue),
        "quantize": QuantizeSpec.CodingKeys.allCases.map(\.rawValue),
        "declarations": Declarations.knownKeys,
    ]

    private static func rejectUnknownKeys(_ root: [String: Any], path: String) throws {
        let top = CodingKeys.allCases.map(\.rawValue)
        for key in root.keys.sorted() where !top.contains(key) {
            throw PipelineError.invalidSetting(path: path, key: key, why: "unknown key; the keys are \(top.joined(separator: ", "))")
        }
        for (section, known) in sections {
            guard let value = root[section] else { continue }
            guard let map = value as? [String: Any] else {
                throw PipelineError.invalidSetting(path: path, key: section, why: "must be a mapping of keys (\(known.joined(separator: ", ")))")
            }
            for key in map.keys.sorted() where !known.contains(key) {
                throw PipelineError.invalidSetting(path: path, key: "\(section).\(key)", why: "unknown key; \(section) takes \(known.joined(separator: ", "))")
            }
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func keyPath(_ path: [CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }
        switch error {
        case let .keyNotFound(key, context):
            let parent = keyPath(context.codingPath)
            return "\(parent.isEmpty ? "" : parent + ".")\(key.stringValue) is missing"
        case let .typeMismatch(type, context), let .valueNotFound(type, context):
            return "\(keyPath(context.codingPath)): expected \(describe(type))"
        case let .dataCorrupted(context):
            return "\(keyPath(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "text"
        case is Int.Type, is UInt64.Type: return "a whole number"
        case is Float.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is [String].Type: return "a list of names"
        case is [Int].Type: return "a list of whole numbers"
        default: return "a \(type)"
        }
    }

    /// Input paths relative to the pipeline file's folder. A bare name that is no file there
    /// (`smollm2-135m-instruct`) is a model-cache name and stays as it is.
    private mutating func resolvePaths(against folder: URL) {
        func resolve(_ value: String) -> String {
            let expanded = (value as NSString).expandingTildeInPath
            if expanded.hasPrefix("/") { return expanded }
            let candidate = folder.appendingPathComponent(expanded).standardizedFileURL.path
            let looksLikePath = expanded.contains("/") || expanded.hasSuffix(".gguf") || expanded.hasSuffix(".json")
                || expanded.hasSuffix(".jsonl") || expanded.hasSuffix(".txt")
            return looksLikePath || FileManager.default.fileExists(atPath: candidate) ? candidate : value
        }
        prompts = resolve(prompts)
        if !teacher.isEndpoint { teacher.model = resolve(teacher.model) }
        student.pretrained = student.pretrained.map(resolve)
        student.config = student.config.map(resolve)
        student.tokenizer = student.tokenizer.map(resolve)
        ship = ship.map { folder.appendingPathComponent(($0 as NSString).expandingTildeInPath).standardizedFileURL.path }
        output = (output as NSString).expandingTildeInPath
    }

    /// Checks what can be checked before any stage spends time.
    func validate(path: String) throws {
        func fail(_ key: String, _ why: String) -> PipelineError { .invalidSetting(path: path, key: key, why: why) }
        // The name becomes folder and file names, and a Hub repository name: the Hub's characters only.
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard let first = name.first, first.isLetter || first.isNumber, name.allSatisfy(allowed.contains),
              !name.contains(".."), name.count <= 96 else {
            throw fail("name", "'\(name)' is not a model name: use letters, digits, '-', '_' and '.', starting with a letter or digit, "
                + "without an org/ prefix (that goes in id)")
        }
        guard !license.isEmpty else { throw fail("license", "give a license id such as apache-2.0") }
        if let id, id.split(separator: "/").count != 2 { throw fail("id", "a Hub id is org/name, found \(id)") }
        guard !output.isEmpty else { throw fail("output", "give the folder to write into") }
        if let threads, threads < 1 { throw fail("threads", "must be at least 1") }

        if let endpoint = teacher.endpoint {
            guard teacher.endpointURL != nil else {
                throw fail("teacher.endpoint", "\(endpoint) is not an http(s) URL with a host, e.g. https://api.deepseek.com/v1")
            }
            if let name = teacher.apiKeyEnv, name.hasPrefix("sk-") || name.count > 64 {
                throw fail("teacher.api_key_env", "name the environment variable that holds the key (e.g. DEEPSEEK_API_KEY); never put the key in the file")
            }
            if let c = teacher.concurrency, c < 1 { throw fail("teacher.concurrency", "must be at least 1") }
            if (teacher.priceIn == nil) != (teacher.priceOut == nil) {
                throw fail("teacher.price_in", "give both price_in and price_out (USD per million tokens), or neither")
            }
        }

        let g = generate
        if g.samplesPerPrompt < 1 { throw fail("generate.samples_per_prompt", "must be at least 1") }
        if g.maxTokens < 1 { throw fail("generate.max_tokens", "must be at least 1") }
        if g.logprobs < 0 || (teacher.isEndpoint && g.logprobs > 20) {
            throw fail("generate.logprobs", "must be 0…20 for an endpoint (0 or more for a local teacher)")
        }
        if g.keep != "all" && g.keep != "correct" { throw fail("generate.keep", "must be all or correct") }
        if g.keep == "correct" && g.verify == nil { throw fail("generate.keep", "correct needs verify: numeric, exact or boxed") }
        if let v = g.verify, !["numeric", "exact", "boxed"].contains(v) { throw fail("generate.verify", "must be numeric, exact or boxed") }
        if g.batch < 1 { throw fail("generate.batch", "must be at least 1") }

        let ways = [student.pretrained != nil, student.isPruned, student.config != nil].filter { $0 }.count
        guard ways == 1 else {
            throw fail("student", "give exactly one of pretrained, keep_every / keep_layers, or config")
        }
        if student.isPruned, teacher.isEndpoint {
            throw fail("student", "keep_every and keep_layers prune a local teacher; an endpoint teacher's weights are not here (use pretrained or config)")
        }
        if let k = student.keepEvery, k < 1 { throw fail("student.keep_every", "must be at least 1") }
        if student.config != nil, student.tokenizer == nil, teacher.isEndpoint {
            throw fail("student.tokenizer", "a config student needs a tokenizer model when the teacher is an endpoint")
        }
        if train.kdWeight > 0, g.logprobs == 0 {
            throw fail("train.kd_weight", "logit distillation needs the teacher's logprobs: set generate.logprobs (e.g. 8) or kd_weight: 0")
        }
        guard train.evalFraction > 0, train.evalFraction < 1 else { throw fail("train.eval_fraction", "must be between 0 and 1") }
        do {
            try trainingSettings(threads: 1).validate()
        } catch {
            throw fail("train", "\(error)")
        }

        if quantize.evalSequences < 1 { throw fail("quantize.eval_sequences", "must be at least 1") }
        if quantize.calibrationTokens < 1 { throw fail("quantize.calibration_tokens", "must be at least 1") }
        for type in quantize.types {
            do { _ = try QuantizationTarget(name: type) } catch { throw fail("quantize.types", "\(error)") }
        }
        if Set(quantize.types.map { $0.uppercased() }).count != quantize.types.count {
            throw fail("quantize.types", "a type is listed twice")
        }
        var declared = Declarations()
        for (key, value) in declarations.sorted(by: { $0.key < $1.key }) {
            do { try declared.set(key, to: value) } catch { throw fail("declarations.\(key)", "\(error)") }
        }
    }

    /// The `distillery train` settings this pipeline asks for.
    func trainingSettings(threads: Int) -> TrainingSettings {
        var s = TrainingSettings()
        s.steps = train.steps
        s.epochs = train.epochs
        s.learningRate = train.lr
        s.warmupSteps = train.warmupSteps
        s.weightDecay = train.weightDecay
        s.maxGradientNorm = train.maxGradNorm
        s.sequenceLength = train.seqLen
        s.tokensPerStep = train.tokensPerStep
        s.batchRows = train.batchRows
        s.kdWeight = train.kdWeight
        s.kdTemperature = train.kdTemperature
        s.saveEvery = train.saveEvery
        s.keepCheckpoints = 1
        s.seed = train.seed
        s.threads = threads
        return s
    }
}

extension TeacherSpec {
    /// The endpoint's API root, nil for a local teacher or a URL without http(s) and a host.
    var endpointURL: URL? { endpoint.flatMap(HTTPTeacherConfiguration.apiRoot) }
}
