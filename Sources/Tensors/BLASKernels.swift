#if canImport(Glibc)
import Glibc
#endif
import CBLAS
import Foundation

/// Which of OpenBLAS's kernels this process runs.
public enum BLASKernels {
    /// OpenBLAS 0.3.21 (Debian 12's) does not recognise this machine's Xeon and falls back to
    /// its Prescott (SSE3) kernels, about 4× slower at sgemm than its Haswell (AVX2/FMA) ones
    /// on the same CPU (measured). The library picks its kernels when it loads, before `main`,
    /// from `OPENBLAS_CORETYPE`; so when it chose Prescott on a CPU that has AVX2 and FMA, this
    /// restarts the process once with `OPENBLAS_CORETYPE=Haswell`. A user's own setting wins.
    public static func restartWithHaswellKernelsIfMisdetected() {
        #if os(Linux) && arch(x86_64)
        guard getenv("OPENBLAS_CORETYPE") == nil, let name = openblas_get_corename(),
              String(cString: name).lowercased() == "prescott", cpuHasAVX2AndFMA() else { return }
        setenv("OPENBLAS_CORETYPE", "Haswell", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returns only on failure; the process then simply runs with the slow kernels.
        #endif
    }

    /// The kernel set OpenBLAS chose ("Haswell", "Prescott", …).
    public static var coreName: String {
        openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }

    static func cpuHasAVX2AndFMA() -> Bool {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let set = Set(flags.split(separator: " "))
        return set.contains("avx2") && set.contains("fma")
    }
}
