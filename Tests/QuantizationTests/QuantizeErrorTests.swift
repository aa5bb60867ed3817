import Foundation
import Testing
import ModelFormats
@testable import Quantization

/// Inputs `distillery quantize` must refuse with a clear error, leaving no file behind; and
/// the per-tensor type rules on small hand-made GGUF files.
struct QuantizeErrorTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("quantize-errors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A two-tensor F32 model: a norm and one weight of `shape`, with `poison` at an index.
    static func model(in folder: URL, shape: [Int], poison: (index: Int, value: Float)? = nil, tied: Bool = true) throws -> URL {
        let url = folder.appendingPathComponent("source.gguf")
        var values = (0 ..< shape.reduce(1, *)).map { Float($0 % 17) / 17 - 0.5 }
        if let poison { values[poison.index] = poison.value }
        var tensors = [
            GGUFWriter.Tensor(name: "output_norm.weight", shape: [shape[0]], type: .f32) {
                try quantize([Float](repeating: 1, count: shape[0]), as: .f32, rowLength: shape[0], tensor: "output_norm.weight")
            },
            GGUFWriter.Tensor(name: "token_embd.weight", shape: shape, type: .f32) {
                try quantize(values.map { $0.isFinite ? $0 : 0 }, as: .f32, rowLength: shape[0], tensor: "token_embd.weight")
            },
            GGUFWriter.Tensor(name: "blk.0.ffn_up.weight", shape: shape, type: .f32) {
                // Written raw: the poison must reach the quantiser, not stop this writer.
                values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
            },
        ]
        if !tied {
            tensors.append(GGUFWriter.Tensor(name: "output.weight", shape: shape, type: .f32) {
                try quantize(values.map { $0.isFinite ? $0 : 0 }, as: .f32, rowLength: shape[0], tensor: "output.weight")
            })
        }
        try GGUFWriter.write(metadata: [("general.architecture", .string("llama")), ("general.name", .string("Tiny"))],
                             tensors: tensors, to: url)
        return url
    }

    static func entries(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test func unknownTypeNamesTheTypesThereAre() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.model(in: folder, shape: [32, 4])
        let error = #expect(throws: QuantizationError.self) {
            try Quantizer.quantize(model: source.path, type: "Q3_X", output: folder.appendingPathComponent("out.gguf"))
        }
        #expect(error?.description == "unknown quantisation type 'Q3_X'; the types are F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q4_K_M, Q5_K_M")
        #expect(try Self.entries(folder) == ["source.gguf"])
    }

    @Test(arguments: ["Q8_0", "Q4_0", "F16"])
    func nanWeightNamesTensorAndIndexAndLeavesNothing(_ type: String) throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.model(in: folder, shape: [64, 3], poison: (100, .nan))
        let error = #expect(throws: QuantizeError.self) {
            try Quantizer.quantize(model: source.path, type: type, output: folder.appendingPathComponent("out.gguf"))
        }
        guard case .nonFiniteWeight(let tensor, let index, let value)? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(tensor == "blk.0.ffn_up.weight" && index == 100 && value.isNaN)
        #expect(try Self.entries(folder) == ["source.gguf"], "no output and no temporary file")
    }

    @Test func rowNotAMultipleOfTheBlockIsRefusedBeforeWriting() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.model(in: folder, shape: [48, 2])
        let error = #expect(throws: QuantizationError.self) {
            try Quantizer.quantize(model: source.path, type: "Q4_0", output: folder.appendingPathComponent("out.gguf"))
        }
        #expect(error?.description.hasPrefix("token_embd.weight: rows of 48 values are not a whole number of Q8_0 blocks (32 values), and --type Q4_0 gives this tensor Q8_0") == true,
                "\(String(describing: error))")
        #expect(try Self.entries(folder) == ["source.gguf"])
        // F16 has blocks of one: the same model converts.
        let summary = try Quantizer.quantize(model: source.path, type: "F16", output: folder.appendingPathComponent("out.gguf"))
        #expect(summary.tensorTypes == ["F32": 1, "F16": 2])
    }

    @Test func outputMustNotBeTheInput() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.model(in: folder, shape: [32, 2])
        #expect(throws: QuantizationError.self) { try Quantizer.quantize(model: source.path, type: "Q8_0", output: source) }
    }

    /// llama-quant.cpp: 1-D tensors keep their type; the output head of a quantised file (or
    /// the embedding when tied) is Q6_K, which falls back to Q8_0 for rows that are not 256-blocks.
    @Test func tensorTypesFollowLlamaQuantize() throws {
        func choose(_ name: String, _ shape: [Int], _ target: QuantizationTarget, tied: Bool = true) throws -> TensorTypeRule.Choice {
            try TensorTypeRule.choose(name: name, shape: shape, sourceType: .f32, target: target,
                                      model: .init(layerCount: 30, tied: tied))
        }
        #expect(try choose("blk.0.attn_norm.weight", [576], .q4_0).type == .f32)
        #expect(try choose("blk.0.attn_q.bias", [576, 1], .q4_0).type == .f32)
        #expect(try choose("token_embd.weight", [576, 49152], .q4_0) == .init(type: .q8_0))
        #expect(try choose("token_embd.weight", [576, 49152], .q4_0, tied: false).type == .q4_0)
        #expect(try choose("output.weight", [576, 49152], .q5_1, tied: false).type == .q8_0)
        #expect(try choose("token_embd.weight", [576, 49152], .f16).type == .f16)
        #expect(try choose("token_embd.weight", [576, 49152], .q8_0).type == .q8_0)
        #expect(try choose("output.weight", [4096, 32000], .q4_1, tied: false).type == .q6_K)
        #expect(try choose("output.weight", [4096, 32000], .q8_0, tied: false).type == .q8_0)
        #expect(try choose("blk.2.ffn_down.weight", [1536, 576], .q4_1).type == .q4_1)
        // A pure K type refuses a row it cannot hold, naming the tensor and the mixes.
        #expect(try choose("blk.2.ffn_down.weight", [1536, 576], .q2_K).type == .q2_K)
        do {
            _ = try choose("blk.2.attn_q.weight", [576, 576], .q4_K)
            Issue.record("expected a throw")
        } catch let error as QuantizationError {
            #expect("\(error)".contains("blk.2.attn_q.weight") && "\(error)".contains("Q4_K_M"), "\(error)")
        }
    }

    /// GGUF.md §7.6: SmolLM2-135M's shapes (tied, 576 wide, 1536 feed-forward, 30 layers) as
    /// Q4_K_M and Q5_K_M, tensor by tensor.
    @Test func kMixesOfSmolLM2ShapesAreLlamaCpps() throws {
        let moreBits: Set<Int> = [0, 1, 2, 5, 8, 11, 14, 17, 20, 23, 26, 27, 28, 29]
        #expect(Set((0..<30).filter { TensorTypeRule.usesMoreBits(layer: $0, of: 30) }) == moreBits)
        for (target, k, fallback) in [(QuantizationTarget.q4_K_M, GGMLType.q4_K, GGMLType.q5_0), (.q5_K_M, .q5_K, .q5_1)] {
            func type(_ name: String, _ shape: [Int]) throws -> GGMLType {
                try TensorTypeRule.choose(name: name, shape: shape, sourceType: .f32, target: target,
                                          model: .init(layerCount: 30, tied: true)).type
            }
            #expect(try type("token_embd.weight", [576, 49152]) == .q8_0)
            #expect(try type("output_norm.weight", [576]) == .f32)
            for layer in 0..<30 {
                let more = moreBits.contains(layer)
                for part in ["attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up"] {
                    #expect(try type("blk.\(layer).\(part).weight", [576, 576]) == fallback, "\(target) \(layer) \(part)")
                }
                #expect(try type("blk.\(layer).attn_v.weight", [576, 192]) == (more ? .q8_0 : fallback))
                #expect(try type("blk.\(layer).ffn_down.weight", [1536, 576]) == (more ? .q6_K : k))
            }
        }
        // Rows that fit neither 256 nor 32 become F16.
        #expect(try TensorTypeRule.choose(name: "blk.0.attn_q.weight", shape: [100, 100], sourceType: .f32, target: .q4_K_M,
                                          model: .init(layerCount: 30, tied: true)).type == .f16)
        // With calibration, the first eighth of a Q4_0 file's ffn_down is Q4_1.
        let calibrated = TensorTypeRule.ModelContext(layerCount: 30, tied: true, calibrated: true)
        #expect(try TensorTypeRule.choose(name: "blk.2.ffn_down.weight", shape: [1536, 576], sourceType: .f32, target: .q4_0, model: calibrated).type == .q4_1)
        #expect(try TensorTypeRule.choose(name: "blk.3.ffn_down.weight", shape: [1536, 576], sourceType: .f32, target: .q4_0, model: calibrated).type == .q4_0)
    }
}
