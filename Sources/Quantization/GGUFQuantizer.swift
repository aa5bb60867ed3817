import Foundation
import ModelFormats
import Provenance

/// `distillery quantize`'s one path from tensors and metadata to a GGUF file of one type:
/// every tensor gets the type `TensorTypeRule` picks and is encoded from Float32; every
/// metadata key is carried over in order, with Distillery's provenance keys added
/// (docs/quantize.md). The source is a GGUF file (`quantize(source:…)`) or a Hugging Face
/// folder already mapped to GGUF names and keys (`HFToGGUF`).
///
/// The output is written by `GGUFWriter`: a temporary file renamed into place, removed on any
/// error (an unknown type, a row that does not fit the block, a NaN weight), so a failed run
/// leaves nothing behind.
public enum GGUFQuantizer {
    /// Keys llama-quantize rewrites at the end of the metadata (GGUF.md §7.1).
    static let rewrittenKeys: Set<String> = ["general.quantization_version", "general.file_type"]
    /// `GGML_QNT_VERSION`: the legacy block layouts' version, written by every quantiser.
    static let quantizationVersion: UInt32 = 2
    /// Key of the source's SHA-256 (lower-case hex), so a quantised file names exactly what
    /// it was made from. Our own key: llama.cpp has none for this.
    public static let sourceSHA256Key = "general.source.sha256"
    public static let quantizedByKey = "general.quantized_by"

    /// Quantises a GGUF file.
    public static func quantize(source: URL, target: QuantizationTarget, output: URL,
                                calibration: Calibration? = nil) throws -> QuantizeSummary {
        let start = Date()
        if source.standardizedFileURL.path == output.standardizedFileURL.path {
            throw QuantizationError.outputIsInput(path: output.path)
        }
        let file = try GGUFFile(url: source)
        let digest = PendingDigest { try FileDigest.sha256(of: source).hex }
        let tensors = file.tensors.map { info in
            QuantizationSource.Tensor(name: info.name, shape: info.shape, type: info.type,
                                      values: { try file.dequantized(info) },
                                      storedBytes: { Array(file.bytes(of: info)) })
        }
        let metadata = file.metadataKeys.compactMap { key in file.metadata[key].map { (key: key, value: $0) } }
        let input = QuantizationSource(displayName: source.lastPathComponent, metadata: metadata, tensors: tensors, sha256: digest)
        return try quantize(input, target: target, output: output, calibration: calibration, start: start)
    }

    /// Chooses each tensor's type, writes the file and says what was made.
    static func quantize(_ source: QuantizationSource, target: QuantizationTarget, output: URL,
                         calibration: Calibration? = nil, start: Date = Date()) throws -> QuantizeSummary {
        let context = TensorTypeRule.ModelContext(layerCount: layerCount(of: source),
                                                  tied: !source.tensors.contains { $0.name == "output.weight" },
                                                  calibrated: calibration != nil)
        var warnings: [String] = []
        let choices = try source.tensors.map { tensor in
            try TensorTypeRule.choose(name: tensor.name, shape: tensor.shape, sourceType: tensor.type, target: target, model: context)
        }
        let notes = fallbackNotes(zip(source.tensors.map(\.name), choices))
        // Dequantising to F32 is exact; any other new type rounds already-rounded weights again.
        let requantized = zip(source.tensors, choices).filter { tensor, choice in
            tensor.type.blockSize > 1 && tensor.type != choice.type && choice.type != .f32
        }
        if let example = requantized.first {
            warnings.insert("requantising: \(requantized.count) tensors of \(source.displayName) are already quantised (e.g. '\(example.0.name)' is \(example.0.type)); "
                + "their rounding errors add up, so quality is lower than quantising the original F32/F16/BF16 weights", at: 0)
        }

        let tensors = zip(source.tensors, choices).map { tensor, choice in
            GGUFWriter.Tensor(name: tensor.name, shape: tensor.shape, type: choice.type) {
                // Same type: copied unchanged, as llama-quantize does (GGUF.md §7.2).
                if tensor.type == choice.type, let stored = tensor.storedBytes { return try stored() }
                return try ModelFormats.quantize(try tensor.values(), as: choice.type, rowLength: tensor.shape.first ?? 1,
                                                 tensor: tensor.name, importance: calibration?.importance[tensor.name])
            }
        }
        let metadata = outputMetadata(of: source.metadata, target: target, sourceSHA256: PendingDigest.placeholder,
                                      calibration: calibration)
        try GGUFWriter.write(metadata: metadata, tensors: tensors, to: output,
                             lateValues: [sourceSHA256Key: { .string(try source.sha256.value()) }])

        var counts: [String: Int] = [:]
        for choice in choices { counts[choice.type.description, default: 0] += 1 }
        let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? nil
        return QuantizeSummary(output: output.path, type: target.name, fileType: Int(target.fileType),
                               tensorTypes: counts, bytes: size ?? 0, sourceSHA256: try source.sha256.value(),
                               requantized: !requantized.isEmpty, calibrated: calibration != nil,
                               warnings: warnings, notes: notes,
                               seconds: Date().timeIntervalSince(start))
    }

