#if canImport(Glibc)
import Glibc
#endif
import CBLAS
import Foundation

/// Which of OpenBLAS's kernels this process runs.
public enum BLASKernels {
    /// OpenBLAS 0.3.21 (Debian 12's) does not recognise this machine's Xeon and falls back to
    /// its Prescott (SSE3) kernels. On the same CPU its Haswell (AVX2) kernels trained about 4×
    /// faster and its SkylakeX (AVX-512) ones 1.5× faster again (measured). The library picks
    /// its kernels when it loads, before `main`, from `OPENBLAS_CORETYPE`; so when it chose
    /// Prescott on a CPU with AVX2 or AVX-512, this restarts the process once with the right
    /// core set. A user's own `OPENBLAS_CORETYPE` wins.
    public static func restartWithFasterKernelsIfMisdetected() {
        #if os(Linux) && arch(x86_64)
        guard getenv("OPENBLAS_CORETYPE") == nil, let name = openblas_get_corename(),
              String(cString: name).lowercased() == "prescott", let core = bestCore() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returns only on failure; the process then simply runs with the slow kernels.
        #endif
    }

    /// The kernel set OpenBLAS chose ("Haswell", "Prescott", …).
    public static var coreName: String {
        openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }

    /// The OpenBLAS core for this CPU's vector units, from the kernel's view of them.
    static func bestCore() -> String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(line.split(separator: " "))
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy({ flags.contains(Substring($0)) }) { return "SkylakeX" }
        if flags.contains("avx2"), flags.contains("fma") { return "Haswell" }
        return nil
    }
}
