import CKernels
import Foundation
import ModelFormats
import Tensors
import Testing
import Transformer

/// The Q5 and K-quant kernels (CKernels/quantized_matmul_k.c) against the Swift dequantisers,
/// whose output matches ggml bit for bit (KQuantBlocks.swift). No quantiser for K types
/// exists yet, so the blocks are random bytes with sane f16 scales: every bit pattern of the
/// quants and 6-bit/int8 scales is a valid block, and random bits reach all of them.
struct QuantizedKernelTests {
    /// Block size in bytes and elements, and the offsets of the block's f16 fields.
    static let layouts: [(type: GGMLType, bytes: Int, elements: Int, f16Fields: [Int])] = [
        (.q5_0, 22, 32, [0]), (.q5_1, 24, 32, [0, 2]),
        (.q2_K, 84, 256, [80, 82]), (.q3_K, 110, 256, [108]), (.q4_K, 144, 256, [0, 2]),
        (.q5_K, 176, 256, [0, 2]), (.q6_K, 210, 256, [208]),
    ]

    static func randomBlocks(_ layout: (type: GGMLType, bytes: Int, elements: Int, f16Fields: [Int]),
                             rows: Int, columns: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix(seed)
        let blocks = rows * columns / layout.elements
        var bytes = (0..<blocks * layout.bytes).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        for b in 0..<blocks {
            for offset in layout.f16Fields {
                // ±[0.001, 0.02]: the range of real block scales of a unit-scale matrix.
                let magnitude = 0.001 + 0.019 * Float(generator.next() % 1000) / 1000
                let bits = Float16(generator.next() % 2 == 0 ? magnitude : -magnitude).bitPattern
                bytes[b * layout.bytes + offset] = UInt8(bits & 0xFF)
                bytes[b * layout.bytes + offset + 1] = UInt8(bits >> 8)
            }
        }
        return bytes
    }

    static func randomActivations(count: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix(seed)
        // Mostly ±2 with a few outliers ×20, as LLM activations have.
        return (0..<count).map { i in
            let u = Float(generator.next() % 100_000) / 50_000 - 1
            return i % 97 == 0 ? 40 * u : 2 * u
        }
    }

