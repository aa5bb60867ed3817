import Foundation
import ModelFormats
import Provenance

/// `distillery quantize` for a GGUF source: every tensor is dequantised to Float32 and
/// quantised to the type `TensorTypeRule` picks; every metadata key is carried over in order,
/// with Distillery's provenance keys added (docs/quantize.md).
///
/// The output is written by `GGUFWriter`: a temporary file renamed into place, removed on any
/// error (an unknown type, a row that does not fit the block, a NaN weight), so a failed run
/// leaves nothing behind.
public enum GGUFQuantizer {
    /// Keys llama-quantize rewrites at the end of the metadata (GGUF.md §7.1).
    static let rewrittenKeys: Set<String> = ["general.quantization_version", "general.file_type"]
    /// `GGML_QNT_VERSION`: the legacy block layouts' version, written by every quantiser.
    static let quantizationVersion: UInt32 = 2
    /// Key of the source file's SHA-256 (lower-case hex), so a quantised file names exactly
    /// what it was made from. Our own key: llama.cpp has none for this.
    public static let sourceSHA256Key = "general.source.sha256"
    public static let quantizedByKey = "general.quantized_by"

    public static func quantize(source: URL, target: QuantizationTarget, output: URL,
                                calibration: Calibration? = nil) throws -> QuantizeSummary {
        let start = Date()
        if source.standardizedFileURL.path == output.standardizedFileURL.path {
            throw QuantizationError.outputIsInput(path: output.path)
        }
        let file = try GGUFFile(url: source)
        let digest = try FileDigest.sha256(of: source).hex

        let context = TensorTypeRule.ModelContext(layerCount: layerCount(of: file),
                                                  tied: file.tensor(named: "output.weight") == nil,
                                                  calibrated: calibration != nil)
        var warnings: [String] = []
        let choices = try file.tensors.map { info in
            try TensorTypeRule.choose(name: info.name, shape: info.shape, sourceType: info.type, target: target, model: context)
        }
        let notes = fallbackNotes(zip(file.tensors.map(\.name), choices))
        // Dequantising to F32 is exact; any other new type rounds already-rounded weights again.
        let requantized = zip(file.tensors, choices).filter { source, choice in
            source.type.blockSize > 1 && source.type != choice.type && choice.type != .f32
        }
        if let example = requantized.first {
            warnings.insert("requantising: \(requantized.count) tensors of \(source.lastPathComponent) are already quantised (e.g. '\(example.0.name)' is \(example.0.type)); "
                + "their rounding errors add up, so quality is lower than quantising the original F32/F16/BF16 weights", at: 0)
        }

        let tensors = zip(file.tensors, choices).map { info, choice in
            GGUFWriter.Tensor(name: info.name, shape: info.shape, type: choice.type) {
                // Same type: copied unchanged, as llama-quantize does (GGUF.md §7.2).
                if info.type == choice.type { return Array(file.bytes(of: info)) }
                let values = try file.dequantized(info)
                return try ModelFormats.quantize(values, as: choice.type, rowLength: info.rowLength, tensor: info.name,
                                                 importance: calibration?.importance[info.name])
            }
        }
        let metadata = outputMetadata(of: file, target: target, sourceSHA256: digest, calibration: calibration)
        try GGUFWriter.write(metadata: metadata, tensors: tensors, to: output)

        var counts: [String: Int] = [:]
        for choice in choices { counts[choice.type.description, default: 0] += 1 }
        let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? nil
        return QuantizeSummary(output: output.path, type: target.name, fileType: Int(target.fileType),
                               tensorTypes: counts, bytes: size ?? 0, sourceSHA256: digest,
                               requantized: !requantized.isEmpty, calibrated: calibration != nil, warnings: warnings, notes: notes,
                               seconds: Date().timeIntervalSince(start))
    }

    /// `<arch>.block_count`, or the number of `blk.N.` prefixes when a file lacks the key.
    static func layerCount(of file: GGUFFile) -> Int {
        if let architecture = file.metadata["general.architecture"]?.stringValue,
           let count = file.metadata["\(architecture).block_count"]?.intValue {
            return count
        }
        return Set(file.tensors.compactMap { TensorTypeRule.layerIndex(of: $0.name) }).count
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
    static func outputMetadata(of file: GGUFFile, target: QuantizationTarget, sourceSHA256: String,
                               calibration: Calibration? = nil) -> [(key: String, value: GGUFValue)] {
        var metadata: [(key: String, value: GGUFValue)] = []
        let ownKeys: Set<String> = rewrittenKeys.union([quantizedByKey, sourceSHA256Key])
        // A requantised file's old calibration keys describe rounding that is gone.
        for key in file.metadataKeys where !ownKeys.contains(key) && !key.hasPrefix("split.") && !key.hasPrefix("quantize.imatrix.") {
            if let value = file.metadata[key] { metadata.append((key, value)) }
        }
        metadata += baseModelKeys(of: file)
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
    static func baseModelKeys(of file: GGUFFile) -> [(key: String, value: GGUFValue)] {
        guard file.metadata["general.base_model.count"] == nil,
              let name = file.metadata["general.name"]?.stringValue else { return [] }
        var keys: [(key: String, value: GGUFValue)] = [
            ("general.base_model.count", .uint32(1)),
            ("general.base_model.0.name", .string(name)),
        ]
        if let organization = file.metadata["general.organization"]?.stringValue {
            keys.append(("general.base_model.0.organization", .string(organization)))
        }
        if let url = file.metadata["general.source.url"]?.stringValue {
            keys.append(("general.base_model.0.repo_url", .string(url)))
        }
        return keys
    }
}
