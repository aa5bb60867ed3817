#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Tensors

/// What the loss head measured over a batch: sums, so micro-batches add up.
public struct LossSums: Sendable, Equatable {
    /// Σ cross-entropy over target positions, and how many there were.
    public var crossEntropy: Double = 0
    public var targets: Int = 0
    /// Σ KL(teacher top-k ‖ student) at the objective's temperature, and over how many positions.
    public var kl: Double = 0
    public var teacherPositions: Int = 0
    /// Positions whose argmax is the target; positions whose argmax is the teacher's top-1.
    public var correct: Int = 0
    public var teacherAgreements: Int = 0

    public init() {}

    public static func + (a: LossSums, b: LossSums) -> LossSums {
        var s = a
        s.crossEntropy += b.crossEntropy
        s.targets += b.targets
        s.kl += b.kl
        s.teacherPositions += b.teacherPositions
        s.correct += b.correct
        s.teacherAgreements += b.teacherAgreements
        return s
    }
}

/// The output head fused with its losses: logits for a chunk of positions, cross-entropy
/// and KD against the teacher's top-k, and the gradient of the logits written over them in
/// place, then pushed back through the head. Only positions with a target or teacher data are
/// computed (prompt positions cost nothing), and never more than `chunkRows` rows of logits
/// exist at once: the whole [tokens × vocabulary] matrix would be 400 MB at 2048 × 49152.
struct LossHead {
    let vocabulary: Int
    let width: Int
    let chunkRows: Int

    /// Gradient scales per position: d/dz of sftScale·CE is sftScale·(softmax(z) − onehot);
    /// d/dz of α·T²·KL/N is (α·T/N)·(softmax(z/T) − p), which `kdScale` carries.
    struct Scales {
        var sft: Float
        var kd: Float
        var temperature: Float
    }

    /// Returns the loss sums; when `dHead` is given, writes dL/dx into `dInput` (every row,
    /// zero where no loss) and adds dL/dW into `dHead`.
    func run(input: UnsafePointer<Float>, head: UnsafePointer<Float>, batch: TrainingBatch, scales: Scales,
             logits: UnsafeMutablePointer<Float>, gathered: UnsafeMutablePointer<Float>,
             dInput: UnsafeMutablePointer<Float>?, dHead: UnsafeMutablePointer<Float>?, pool: ComputePool) -> LossSums {
        let gemm = ParallelGemm(pool: pool)
        let k = batch.teacherTopK
        let scored = (0..<batch.tokenCount).filter { i in
            batch.targets[i] >= 0 || (k > 0 && batch.teacherIDs[i * k] >= 0)
        }
        dInput?.update(repeating: 0, count: batch.tokenCount * width)
        var total = LossSums()
        var perRow = [LossSums](repeating: LossSums(), count: chunkRows)
        for chunkStart in stride(from: 0, to: scored.count, by: chunkRows) {
            let rows = Array(scored[chunkStart ..< min(chunkStart + chunkRows, scored.count)])
            for (r, i) in rows.enumerated() { (gathered + r * width).update(from: input + i * width, count: width) }
            gemm.multiplyTransposedB(m: rows.count, n: vocabulary, k: width, a: gathered, lda: width,
                                     b: head, ldb: width, c: logits, ldc: vocabulary)
            perRow.withUnsafeMutableBufferPointer { sums in
                pool.forEachRange(rows.count) { range in
                    for r in range {
                        sums[r] = rowLossAndGradient(logits + r * vocabulary, position: rows[r], batch: batch,
                                                     scales: scales, writeGradient: dHead != nil)
                    }
                }
            }
            for r in 0..<rows.count { total = total + perRow[r] }
            guard let dInput, let dHead else { continue }
            // dx = dz·W for the gathered rows, scattered back; dW += dzᵀ·x.
            gemm.multiply(m: rows.count, n: width, k: vocabulary, a: logits, lda: vocabulary, b: head, ldb: width,
                          c: gathered + chunkRows * width, ldc: width)
            for (r, i) in rows.enumerated() {
                (dInput + i * width).update(from: gathered + (chunkRows + r) * width, count: width)
            }
            gemm.multiplyTransposedA(m: vocabulary, n: width, k: rows.count, a: logits, lda: vocabulary,
                                     b: gathered, ldb: width, c: dHead, ldc: width, beta: 1)
        }
        return total
    }

    /// One position's losses; overwrites its logits with their gradient when asked.
    private func rowLossAndGradient(_ z: UnsafeMutablePointer<Float>, position i: Int, batch: TrainingBatch,
                                    scales: Scales, writeGradient: Bool) -> LossSums {
        var sums = LossSums()
        let (maximum, argmax) = VectorKernels.argmax(z, count: vocabulary)
        let logSumExp = maximum + logf(VectorKernels.sumOfExponentials(z, count: vocabulary, shift: maximum))
        let target = Int(batch.targets[i])
        let k = batch.teacherTopK
        let hasTeacher = k > 0 && batch.teacherIDs[i * k] >= 0

        // The teacher's top-k, renormalised at temperature T: p_m ∝ exp(logprob_m / T).
        var teacherIDs: [Int] = [], teacherP: [Float] = []
        var logSumExpT: Float = 0
        let t = scales.temperature
        if hasTeacher {
            for m in 0..<k {
                let id = Int(batch.teacherIDs[i * k + m]), lp = batch.teacherLogprobs[i * k + m]
                guard id >= 0, id < vocabulary, lp.isFinite else { continue }
                teacherIDs.append(id)
                teacherP.append(lp / t)
            }
            let top = teacherP.max() ?? 0
            let logNorm = top + logf(teacherP.reduce(Float(0)) { $0 + expf($1 - top) })
            let maximumT = maximum / t
            logSumExpT = maximumT + logf(VectorKernels.sumOfExponentials(z, count: vocabulary, scale: 1 / t, shift: maximumT))
            var kl: Float = 0
            for m in teacherIDs.indices {
                let logP = teacherP[m] - logNorm
                teacherP[m] = expf(logP)
                kl += teacherP[m] * (logP - (z[teacherIDs[m]] / t - logSumExpT))
            }
            sums.kl = Double(kl)
            sums.teacherPositions = 1
            if teacherIDs.first == argmax { sums.teacherAgreements = 1 }
        }
        if target >= 0, target < vocabulary {
            sums.crossEntropy = Double(logSumExp - z[target])
            sums.targets = 1
            if target == argmax { sums.correct = 1 }
        }
        guard writeGradient else { return sums }

        let sft = sums.targets > 0 ? scales.sft : 0, kd = hasTeacher ? scales.kd : 0
        VectorKernels.softmaxMixture(z, count: vocabulary, a: sft, shiftA: logSumExp, b: kd, scale: 1 / t, shiftB: logSumExpT)
        if sums.targets > 0 { z[target] -= sft }
        for m in teacherIDs.indices { z[teacherIDs[m]] -= kd * teacherP[m] }
        return sums
    }
}