    /// The kernel equals W · x' (x' the int8 activations times their scales) up to float
    /// summation order. Tolerance 1e-5 of Σ|w·x'|: the integer dots are exact, and each output
    /// sums about cols/64 float terms per lane plus an 8-lane reduction and per-block scale
    /// products, ~40 roundings of 6e-8 in the worst case, so 1e-5 leaves a 4× margin and
    /// still catches any misplaced element (one element is ≳1e-4 of the total).
    /// Against the float activations the error is the activation rounding, at most
    /// Σ_groups (xd/2)·Σ|w| (rigorous), checked as well.
    @Test(arguments: layouts.indices)
    func kernelMatchesDequantisedMatmul(_ index: Int) throws {
        let layout = Self.layouts[index]
        let rows = 37, columns = layout.elements == 256 ? 512 : 160
        let blocks = Self.randomBlocks(layout, rows: rows, columns: columns, seed: UInt64(index + 1))
        let weights = try blocks.withUnsafeBytes { try dequantize($0, type: layout.type, count: rows * columns) }
        let rowBytes = blocks.count / rows

        var worst = 0.0  // largest error / (1e-5 · Σ|w·x'|) seen, printed for the record
        defer { print("\(layout.type): worst error \(String(format: "%.3f", worst)) of the tolerance") }
        for n in [1, 3, 8] {
            let x = Self.randomActivations(count: n * columns, seed: UInt64(100 + n))
            var xq = [Int8](repeating: 0, count: n * columns)
            var xd = [Float](repeating: 0, count: n * columns / 32)
            var xs = [Float](repeating: 0, count: n * columns / 16)
            dst_quantize_activations_q8(x, columns, Int32(n), Int32(columns), &xq, &xd, &xs)

            for range in [0..<rows, 0..<1, 5..<17, (rows - 3)..<rows] {
                var y = [Float](repeating: .nan, count: n * rows)
                blocks.withUnsafeBufferPointer { w in
                    Self.kernel(layout.type)(w.baseAddress, rowBytes, Int32(range.lowerBound), Int32(range.upperBound),
                                             Int32(columns), xq, xd, xs, Int32(n), &y, rows)
                }
                for v in 0..<n {
                    for r in 0..<rows {
                        let out = y[v * rows + r]
                        guard range.contains(r) else {
                            #expect(out.isNaN, "\(layout.type) wrote row \(r) outside \(range)")
                            continue
                        }
                        var exact = 0.0, magnitude = 0.0, floatExact = 0.0, floatMagnitude = 0.0, bound = 0.0
                        for g in 0..<(columns / 32) {
                            var groupWeight = 0.0
                            for e in (32 * g)..<(32 * g + 32) {
                                let w = Double(weights[r * columns + e])
                                let xPrime = Double(xq[v * columns + e]) * Double(xd[v * columns / 32 + g])
                                exact += w * xPrime
                                magnitude += abs(w * xPrime)
                                floatExact += w * Double(x[v * columns + e])
                                floatMagnitude += abs(w * Double(x[v * columns + e]))
                                groupWeight += abs(w)
                            }
                            bound += Double(xd[v * columns / 32 + g]) / 2 * groupWeight
                        }
                        worst = max(worst, abs(Double(out) - exact) / (1e-5 * magnitude))
                        #expect(abs(Double(out) - exact) <= 1e-5 * magnitude,
                                "\(layout.type) n=\(n) v=\(v) row \(r): \(out) vs \(exact)")
                        #expect(abs(Double(out) - floatExact) <= bound * 1.001 + 1e-5 * floatMagnitude,
                                "\(layout.type) n=\(n) v=\(v) row \(r): \(out) vs float \(floatExact)")
                    }
                }
            }
        }
    }

    /// The engine's path (LinearWeight.apply, threads, fused weights of mixed types as a
    /// Q4_K_M file has) gives the kernels' result.
    @Test func linearWeightDispatchesEveryType() throws {
        let pool = ComputePool(threadCount: 2), scratch = KernelScratch()
        let rows = 40, columns = 512, n = 3
        let x = Self.randomActivations(count: n * columns, seed: 7)
        // The float reference runs on x' (the int8 activations times their scales), so any
        // gap is summation order, not activation rounding (kernelMatchesDequantisedMatmul
        // checks that rounding).
        var xq = [Int8](repeating: 0, count: n * columns)
        var xd = [Float](repeating: 0, count: n * columns / 32), xs = [Float](repeating: 0, count: n * columns / 16)
        dst_quantize_activations_q8(x, columns, Int32(n), Int32(columns), &xq, &xd, &xs)
        let xPrime = (0..<(n * columns)).map { Float(xq[$0]) * xd[$0 / 32] }
        var weights: [LinearWeight] = [], references: [[Float]] = []
        var storage: [NSData] = []
        for (index, layout) in Self.layouts.enumerated() {
            let blocks = Self.randomBlocks(layout, rows: rows, columns: columns, seed: UInt64(50 + index))
            let data = NSData(bytes: blocks, length: blocks.count)
            storage.append(data)
            let bytes = UnsafeRawBufferPointer(start: data.bytes, count: data.length)
            let weight = try LinearWeight(name: "w\(index)", rows: rows, columns: columns, type: layout.type,
                                          bytes: bytes, owner: data)
            let floats = try FloatBuffer(try dequantize(bytes, type: layout.type, count: rows * columns))
            let reference = try LinearWeight(name: "f\(index)", rows: rows, columns: columns, float: floats)
            var y = [Float](repeating: 0, count: n * rows)
            try reference.apply(xPrime, count: n, into: &y, pool: pool, scratch: scratch)
            weights.append(weight)
            references.append(y)
        }
        let outputs = (0..<weights.count).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: n * rows) }
        defer { outputs.forEach { $0.deallocate() } }
        try LinearWeight.apply(weights, to: x, count: n, into: outputs, pool: pool, scratch: scratch)
        for (index, weight) in weights.enumerated() {
            var single = [Float](repeating: 0, count: n * rows)
            try weight.apply(x, count: n, into: &single, pool: pool, scratch: scratch)
            let scale = references[index].map(abs).max() ?? 1
            for i in 0..<(n * rows) {
                #expect(single[i] == outputs[index][i], "\(weight.storedType): fused and single calls differ")
                // 1e-3 of the largest output: float summation order only, with margin.
                #expect(abs(single[i] - references[index][i]) <= 1e-3 * scale,
                        "\(weight.storedType) [\(i)]: \(single[i]) vs float on x' \(references[index][i])")
            }
        }
        _ = storage
    }

    /// BF16 (CKernels/quantized_matmul.c) against the Swift widening followed by a float
    /// matmul: widening is exact, so the only gap is float summation order, held to 1e-5 of
    /// Σ|w·x| as above. The bits are the top halves of random floats plus ±0, a subnormal and
    /// a large value, which a wrong shift or sign extension would get wrong. 160 columns are
    /// five 32-element groups, so the single-vector path's odd trailing group runs; n = 11
    /// runs the 8-, 2- and 1-vector paths in one call. LinearWeight gives the kernel's result.
    @Test func bf16KernelMatchesWidenedMatmul() throws {
        let rows = 37, columns = 160
        var generator = SplitMix(11)
        var bits = (0..<(rows * columns)).map { _ -> UInt16 in
            let value = (Float(generator.next() % 100_000) / 50_000 - 1) * 0.1
            return UInt16(value.bitPattern >> 16)
        }
        bits[0] = 0x8000; bits[1] = 0x0001; bits[2] = 0x4780  // -0, smallest subnormal, 65536
        let blocks = bits.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let weights = try blocks.withUnsafeBytes { try dequantize($0, type: .bf16, count: rows * columns) }
        #expect(weights[2] == 65536 && weights[0].sign == .minus)
        let data = NSData(bytes: blocks, length: blocks.count)
        let weight = try LinearWeight(name: "w", rows: rows, columns: columns, type: .bf16,
                                      bytes: UnsafeRawBufferPointer(start: data.bytes, count: data.length), owner: data)
        #expect(weight.storedType == "BF16")
        let pool = ComputePool(threadCount: 2), scratch = KernelScratch()

        for n in [1, 3, 8, 11] {
            let x = Self.randomActivations(count: n * columns, seed: UInt64(200 + n))
            for range in [0..<rows, 0..<1, 5..<17, (rows - 3)..<rows] {
                var y = [Float](repeating: .nan, count: n * rows)
                blocks.withUnsafeBufferPointer { w in
                    dst_matmul_bf16(w.baseAddress, 2 * columns, Int32(range.lowerBound), Int32(range.upperBound),
                                    Int32(columns), x, columns, Int32(n), &y, rows)
                }
                for v in 0..<n {
                    for r in 0..<rows {
                        let out = y[v * rows + r]
                        guard range.contains(r) else {
                            #expect(out.isNaN, "BF16 wrote row \(r) outside \(range)")
                            continue
                        }
                        var exact = 0.0, magnitude = 0.0
                        for e in 0..<columns {
                            let product = Double(weights[r * columns + e]) * Double(x[v * columns + e])
                            exact += product
                            magnitude += abs(product)
                        }
                        #expect(abs(Double(out) - exact) <= 1e-5 * magnitude,
                                "BF16 n=\(n) v=\(v) row \(r): \(out) vs \(exact)")
                    }
                }
                if range == 0..<rows {
                    var applied = [Float](repeating: 0, count: n * rows)
                    try weight.apply(x, count: n, into: &applied, pool: pool, scratch: scratch)
                    #expect(applied == y, "BF16 n=\(n): LinearWeight.apply differs from the kernel")
                }
            }
        }
        #expect(LinearWeight.readsDirectly(.bf16, columns: 576))
        #expect(!LinearWeight.readsDirectly(.bf16, columns: 48))
    }

    /// K types need whole super-blocks per row: 576 columns (SmolLM2's width) are refused here
    /// and dequantised at load instead.
    @Test func kQuantRowsMustBeWholeSuperBlocks() {
        #expect(!LinearWeight.readsDirectly(.q4_K, columns: 576))
        #expect(LinearWeight.readsDirectly(.q4_K, columns: 1536))
        #expect(LinearWeight.readsDirectly(.q5_0, columns: 576))
        let bytes = [UInt8](repeating: 0, count: 144 * 3)
        _ = bytes.withUnsafeBytes { raw in
            #expect(throws: TransformerError.self) {
                _ = try LinearWeight(name: "w", rows: 1, columns: 576, type: .q4_K, bytes: raw, owner: NSData())
            }
        }
    }

    /// Decode (n = 1) matvec timings against the F32 path, printed, never asserted: the
    /// machine is shared. One thread, process CPU time (so other jobs' load counts less than
    /// in wall time), best of five. Run in release.
    @Test func printDecodeTimings() throws {
        let pool = ComputePool(threadCount: 1), scratch = KernelScratch()
        for (rows, columns) in [(1536, 512), (576, 1536), (1536, 576)] {
            let x = Self.randomActivations(count: columns, seed: 3)
            var y = [Float](repeating: 0, count: rows)
            let floats = try FloatBuffer(count: rows * columns)
            let f32 = try LinearWeight(name: "f32", rows: rows, columns: columns, float: floats)
            let f32Time = try Self.microseconds { try f32.apply(x, count: 1, into: &y, pool: pool, scratch: scratch) }
            var line = "\(rows)×\(columns) F32 \(f32Time)"
            for layout in Self.layouts where LinearWeight.readsDirectly(layout.type, columns: columns) {
                let blocks = Self.randomBlocks(layout, rows: rows, columns: columns, seed: 9)
                let data = NSData(bytes: blocks, length: blocks.count)
                let weight = try LinearWeight(name: "w", rows: rows, columns: columns, type: layout.type,
                                              bytes: UnsafeRawBufferPointer(start: data.bytes, count: data.length), owner: data)
                let time = try Self.microseconds { try weight.apply(x, count: 1, into: &y, pool: pool, scratch: scratch) }
                line += ", \(layout.type) \(time)"
            }
            print("decode matvec, 1 thread, CPU µs: \(line)")
        }
    }

    static func microseconds(_ body: () throws -> Void) rethrows -> Int {
        func cpuNanoseconds() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
            return Double(time.tv_sec) * 1e9 + Double(time.tv_nsec)
        }
        for _ in 0..<10 { try body() }
        var best = Double.infinity
        for _ in 0..<5 {
            let start = cpuNanoseconds()
            for _ in 0..<40 { try body() }
            best = min(best, (cpuNanoseconds() - start) / 40)
        }
        return Int(best / 1000)
    }

    typealias Kernel = @convention(c) (UnsafePointer<UInt8>?, Int, Int32, Int32, Int32, UnsafePointer<Int8>?,
                                       UnsafePointer<Float>?, UnsafePointer<Float>?, Int32, UnsafeMutablePointer<Float>?, Int) -> Void
    static func kernel(_ type: GGMLType) -> Kernel {
        switch type {
        case .q5_0: return dst_matmul_q5_0
        case .q5_1: return dst_matmul_q5_1
        case .q2_K: return dst_matmul_q2_k
        case .q3_K: return dst_matmul_q3_k
        case .q4_K: return dst_matmul_q4_k
        case .q5_K: return dst_matmul_q5_k
        default: return dst_matmul_q6_k
        }
    }
}

/// A fixed-seed generator, so a failure reproduces.
struct SplitMix {
    private var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
