#!/usr/bin/env bash
# Audits a generated 10,000-node lineage graph (one folder with a manifest.json per node) with the
# release build, RUNS times, and prints the median wall time. Goal: under one second.
# There is no peer tool that audits license lineage to compare against.
#
#   swift build -c release --product distillery
#   scripts/bench-audit.sh [NODES=10000] [RUNS=5]
set -euo pipefail
NODES=${1:-10000}
RUNS=${2:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${DISTILLERY_BIN:-"$ROOT/.build/release/distillery"}
[ -x "$BIN" ] || { echo "build first: swift build -c release --product distillery" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# A DAG: node i has base parent i+1 and, every other node, a dataset or teacher parent further
# down; licenses rotate through permissive, data and model licenses; the last node's base is
# meta-llama/Llama-3.1-8B from the knowledge base.
awk -v n="$NODES" -v dir="$WORK" 'BEGIN {
  split("apache-2.0 mit cc-by-4.0 apache-2.0 llama3.1", lic, " ")
  for (i = 0; i < n; i++) {
    d = dir "/n" i
    parents = ""
    if (i + 1 < n) parents = sprintf("{\"id\": \"n%d\", \"role\": \"base\", \"relation\": \"finetune\", \"license\": \"%s\", \"path\": \"../n%d\"}", i + 1, lic[(i + 1) % 5 + 1], i + 1)
    else parents = "{\"id\": \"meta-llama/Llama-3.1-8B\", \"role\": \"base\", \"relation\": \"finetune\"}"
    j = i + 2 + (i * 7919) % 97
    if (i % 2 == 0 && j < n) parents = parents sprintf(", {\"id\": \"n%d\", \"role\": \"%s\", \"relation\": \"distillation\", \"license\": \"%s\", \"path\": \"../n%d\"}", j, (i % 4 == 0 ? "dataset" : "teacher"), lic[j % 5 + 1], j)
    dirs[i] = d
    body[i] = sprintf("{\"schema_version\": 1, \"name\": \"n%d\", \"license\": \"%s\", \"kind\": \"model\", \"parents\": [%s], \"files\": [], \"declarations\": {}}\n", i, lic[i % 5 + 1], parents)
  }
  for (i = 0; i < n; i++) print dirs[i] > (dir "/dirs.txt")
  close(dir "/dirs.txt")
  system("xargs mkdir -p < " dir "/dirs.txt")
  for (i = 0; i < n; i++) { f = dirs[i] "/manifest.json"; printf "%s", body[i] > f; close(f) }
}'
echo "graph: $NODES nodes in $WORK"

# Wall time is what the goal is about; user+sys CPU time is reported too because the machine is
# shared and wall time moves with other people's load.
: > "$WORK/times"
for r in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %U %S" -o "$WORK/t" "$BIN" audit "$WORK/n0" --format json > "$WORK/report.json" || true  # fails on purpose
  tail -n 1 "$WORK/t" >> "$WORK/times"  # time prepends "Command exited with non-zero status 1"
done
sort -n "$WORK/times" > "$WORK/sorted"
mid=$(( (RUNS + 1) / 2 ))
echo "runs (wall s): $(cut -d' ' -f1 "$WORK/sorted" | tr '\n' ' ')"
echo "median wall: $(sed -n "${mid}p" "$WORK/sorted" | cut -d' ' -f1) s; median user+sys: $(awk '{print $2 + $3}' "$WORK/times" | sort -n | sed -n "${mid}p") s; $NODES nodes, $(grep -c '"rule"' "$WORK/report.json") findings; load average $(cut -d' ' -f1-3 /proc/loadavg)"
