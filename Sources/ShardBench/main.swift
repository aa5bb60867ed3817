import Foundation
import Traces

// Shard-writing throughput (BENCHMARKS.md): writes a fixed generated corpus of trace records
// with MDSShardWriter and prints the raw shard bytes per second, the figure
// scripts/bench/shards.sh compares with the zstd command-line tool on the same raw bytes.
// A separate small executable, not a `distillery` subcommand, so a release build of it
// compiles only the Traces module and not the engine.
//
//   ShardBench OUT [--records N] [--level L] [--runs R] [--size-limit BYTES] [--topk K]
// Writes OUT/run-I (one dataset per run) and prints one JSON line per run.

func option(_ name: String, _ fallback: Int) -> Int {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
    return v
}

/// User plus system CPU time of this process, all threads: on a shared machine it moves less
/// than wall time, and it counts the hashing thread too.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return s(usage.ru_utime) + s(usage.ru_stime)
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, !arguments[1].hasPrefix("-") else {
    FileHandle.standardError.write(Data("usage: ShardBench OUT [--records N] [--level L] [--runs R] [--size-limit BYTES] [--topk K]\n".utf8))
    exit(64)
}
let out = URL(fileURLWithPath: arguments[1])
let records = option("--records", 2000), level = option("--level", 3), runs = option("--runs", 5)
let sizeLimit = option("--size-limit", 1 << 26), topK = option("--topk", 0)

// The samples are built before the clock starts: the benchmark is the writer, not the corpus.
var corpus = TraceCorpus(seed: 42)
let samples = try (0..<records).map { try corpus.record($0, topK: topK).mdsSample }

for run in 0..<runs {
    let dir = out.appendingPathComponent("run-\(run)")
    try? FileManager.default.removeItem(at: dir)
    let cpuStart = cpuSeconds()
    let start = DispatchTime.now().uptimeNanoseconds
    let writer = try MDSShardWriter(directory: dir, columns: TraceRecord.columns, sizeLimit: sizeLimit, compressionLevel: level)
    for sample in samples { try writer.write(sample) }
    let written = DispatchTime.now().uptimeNanoseconds
    let index = try writer.finish()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let cpu = cpuSeconds() - cpuStart
    let raw = index.shards.reduce(0) { $0 + $1.rawData.bytes }
    let zip = index.shards.reduce(0) { $0 + ($1.zipData?.bytes ?? $1.rawData.bytes) }
    print(#"{"run":\#(run),"records":\#(records),"shards":\#(index.shards.count),"raw_bytes":\#(raw),"stored_bytes":\#(zip),"seconds":\#(String(format: "%.4f", seconds)),"write_s":\#(String(format: "%.4f", Double(written - start) / 1e9)),"mb_s":\#(String(format: "%.1f", Double(raw) / seconds / 1e6)),"cpu_s":\#(String(format: "%.4f", cpu)),"mb_per_cpu_s":\#(String(format: "%.1f", Double(raw) / cpu / 1e6))}"#)
}
