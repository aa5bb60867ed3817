#!/usr/bin/env bash
# Inference speed of Distillery beside llama.cpp, same GGUF, same threads, one after the
# other on an idle machine (never concurrently: both spin their threads). Prints a
# Markdown table for BENCHMARKS.md.
#   scripts/bench/inference.sh [MODEL.gguf] [THREADS]
# Needs a release build (swift build -c release) and a venv with
# scripts/bench/requirements.txt at $VENV (default /work/venv).
set -euo pipefail
cd "$(dirname "$0")/../.."
home="${DISTILLERY_HOME:-$HOME/.cache/distillery}"
model="${1:-$home/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf}"
threads="${2:-2}"
python="${VENV:-/work/venv}/bin/python"
args=(--threads "$threads" --prompt-tokens 512 --gen-tokens 128 --batch 1,8,32 --runs 5)

ours=$(.build/release/distillery bench "$model" "${args[@]}" --json)
peer=$("$python" scripts/bench/llama_cpp_peer.py --model "$model" "${args[@]}" --json 2>/dev/null)

"$python" - "$ours" "$peer" <<'PY'
import json, sys
ours, peer = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rows = [("prompt processing, 512 tokens", ours["pp_tok_s"], peer["pp_tok_s"])]
for b in ("1", "8", "32"):
    rows.append((f"decode, {b} sequence{'s' if b != '1' else ''} in flight (aggregate)", ours["tg_tok_s"][b], peer["tg_tok_s"][b]))
print("| figure | Distillery tok/s | llama.cpp tok/s | ratio |")
print("|---|---|---|---|")
for name, a, b in rows:
    print(f"| {name} | {a:.1f} | {b:.1f} | {a / b:.2f}× |")
print(f"| peak memory (RSS) | {ours['peak_rss_mb']:.0f} MB | {peer['peak_rss_mb']:.0f} MB | {ours['peak_rss_mb'] / peer['peak_rss_mb']:.2f}× |")
single = peer["tg_tok_s"]["1"]
print(f"\nAggregate decode against llama.cpp's single stream: 8 sequences {ours['tg_tok_s']['8'] / single:.2f}×, 32 sequences {ours['tg_tok_s']['32'] / single:.2f}× (goal 3×).")
print(f"llama-cpp-python {peer.get('llama_cpp_version', '?')}")
PY
