import Foundation
import Testing
import Tensors

/// The loss head's vectorised exp against libm's.
@Suite struct VectorExpTests {
    @Test func matchesLibmAcrossTheRangeSoftmaxUses() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            let lanes = SIMD8<Float>((0..<8).map { x + Float($0) * 0.013 })
            let ours = VectorKernels.exp(lanes)
            for lane in 0..<8 {
                let reference = expf(lanes[lane])
                worst = max(worst, abs(ours[lane] - reference) / reference)
            }
            x += 0.37
        }
        #expect(worst < 5e-7)
        #expect(VectorKernels.exp(SIMD8(repeating: -.infinity)) == SIMD8(repeating: 0))
        #expect(VectorKernels.exp(SIMD8(repeating: 0)) == SIMD8(repeating: 1))
    }

    @Test func softmaxReductionsAgreeWithAScalarLoop() {
        let values = (0..<1003).map { Float(sin(Double($0) * 0.7)) * 12 }
        let maximum = values.max() ?? 0
        let reference = values.reduce(Float(0)) { $0 + expf($1 - maximum) }
        values.withUnsafeBufferPointer { v in
            guard let base = v.baseAddress else { return }
            let (found, index) = VectorKernels.argmax(base, count: values.count)
            #expect(found == maximum && values[index] == maximum && !values[..<index].contains(maximum))
            let sum = VectorKernels.sumOfExponentials(base, count: values.count, shift: maximum)
            #expect(abs(sum - reference) / reference < 1e-5)
        }
    }

    @Test func vectorisedSoftmaxMatchesTheScalarOne() {
        for count in [1, 7, 8, 9, 100, 513] {
            var a = (0..<count).map { Float(cos(Double($0) * 1.3)) * 9 }
            var b = a
            a.withUnsafeMutableBufferPointer { VectorKernels.softmax($0.baseAddress!, count: count) }
            b.withUnsafeMutableBufferPointer { VectorKernels.softmaxVectorised($0.baseAddress!, count: count) }
            #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 * max($0, 1e-3) }, "count \(count)")
            #expect(abs(b.reduce(0, +) - 1) < 1e-5)
        }
    }
}
