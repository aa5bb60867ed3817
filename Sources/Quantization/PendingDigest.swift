import Foundation

/// A source's SHA-256, computed on a thread of its own while the quantiser works, so hashing
/// a multi-gigabyte source adds little to the wall time (`general.source.sha256` is written
/// into the header last, through `GGUFWriter`'s late values).
final class PendingDigest: @unchecked Sendable {
    /// Lower-case hex of a SHA-256: what `value()` returns, and the placeholder's length.
    static let hexLength = 64
    static let placeholder = String(repeating: "0", count: hexLength)

    private let finished = DispatchSemaphore(value: 0)
    // Written once by the hashing thread before `finished` is signalled; read only after.
    private var result: Result<String, any Error> = .success(placeholder)

    init(_ compute: @escaping @Sendable () throws -> String) {
        let thread = Thread { [self] in
            result = Result { try compute() }
            finished.signal()
        }
        thread.name = "distillery.source-digest"
        thread.start()
    }

    /// Waits for the hash; every later call returns at once.
    func value() throws -> String {
        finished.wait()
        finished.signal()
        return try result.get()
    }
}
