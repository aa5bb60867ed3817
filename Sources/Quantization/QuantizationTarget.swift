import ModelFormats

/// A file type `distillery quantize --type` makes: its main tensor type and the
/// `general.file_type` value llama.cpp writes for it (`llama_ftype`, GGUF.md §3).
public enum QuantizationTarget: String, Sendable, CaseIterable {
    case f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1

    /// Parses `Q8_0`, `q8_0`, `F16`, ... (the names llama-quantize takes).
    public init(name: String) throws {
        guard let target = QuantizationTarget(rawValue: name.lowercased()) else { throw QuantizationError.unknownType(name) }
        self = target
    }

    public var name: String { tensorType.description }

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
        }
    }

    /// `LLAMA_FTYPE_ALL_F32` = 0, `MOSTLY_F16` = 1, ... (GGUF.md §3).
    public var fileType: UInt32 {
        switch self {
        case .f32: return 0
        case .f16: return 1
        case .q4_0: return 2
        case .q4_1: return 3
        case .q8_0: return 7
        case .q5_0: return 8
        case .q5_1: return 9
        case .bf16: return 32
        }
    }

    public var isQuantized: Bool { tensorType.blockSize > 1 }
}
