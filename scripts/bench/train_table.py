#!/usr/bin/env python3
"""The BENCHMARKS.md training table from scripts/bench/train.sh's two outputs.

    python scripts/bench/train_table.py OURS.jsonl PEER.json

OURS.jsonl: `distillery bench-train --json` lines; PEER.json: train_peer.py's lines (an
sgemm record and one record per model × mode). Ratios are ours over PyTorch's, measured in
the same run: tokens/s above 1 means faster, memory below 1 means smaller.
"""
import json
import sys

ours = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line:
        record = json.loads(line)
        ours[record["shape"]] = record
peak = None
peer = {}
for line in open(sys.argv[2]):
    line = line.strip()
    if not line:
        continue
    record = json.loads(line)
    if record.get("kind") == "sgemm":
        peak = record["gflops"]
    elif record.get("kind") == "train":
        peer[(record["model"], record["mode"])] = record

print(f"sgemm peak (torch.mm 2048³, 2 threads): {peak:.0f} GFLOP/s\n" if peak else "")
print("| model | Distillery tok/s | PyTorch eager tok/s | torch.compile tok/s | vs eager | vs compile "
      "| Distillery % of peak | eager % of peak | Distillery peak RSS | PyTorch eager peak RSS | memory ratio |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for shape in ["tiny", "student10", "smollm2"]:
    mine = ours.get(shape)
    eager = peer.get((shape, "eager"), {})
    compiled = peer.get((shape, "compile"), {})
    if not mine:
        continue
    def tps(r):
        return r.get("tokens_per_s")
    def ratio(a, b):
        return f"{a / b:.2f}×" if a and b else "—"
    def pct(g):
        return f"{100 * g / peak:.0f}%" if g and peak else "—"
    print(f"| {shape} | {mine['tokens_per_s']:.0f} | {tps(eager) or 0:.0f} | "
          f"{(tps(compiled) or 0):.0f}{' (' + compiled['error'][:40] + ')' if compiled.get('error') else ''} | "
          f"{ratio(mine['tokens_per_s'], tps(eager))} | {ratio(mine['tokens_per_s'], tps(compiled))} | "
          f"{pct(mine.get('gflops_per_s'))} | {pct(eager.get('gflops'))} | {mine['peak_rss_mb'] / 1024:.2f} GiB | "
          f"{eager.get('peak_rss_mb', 0) / 1024:.2f} GiB | {ratio(mine['peak_rss_mb'], eager.get('peak_rss_mb'))} |")
