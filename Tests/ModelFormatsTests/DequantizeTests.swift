import Foundation
import Testing
@testable import ModelFormats

/// Parity with gguf-py's `gguf.quants.dequantize` (Fixtures/dequant, made by
/// scripts/fixtures/make_gguf_fixtures.py): every one of the 13 types, bit for bit.
@Suite struct DequantizeTests {
    @Test(arguments: GGMLType.allCases)
    func matchesGGUFPyBitForBit(type: GGMLType) throws {
        let blocks = try Fixture.bytes("dequant/\(type).blocks")
        let expected = try Fixture.f32Bits("dequant/\(type).f32")
        let count = expected.count
        #expect(type.byteCount(elements: count) == blocks.count)
        let values = try blocks.withUnsafeBytes { try dequantize($0, type: type, count: count) }
        let ours = bits(values)
        let mismatches = zip(ours, expected).enumerated().filter { $0.element.0 != $0.element.1 }
        #expect(mismatches.isEmpty, "\(type): \(mismatches.count) of \(count) values differ, first at \(mismatches.first.map { "\($0.offset): \(String($0.element.0, radix: 16)) vs \(String($0.element.1, radix: 16))" } ?? "")")
    }

    @Test func rejectsWrongBufferSize() throws {
        let blocks = [UInt8](repeating: 0, count: 20)
        let error = #expect(throws: GGUFError.self) {
            _ = try blocks.withUnsafeBytes { try dequantize($0, type: .q4_1, count: 64) }
        }
        #expect(error?.kind == .sizeMismatch)
        #expect(error?.description.contains("40 bytes") == true)
    }

    @Test func rejectsPartialBlock() throws {
        let blocks = [UInt8](repeating: 0, count: 18)
        let error = #expect(throws: GGUFError.self) {
            _ = try blocks.withUnsafeBytes { try dequantize($0, type: .q4_0, count: 31) }
        }
        #expect(error?.kind == .sizeMismatch)
    }

    @Test func hand_computedQ8_0Block() throws {
        // d = 0.5 (f16 0x3800), qs = -16…15: y = q / 2.
        var block: [UInt8] = [0x00, 0x38]
        block += (0 ..< 32).map { UInt8(bitPattern: Int8($0 - 16)) }
        let values = try block.withUnsafeBytes { try dequantize($0, type: .q8_0, count: 32) }
        #expect(values == (0 ..< 32).map { Float($0 - 16) * 0.5 })
    }

    @Test func conversionsRoundAsGGML() {
        // §4.2: bf16 rounds to nearest even and quiets NaN.
        #expect(bf16Bits(Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie, even stays
        #expect(bf16Bits(Float(bitPattern: 0x3F81_8000)) == 0x3F82)  // tie, odd rounds up
        #expect(bf16Bits(Float(bitPattern: 0x7F80_0001)) == 0x7FC0)  // signalling NaN → quiet
        // §4.1: f16 overflow to infinity, NaN to 0x7E00.
        #expect(f16Bits(65520) == 0x7C00)
        #expect(f16Bits(.nan) == 0x7E00)
    }
}
