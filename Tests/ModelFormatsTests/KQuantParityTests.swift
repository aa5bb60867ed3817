import Foundation
import Testing
@testable import ModelFormats

/// K-quants and importance-weighted quantisers against ggml's C code (`ggml_quantize_chunk`
/// from the libggml-base in llama-cpp-python): scripts/fixtures/make_kquant_fixtures.py wrote
/// Fixtures/kquant/. Every byte of every row is compared.
struct KQuantParityTests {
    static let kTypes: [GGMLType] = [.q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

    static func floats(_ name: String) throws -> [Float] {
        try Fixture.f32Bits("kquant/\(name)").map(Float.init(bitPattern:))
    }

    /// Row indices where `ours` and `expected` differ (rows of equal byte length).
    static func differingRows(_ ours: [UInt8], _ expected: [UInt8], rows: Int) -> [Int] {
        guard ours.count == expected.count, rows > 0 else { return [-1] }
        let rowBytes = expected.count / rows
        return (0 ..< rows).filter { ours[$0 * rowBytes ..< ($0 + 1) * rowBytes] != expected[$0 * rowBytes ..< ($0 + 1) * rowBytes] }
    }

    @Test(arguments: kTypes)
    func plainBytesEqualGGML(_ type: GGMLType) throws {
        let x = try Self.floats("input.f32")
        let ours = try quantize(x, as: type, rowLength: 256, tensor: "fixture")
        let differing = Self.differingRows(ours, try Fixture.bytes("kquant/\(type).bin"), rows: x.count / 256)
        #expect(differing.isEmpty, "\(type): rows \(differing) of \(x.count / 256) differ from ggml")
    }

    @Test(arguments: GGMLType.importanceWeighted)
    func weightedBytesEqualGGML(_ type: GGMLType) throws {
        let x = try Self.floats("input.f32"), w = try Self.floats("importance.f32")
        let ours = try quantize(x, as: type, rowLength: 256, tensor: "fixture", importance: w)
        let differing = Self.differingRows(ours, try Fixture.bytes("kquant/\(type).importance.bin"), rows: x.count / 256)
        #expect(differing.isEmpty, "\(type): rows \(differing) of \(x.count / 256) differ from ggml")
    }

    /// Rows of 512 (two super-blocks, the importance index runs past 256) and an importance
    /// vector with zeros, a whole zero sub-block among them.
    @Test(arguments: GGMLType.importanceWeighted)
    func weightedWithZeroImportanceEqualsGGML(_ type: GGMLType) throws {
        let x = try Self.floats("input.f32"), w = try Self.floats("importance_zeros.f32")
        let ours = try quantize(x, as: type, rowLength: 512, tensor: "fixture", importance: w)
        let expected = try Fixture.bytes("kquant/\(type).importance_zeros.bin")
        let differing = Self.differingRows(ours, expected, rows: x.count / 512)
        #expect(differing.isEmpty, "\(type): rows \(differing) of \(x.count / 512) differ from ggml")
    }

    @Test(arguments: [GGMLType.q8_0, .f16, .bf16, .f32])
    func typesWithoutWeightingIgnoreImportance(_ type: GGMLType) throws {
        let x = try Self.floats("input.f32"), w = try Self.floats("importance.f32")
        #expect(try quantize(x, as: type, rowLength: 256, tensor: "t", importance: w)
                    == quantize(x, as: type, rowLength: 256, tensor: "t"))
    }

    /// Our bytes dequantised (by our dequantisers, checked against ggml in DequantizeTests):
    /// the 16 Gaussian rows with outliers of the fixture.
    static func roundTrip(_ type: GGMLType, importance: [Float]?) throws -> (x: [Float], y: [Float]) {
        let x = Array(try floats("input.f32")[0 ..< 16 * 256])
        let q = try quantize(x, as: type, rowLength: 256, tensor: "t", importance: importance)
        return (x, try q.withUnsafeBytes { try dequantize($0, type: type, count: x.count) })
    }

    /// Σ w·(y − x)² / Σ w·x² over one row of 256 (w = 1 when nil).
    static func relativeError(_ x: [Float], _ y: [Float], row: Int, weights w: [Float]?) -> Float {
        var err: Float = 0, norm: Float = 0
        for i in 0 ..< 256 {
            let k = row * 256 + i, wi = w?[i] ?? 1
            err += wi * (y[k] - x[k]) * (y[k] - x[k])
            norm += wi * x[k] * x[k]
        }
        return err / norm
    }

