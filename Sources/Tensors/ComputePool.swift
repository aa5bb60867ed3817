import Dispatch

/// Splits data-parallel work over a fixed number of threads. Work is handed out as
/// contiguous ranges, one per thread, so each thread streams through its own memory.
public struct ComputePool: Sendable {
    public let threadCount: Int

    public init(threadCount: Int) {
        self.threadCount = max(1, threadCount)
    }

    /// Runs `body` over `0..<count` split into at most `threadCount` contiguous ranges,
    /// each at least `minimumChunk` long. Returns when every range is done.
    public func forEachRange(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = min(threadCount, max(1, count / max(1, minimumChunk)))
        if chunks == 1 {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            body(start..<end)
        }
    }

    /// Runs `body(i)` for every `i` in `0..<count`, spread over the threads.
    public func forEach(_ count: Int, _ body: (Int) -> Void) {
        forEachRange(count) { range in
            for index in range { body(index) }
        }
    }
}
