import Foundation
import Testing
@testable import ModelFormats

/// Our quantisers against ggml's C reference (`ggml_quantize_chunk` from the libggml-base in
/// llama-cpp-python, which gguf-py's numpy port agreed with on every row):
/// scripts/fixtures/make_quant_fixtures.py wrote Fixtures/quant/. Every byte is compared.
struct QuantizeParityTests {
    static let rowLength = 64

    static func input() throws -> [Float] {
        try Fixture.f32Bits("quant/input.f32").map(Float.init(bitPattern:))
    }

    /// The K types have their own fixtures (KQuantParityTests): their rows are 256 long.
    @Test(arguments: GGMLType.quantizable.filter { $0.blockSize < 256 })
    func bytesEqualGGML(_ type: GGMLType) throws {
        let x = try Self.input()
        let expected = try Fixture.bytes("quant/\(type).bin")
        let ours = try quantize(x, as: type, rowLength: Self.rowLength, tensor: "fixture")
        #expect(ours.count == expected.count)
        let rowBytes = expected.count / (x.count / Self.rowLength)
        let differing = stride(from: 0, to: expected.count, by: rowBytes).filter {
            ours[$0 ..< min($0 + rowBytes, ours.count)] != expected[$0 ..< $0 + rowBytes]
        }.map { $0 / rowBytes }
        #expect(differing.isEmpty, "\(type): rows \(differing) differ from ggml")
    }

    /// Quantise then dequantise stays within half a step of the block's scale (a sanity check
    /// that the fixture comparison is not comparing two wrong things).
    @Test(arguments: [GGMLType.q8_0, .q4_0, .q4_1, .q5_0, .q5_1])
    func dequantizedErrorIsWithinAStep(_ type: GGMLType) throws {
        let x = GGUFWriterTests.values(32 * 16, seed: 9)
        let q = try quantize(x, as: type, rowLength: 32, tensor: "t")
        let y = try q.withUnsafeBytes { try dequantize($0, type: type, count: x.count) }
        for block in 0 ..< 16 {
            let slice = x[block * 32 ..< block * 32 + 32]
            let range = slice.max()! - slice.min()!
            // One quantisation step at most: range/8 for Q4_0 (its top level is clamped), ...
            let steps: Float = [.q8_0: 127, .q4_0: 8, .q4_1: 15, .q5_0: 16, .q5_1: 31][type]!
            for i in slice.indices { #expect(abs(y[i] - x[i]) <= range / steps * 1.01, "\(type) element \(i)") }
        }
    }

    @Test func rowLengthNotAMultipleOfTheBlockNamesTheTensor() {
        #expect(throws: QuantizeError.rowLengthNotMultipleOfBlock(tensor: "blk.0.attn_q.weight", rowLength: 48, type: .q4_0)) {
            try quantize([Float](repeating: 1, count: 96), as: .q4_0, rowLength: 48, tensor: "blk.0.attn_q.weight")
        }
        #expect(throws: Never.self) { try quantize([Float](repeating: 1, count: 96), as: .f16, rowLength: 48, tensor: "x") }
    }

    @Test func nonFiniteWeightsNameTensorAndIndex() {
        for bad in [Float.nan, .infinity, -.infinity] {
            var x = [Float](repeating: 0.5, count: 512)
            x[41] = bad
            for type in GGMLType.quantizable {
                let error = #expect(throws: QuantizeError.self) { try quantize(x, as: type, rowLength: 256, tensor: "token_embd.weight") }
                guard case .nonFiniteWeight(let tensor, let index, _)? = error else {
                    Issue.record("\(type): \(String(describing: error))")
                    continue
                }
                #expect(tensor == "token_embd.weight" && index == 41)
            }
        }
    }

    @Test func typeNamesParseAsLlamaCppWritesThem() {
        #expect(GGMLType(name: "Q8_0") == .q8_0)
        #expect(GGMLType(name: "f16") == .f16)
        #expect(GGMLType(name: "bf16") == .bf16)
        #expect(GGMLType(name: "Q4_K") == .q4_K)
        #expect(GGMLType(name: "Q9_9") == nil)
    }
}