    /// RMS error of each row below a fraction of the row's RMS, without and with importance
    /// (which trades plain error for weighted error). The bounds are about 1.2× the worst
    /// row ggml's bytes give (plain: Q2_K 0.39, Q3_K 0.21, Q4_K 0.10, Q5_K 0.052, Q6_K 0.035;
    /// weighted: 0.44, 0.30, 0.14, 0.074, 0.066).
    @Test(arguments: [(GGMLType.q2_K, Float(0.47), Float(0.53)), (.q3_K, 0.26, 0.37), (.q4_K, 0.125, 0.17),
                      (.q5_K, 0.063, 0.09), (.q6_K, 0.043, 0.08)])
    func dequantizedErrorIsSmall(_ type: GGMLType, _ plainBound: Float, _ weightedBound: Float) throws {
        let w = try Self.floats("importance.f32")
        for (importance, bound) in [(nil, plainBound), (w, weightedBound)] {
            let (x, y) = try Self.roundTrip(type, importance: importance)
            for row in 0 ..< 16 {
                let ratio = Self.relativeError(x, y, row: row, weights: nil).squareRoot()
                #expect(ratio <= bound, "\(type) row \(row) importance \(importance != nil): RMS error \(ratio) of the row's")
            }
        }
    }

    /// What the importance is for: summed over the rows, the importance-weighted error is lower
    /// with it than without (ggml's bytes: by 20–50 %).
    @Test(arguments: GGMLType.importanceWeighted)
    func importanceLowersWeightedError(_ type: GGMLType) throws {
        let w = try Self.floats("importance.f32")
        let (x, plain) = try Self.roundTrip(type, importance: nil)
        let (_, weighted) = try Self.roundTrip(type, importance: w)
        let before = (0 ..< 16).reduce(Float(0)) { $0 + Self.relativeError(x, plain, row: $1, weights: w) }
        let after = (0 ..< 16).reduce(Float(0)) { $0 + Self.relativeError(x, weighted, row: $1, weights: w) }
        #expect(after < 0.9 * before, "\(type): weighted error \(after) with importance, \(before) without")
    }

    /// Rows split across threads give the same bytes as one thread (and as ggml, row by row).
    @Test func threadsDoNotChangeBytes() throws {
        let x = GGUFWriterTests.values(64 * 2048, seed: 5)
        let w = (0 ..< 2048).map { Float($0 % 7) + 0.5 }
        for type in [GGMLType.q4_K, .q6_K, .q4_0] {
            for importance in [nil, w] {
                let one = try quantize(x, as: type, rowLength: 2048, tensor: "t", importance: importance, threads: 1)
                let three = try quantize(x, as: type, rowLength: 2048, tensor: "t", importance: importance, threads: 3)
                #expect(one == three, "\(type) importance \(importance != nil)")
            }
        }
    }

    @Test func kQuantRowsMustBeWholeSuperBlocks() {
        for type in Self.kTypes {
            #expect(throws: QuantizeError.rowLengthNotMultipleOfBlock(tensor: "blk.0.attn_q.weight", rowLength: 576, type: type)) {
                try quantize([Float](repeating: 1, count: 1152), as: type, rowLength: 576, tensor: "blk.0.attn_q.weight")
            }
        }
    }

    @Test func importanceMustHoldOneFiniteNonNegativeValuePerColumn() {
        let x = [Float](repeating: 0.5, count: 512)
        #expect(throws: QuantizeError.importanceCountMismatch(tensor: "w", count: 512, rowLength: 256)) {
            try quantize(x, as: .q4_K, rowLength: 256, tensor: "w", importance: [Float](repeating: 1, count: 512))
        }
        for bad in [Float(-1), .nan, .infinity] {
            var w = [Float](repeating: 1, count: 256)
            w[17] = bad
            for type in [GGMLType.q4_K, .q8_0] {
                let error = #expect(throws: QuantizeError.self) { try quantize(x, as: type, rowLength: 256, tensor: "w", importance: w) }
                guard case .invalidImportance("w", 17, _)? = error else {
                    Issue.record("\(type) \(bad): \(String(describing: error))")
                    continue
                }
            }
        }
    }
}
