import CKernels

/// Splits data-parallel work over a fixed set of persistent threads (a C fork-join pool
/// whose workers spin briefly between tasks). A decoding step runs hundreds of matmuls of
/// tens of microseconds each; waking threads through Dispatch for each one left the second
/// core idle (measured: 2 threads ran no faster than 1).
public final class ComputePool: @unchecked Sendable {
    public let threadCount: Int
    private let pool: OpaquePointer?

    public init(threadCount: Int) {
        let requested = max(1, threadCount)
        pool = requested > 1 ? dst_pool_create(Int32(requested)) : nil
        // Without threads (creation failed) the work still runs, on the caller alone.
        self.threadCount = pool == nil ? 1 : requested
    }

    deinit { if let pool { dst_pool_destroy(pool) } }

    /// Runs `body` over `0..<count` in contiguous pieces of at least `minimumChunk`,
    /// spread over the threads, and returns when all are done. Threads take pieces from a
    /// shared counter rather than one fixed half each: with fixed halves one thread waited
    /// for the other for a fifth of a decoding step (measured).
    public func forEachRange(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let pieces = min(threadCount * 8, max(1, count / max(1, minimumChunk)))
        guard pieces > 1, threadCount > 1, let pool else {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            var job = Job(count: count, pieces: pieces, next: 0, body: body)
            withUnsafeMutablePointer(to: &job) { pointer in
                dst_pool_run(pool, { context, _, _ in
                    guard let job = context?.assumingMemoryBound(to: Job.self) else { return }
                    let count = job.pointee.count, pieces = job.pointee.pieces, body = job.pointee.body
                    while true {
                        let piece = Int(dst_take_piece(&job.pointee.next))
                        guard piece < pieces else { return }
                        body(count * piece / pieces ..< count * (piece + 1) / pieces)
                    }
                }, pointer)
            }
        }
    }

    /// Runs `body(i)` for every `i` in `0..<count`, spread over the threads.
    public func forEach(_ count: Int, _ body: (Int) -> Void) {
        forEachRange(count) { range in
            for index in range { body(index) }
        }
    }

    private struct Job {
        var count: Int
        var pieces: Int
        var next: Int32
        var body: (Range<Int>) -> Void
    }
}