    /// `<arch>.block_count`, or the number of `blk.N.` prefixes when the key is missing.
    static func layerCount(of source: QuantizationSource) -> Int {
        let keys = Dictionary(source.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        if let architecture = keys["general.architecture"]?.stringValue,
           let count = keys["\(architecture).block_count"]?.intValue {
            return count
        }
        return Set(source.tensors.compactMap { TensorTypeRule.layerIndex(of: $0.name) }).count
    }

    /// One line per fallback llama.cpp also makes (a mix's K type on rows that are not
    /// 256-blocks), as llama-quantize reports them.
    static func fallbackNotes(_ choices: some Sequence<(String, TensorTypeRule.Choice)>) -> [String] {
        var byPair: [String: [String]] = [:]
        for (name, choice) in choices {
            guard let wanted = choice.fellBackFrom else { continue }
            byPair["\(wanted) → \(choice.type)", default: []].append(name)
        }
        return byPair.keys.sorted().map { pair in
            let names = byPair[pair] ?? []
            return "fallback \(pair) for \(names.count) tensors whose rows are not 256-blocks (e.g. '\(names[0])'), as llama.cpp does"
        }
    }

    /// The source's keys in order, then our provenance keys, then the two keys llama-quantize
    /// moves to the end (GGUF.md §7.1).
    static func outputMetadata(of source: [(key: String, value: GGUFValue)], target: QuantizationTarget,
                               sourceSHA256: String, calibration: Calibration? = nil) -> [(key: String, value: GGUFValue)] {
        let ownKeys: Set<String> = rewrittenKeys.union([quantizedByKey, sourceSHA256Key])
        // A requantised file's old calibration keys describe rounding that is gone.
        var metadata = source.filter {
            !ownKeys.contains($0.key) && !$0.key.hasPrefix("split.") && !$0.key.hasPrefix("quantize.imatrix.")
        }
        metadata += baseModelKeys(of: Dictionary(source.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }))
        metadata.append((quantizedByKey, .string("Distillery")))
        metadata.append((sourceSHA256Key, .string(sourceSHA256)))
        metadata += calibration?.metadata ?? []
        metadata.append(("general.quantization_version", .uint32(quantizationVersion)))
        metadata.append(("general.file_type", .uint32(target.fileType)))
        return metadata
    }

    /// A source that names no base model is itself the base of the quantised file: record
    /// it as `general.base_model.0.*` (gguf-py's keys). A source that names its bases already
    /// keeps them unchanged (quantising does not change what the model was derived from).
    static func baseModelKeys(of metadata: [String: GGUFValue]) -> [(key: String, value: GGUFValue)] {
        guard metadata["general.base_model.count"] == nil,
              let name = metadata["general.name"]?.stringValue else { return [] }
        var keys: [(key: String, value: GGUFValue)] = [
            ("general.base_model.count", .uint32(1)),
            ("general.base_model.0.name", .string(name)),
        ]
        if let organization = metadata["general.organization"]?.stringValue {
            keys.append(("general.base_model.0.organization", .string(organization)))
        }
        if let url = metadata["general.source.url"]?.stringValue {
            keys.append(("general.base_model.0.repo_url", .string(url)))
        }
        return keys
    }
}
