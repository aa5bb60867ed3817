/// Tensor element types of ggml, by the id a GGUF tensor-info record stores
/// (`ggml_type` in ggml.h; GGUF.md §2). Only the types a reader can meet in a model file
/// and that we can decode are listed; any other id is rejected with `GGUFError.unknownType`.
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case bf16 = 30

    /// Elements per block: rows must be a whole number of blocks.
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0: return 32
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K: return 256
        }
    }

    /// Bytes per block (GGUF.md §2, `GGML_QUANT_SIZES`).
    public var bytesPerBlock: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .q4_0: return 18
        case .q4_1: return 20
        case .q5_0: return 22
        case .q5_1: return 24
        case .q8_0: return 34
        case .q2_K: return 84
        case .q3_K: return 110
        case .q4_K: return 144
        case .q5_K: return 176
        case .q6_K: return 210
        }
    }

    public var bitsPerWeight: Double { Double(bytesPerBlock * 8) / Double(blockSize) }

    /// The name llama.cpp prints and accepts (`Q4_K`, `F16`, ...).
    public var description: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .bf16: return "BF16"
        case .q4_0: return "Q4_0"
        case .q4_1: return "Q4_1"
        case .q5_0: return "Q5_0"
        case .q5_1: return "Q5_1"
        case .q8_0: return "Q8_0"
        case .q2_K: return "Q2_K"
        case .q3_K: return "Q3_K"
        case .q4_K: return "Q4_K"
        case .q5_K: return "Q5_K"
        case .q6_K: return "Q6_K"
        }
    }

    /// Bytes taken by `count` elements; nil when `count` is not a whole number of blocks.
    public func byteCount(elements count: Int) -> Int? {
        guard count >= 0, count % blockSize == 0 else { return nil }
        let (bytes, overflow) = (count / blockSize).multipliedReportingOverflow(by: bytesPerBlock)
        return overflow ? nil : bytes
    }
}

extension GGMLType {
    /// The ggml name of any type id, including the ones we cannot decode (GGUF.md §2), so an
    /// error can say "IQ2_XXS" rather than "16".
    public static func nameOfID(_ id: UInt32) -> String {
        if let type = GGMLType(rawValue: id) { return type.description }
        let others: [UInt32: String] = [
            4: "Q4_2, removed", 5: "Q4_3, removed", 9: "Q8_1", 15: "Q8_K", 16: "IQ2_XXS", 17: "IQ2_XS",
            18: "IQ3_XXS", 19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S", 23: "IQ4_XS", 24: "I8",
            25: "I16", 26: "I32", 27: "I64", 28: "F64", 29: "IQ1_M", 31: "Q4_0_4_4, removed",
            32: "Q4_0_4_8, removed", 33: "Q4_0_8_8, removed", 34: "TQ1_0", 35: "TQ2_0",
            36: "IQ4_NL_4_4, removed", 37: "IQ4_NL_4_8, removed", 38: "IQ4_NL_8_8, removed",
            39: "MXFP4", 40: "NVFP4", 41: "Q1_0", 42: "Q2_0",
        ]
        return others[id] ?? "unknown"
    }
}
