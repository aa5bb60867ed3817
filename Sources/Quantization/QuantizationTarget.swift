import ModelFormats

/// A file type `distillery quantize --type` makes: one tensor type everywhere ("pure", apart
/// from the output head), or one of llama.cpp's K mixes, and the `general.file_type` value
/// llama.cpp writes for it (`llama_ftype`, GGUF.md §3).
public enum QuantizationTarget: String, Sendable, CaseIterable {
    case f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1
    case q2_K = "q2_k", q3_K = "q3_k", q4_K = "q4_k", q5_K = "q5_k", q6_K = "q6_k"
    case q4_K_M = "q4_k_m", q5_K_M = "q5_k_m"

    /// Parses `Q8_0`, `q8_0`, `Q4_K_M`, `F16`, ... case-insensitively.
    public init(name: String) throws {
        guard let target = QuantizationTarget(rawValue: name.lowercased()) else { throw QuantizationError.unknownType(name) }
        self = target
    }

    /// The name as llama.cpp spells it: `Q4_K_M`, `Q8_0`, `F16`.
    public var name: String {
        isMix ? rawValue.uppercased() : tensorType.description
    }

    /// The mixes choose per tensor (GGUF.md §7.3) and fall back where a row does not fit
    /// the 256-element K block (§7.4); the other targets use one type and refuse such a row.
    public var isMix: Bool { self == .q4_K_M || self == .q5_K_M }

    /// The type most tensors get (llama.cpp's `llama_ftype_get_default_type`).
    public var tensorType: GGMLType {
        switch self {
        case .f32: return .f32
        case .f16: return .f16
        case .bf16: return .bf16
        case .q8_0: return .q8_0
        case .q4_0: return .q4_0
        case .q4_1: return .q4_1
        case .q5_0: return .q5_0
        case .q5_1: return .q5_1
        case .q2_K: return .q2_K
        case .q3_K: return .q3_K
        case .q4_K, .q4_K_M: return .q4_K
        case .q5_K, .q5_K_M: return .q5_K
        case .q6_K: return .q6_K
        }
    }

    /// `LLAMA_FTYPE_ALL_F32` = 0, `MOSTLY_F16` = 1, ... (GGUF.md §3). A pure K type is
    /// recorded as llama.cpp's "_S" file type of that type (mostly that type, few exceptions).
    public var fileType: UInt32 {
        switch self {
        case .f32: return 0
        case .f16: return 1
        case .q4_0: return 2
        case .q4_1: return 3
        case .q8_0: return 7
        case .q5_0: return 8
        case .q5_1: return 9
        case .q2_K: return 10
        case .q3_K: return 11
        case .q4_K: return 14
        case .q4_K_M: return 15
        case .q5_K: return 16
        case .q5_K_M: return 17
        case .q6_K: return 18
        case .bf16: return 32
        }
    }

    public var isQuantized: Bool { tensorType.blockSize > 1 }
}
