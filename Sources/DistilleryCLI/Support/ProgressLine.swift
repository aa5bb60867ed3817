import Foundation
import Teachers
#if canImport(Glibc)
import Glibc
#endif

/// The one-line progress display of a long run, redrawn in place on a terminal and left
/// out when stderr is a file or a pipe (logs get the closing summary only).
final class ProgressLine {
    private let enabled = isatty(STDERR_FILENO) != 0
    private var lastDraw = 0.0

    func show(_ p: GenerateProgress) {
        guard enabled, p.seconds - lastDraw >= 0.25 || p.samplesSettled == p.samplesTotal else { return }
        lastDraw = p.seconds
        var line = String(format: "\r%d/%d samples, %d traces kept, %.1f tok/s", p.samplesSettled, p.samplesTotal,
                          p.tracesKept, p.tokensPerSecond)
        if let eta = p.estimatedSecondsLeft { line += ", ETA " + Self.duration(eta) }
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
