#!/usr/bin/env bash
# Shard-writing speed beside the zstd command-line tool (BENCHMARKS.md). Our figure is the
# whole MDSShardWriter path: encode records, hash, compress, write shards and index.json.
# The peer compresses the very same raw shard bytes (ours, decompressed back to .mds files)
# with `zstd -T1 -LEVEL` (one thread, as MDSShardWriter's one-shot frame is), reading and
# writing files. Runs alternate, ours then zstd, so machine noise falls on both.
#   scripts/bench/shards.sh [RECORDS] [LEVEL] [RUNS] [SIZE_LIMIT]
# SIZE_LIMIT (default 64 MiB, MDSWriter's) smaller than the data gives several shards per run:
# a long run's writer reuses its buffer from shard to shard, a one-shard run never does.
# Builds .build/release/ShardBench if missing. Needs the zstd CLI (apt install zstd) and GNU time.
set -euo pipefail
cd "$(dirname "$0")/../.."
records="${1:-2000}"; level="${2:-3}"; runs="${3:-7}"; limit="${4:-67108864}"
bench="${BENCH:-.build/release/ShardBench}"   # BENCH=other/ShardBench compares another build
[ -x "$bench" ] || swift build -c release --product ShardBench >&2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

"$bench" "$work/ours" --records "$records" --level "$level" --runs 1 --size-limit "$limit" > /dev/null
mkdir -p "$work/raw"
for f in "$work"/ours/run-0/shard.*.mds.zstd; do zstd -q -d -f "$f" -o "$work/raw/$(basename "${f%.zstd}")"; done
raw_bytes=$(cat "$work"/raw/*.mds | wc -c)

# Wall-clock MB/s is the figure; MB per CPU-second (user + system, every thread) is beside it
# because on a shared machine wall time mostly measures the neighbours.
: > "$work/ours.txt"; : > "$work/zstd.txt"; : > "$work/ours_cpu.txt"; : > "$work/zstd_cpu.txt"
for _ in $(seq "$runs"); do
    line=$("$bench" "$work/ours" --records "$records" --level "$level" --runs 1 --size-limit "$limit")
    sed -E 's/.*"mb_s":([0-9.]+).*/\1/' <<< "$line" >> "$work/ours.txt"
    sed -E 's/.*"mb_per_cpu_s":([0-9.]+).*/\1/' <<< "$line" >> "$work/ours_cpu.txt"
    start=$EPOCHREALTIME
    /usr/bin/time -f "%U %S" -o "$work/time.txt" zstd -q -f -T1 "-$level" "$work"/raw/*.mds
    end=$EPOCHREALTIME
    awk -v b="$raw_bytes" -v s="$start" -v e="$end" 'BEGIN {printf "%.1f\n", b / (e - s) / 1e6}' >> "$work/zstd.txt"
    awk -v b="$raw_bytes" '{printf "%.1f\n", b / ($1 + $2) / 1e6}' "$work/time.txt" >> "$work/zstd_cpu.txt"
done
ours=$(median < "$work/ours.txt"); peer=$(median < "$work/zstd.txt")
ours_cpu=$(median < "$work/ours_cpu.txt"); peer_cpu=$(median < "$work/zstd_cpu.txt")
ours_stored=$(cat "$work"/ours/run-0/*.zstd | wc -c); peer_stored=$(cat "$work"/raw/*.zst | wc -c)

echo "$records trace records, $raw_bytes raw shard bytes in $(ls "$work"/raw/*.mds | wc -l) shards, zstd level $level, median of $runs runs"
echo "ours (MB/s):  $(tr '\n' ' ' < "$work/ours.txt")"
echo "zstd (MB/s):  $(tr '\n' ' ' < "$work/zstd.txt")"
echo "ours (MB/CPU-s): $(tr '\n' ' ' < "$work/ours_cpu.txt")"
echo "zstd (MB/CPU-s): $(tr '\n' ' ' < "$work/zstd_cpu.txt")"
echo "| figure | MDSShardWriter | zstd -T1 -$level | ratio |"
echo "|---|---|---|---|"
awk -v a="$ours" -v b="$peer" 'BEGIN {printf "| raw shard bytes written, MB/s | %.1f | %.1f | %.2f× |\n", a, b, a / b}'
awk -v a="$ours_cpu" -v b="$peer_cpu" 'BEGIN {printf "| raw shard bytes per CPU-second, MB | %.1f | %.1f | %.2f× |\n", a, b, a / b}'
awk -v a="$ours_stored" -v b="$peer_stored" 'BEGIN {printf "| stored bytes | %d | %d | %.4f× |\n", a, b, a / b}'
