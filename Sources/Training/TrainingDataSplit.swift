import Crypto
import Foundation

/// Which traces are held out for evaluation: a fraction chosen by trace id, or a separate
/// trace folder (all of the training folder is then trained on).
public enum HeldOutTraces: Sendable, Equatable {
    case fraction(Double)
    case directory(URL)

    public static let defaultFraction = HeldOutTraces.fraction(0.05)
}

/// The held-out split by trace id: a trace is held out when the first eight bytes of
/// sha256(id), big-endian, mod 1000 fall below `fraction · 1000`. It depends on the id
/// alone, so the split does not move when traces are added, reordered or resharded, and a
/// resumed or re-run generate keeps every trace on its side (ids are stable, `TraceID`).
/// Python: `int.from_bytes(hashlib.sha256(id.encode()).digest()[:8], "big") % 1000`.
public enum TrainingDataSplit {
    /// The trace's bucket in 0..<1000.
    public static func bucket(of id: String) -> Int {
        let digest = Array(SHA256.hash(data: Data(id.utf8)))
        let word = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(word % 1000)
    }

    /// Indices into `ids` held out for evaluation, ascending. With two traces or more at
    /// least one is held out (the lowest bucket, then the lowest index), so a tiny dataset
    /// still has an eval loss to report.
    public static func heldOut(ids: [String], fraction: Double) -> [Int] {
        let buckets = ids.map(bucket(of:))
        let cut = Int((fraction * 1000).rounded())
        let chosen = buckets.indices.filter { buckets[$0] < cut }
        if chosen.isEmpty, ids.count >= 2, fraction > 0, let lowest = buckets.indices.min(by: { buckets[$0] < buckets[$1] }) {
            return [lowest]
        }
        return chosen
    }
}
