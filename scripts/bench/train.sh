#!/usr/bin/env bash
# Training throughput and peak memory against PyTorch on the same machine, in the same run:
# the three shapes of issue 5 at batch 4 × 512, fp32, 2 threads. Run on an idle machine.
#   bash scripts/bench/train.sh [steps]        (needs /work/venv or VENV with torch, transformers)
# Prints one JSON line per measurement, then the table BENCHMARKS.md shows.
set -euo pipefail
cd "$(dirname "$0")/../.."
steps=${1:-5}
venv=${VENV:-/work/venv}
out=$(mktemp -d)
[ -x .build/release/distillery ] || swift build -c release --product distillery >&2
for shape in tiny student10 smollm2; do
  .build/release/distillery bench-train --shape "$shape" --batch 4 --seq-len 512 --steps "$steps" --threads 2 --json \
    | tee -a "$out/ours.jsonl"
done
"$venv/bin/python" scripts/bench/train_peer.py --models tiny,student10,smollm2 --modes eager,compile --steps "$steps" \
  --batch 4 --seq 512 --threads 2 --sgemm-peak --json "$out/peer.json"
"$venv/bin/python" scripts/bench/train_table.py "$out/ours.jsonl" "$out/peer.json"
