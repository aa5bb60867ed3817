import Foundation
import Testing
@testable import ModelFormats

/// Quantising speed, run by hand (it asserts nothing):
/// `DISTILLERY_QUANT_SPEED=1 swift test -c release -Xswiftc -enable-testing --filter KQuantSpeed`.
/// Prints wall and CPU seconds per 135M weights (SmolLM2-135M) for each type, one thread and
/// all cores (on a loaded machine the wall time says little; CPU time shows the threads ran).
struct KQuantSpeedTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DISTILLERY_QUANT_SPEED"] != nil))
    func secondsPer135MWeights() throws {
        let rows = 2048, rowLength = 1536
        var state: UInt64 = 1
        func uniform() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Float(state >> 40) + 0.5) / Float(1 << 24)
        }
        // Gaussian (Box–Muller) at the scale of trained weights.
        let x = (0 ..< rows * rowLength).map { _ in 0.02 * (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
        let w = (0 ..< rowLength).map { _ in -log(uniform()) * -log(uniform()) }
        for type in [GGMLType.q4_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K] {
            for importance in [nil, w] {
                var line = "\(type) \(importance == nil ? "plain  " : "weighted"):"
                for threads in [1, ProcessInfo.processInfo.activeProcessorCount] {
                    let start = DispatchTime.now().uptimeNanoseconds, cpuStart = clock()
                    _ = try quantize(x, as: type, rowLength: rowLength, tensor: "t", importance: importance, threads: threads)
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    let cpu = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC)
                    let scale = 135e6 / Double(x.count)
                    line += String(format: " %.1f s/135M (CPU %.1f s) on %d thread(s);", seconds * scale, cpu * scale, threads)
                }
                print(line)
            }
        }
    }
}
