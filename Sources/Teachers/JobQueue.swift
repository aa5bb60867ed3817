import Foundation

/// The hand-over between a generate run and its teacher. The run pushes jobs; the teacher's
/// workers take them and report each result; the run's handler sees results one at a time
/// (never concurrently) and may push more jobs from inside it (rejection sampling, the next
/// window of prompts). The queue is drained when nothing is pending and every taken job has
/// been reported: then `take()` returns nil to every worker.
public final class JobQueue: @unchecked Sendable {
    public typealias ResultHandler = (TeacherJob, Result<TeacherCompletion, TeacherFailure>) -> Void

    private let condition = NSCondition()
    private let reportLock = NSLock()
    private var pending: [TeacherJob] = []
    private var pendingStart = 0
    private var outstanding = 0
    private var closed = false
    private let onResult: ResultHandler

    public init(onResult: @escaping ResultHandler) {
        self.onResult = onResult
    }

    public func push(_ jobs: [TeacherJob]) {
        condition.lock()
        pending += jobs
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for a job; nil once the queue is drained or closed.
    public func take() -> TeacherJob? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if closed { return nil }
            if let job = popLocked() { return job }
            if outstanding == 0 { return nil }
            condition.wait()
        }
    }

    /// A job if one is pending now, without waiting (a batch loop with work in hand).
    public func tryTake() -> TeacherJob? {
        condition.lock()
        defer { condition.unlock() }
        return closed ? nil : popLocked()
    }

    /// Hands a taken job's result to the run. Call exactly once per taken job.
    public func report(_ job: TeacherJob, _ result: Result<TeacherCompletion, TeacherFailure>) {
        reportLock.lock()
        onResult(job, result)
        reportLock.unlock()
        condition.lock()
        outstanding -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Stops handing out jobs (a fatal error or an interrupt); taken jobs may still report.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    public var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// Jobs pushed and not yet taken.
    public var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count - pendingStart
    }

    private func popLocked() -> TeacherJob? {
        guard pendingStart < pending.count else { return nil }
        let job = pending[pendingStart]
        pendingStart += 1
        outstanding += 1
        // Drop the taken prefix now and then so a long run does not keep every job.
        if pendingStart > 1024, pendingStart * 2 > pending.count {
            pending.removeFirst(pendingStart)
            pendingStart = 0
        }
        return job
    }
}
