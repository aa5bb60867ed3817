#!/usr/bin/env bash
# `distillery generate` with the local teacher beside the same job done by llama.cpp
# (scripts/bench/generate_peer.py): same GGUF, same prompts (scripts/bench/prompts.txt, 64
# lines, each rendered with the model's chat template), same threads, B sequences in flight
# with continuous batching, top-p 0.95, temperature 0.6, at most N completion tokens.
# Ours and the peer run alternately, one process per run (never concurrently: both spin
# their threads), RUNS runs each; the figures are medians. Prints Markdown table rows.
#   scripts/bench/generate.sh [B[,B...]] [N]          e.g. scripts/bench/generate.sh 1,8,32 128
# Environment: MODEL (GGUF path), THREADS (2), RUNS (3), VENV (/work/venv).
# DISTILLERY: the binary to measure (default .build/release/distillery).
# Needs a release build (swift build -c release) and scripts/bench/requirements.txt in $VENV.
set -euo pipefail
cd "$(dirname "$0")/../.."
home="${DISTILLERY_HOME:-$HOME/.cache/distillery}"
model="${MODEL:-$home/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf}"
batches="${1:-8}"
max_tokens="${2:-128}"
threads="${THREADS:-2}"
runs="${RUNS:-3}"
python="${VENV:-/work/venv}/bin/python"
distillery="${DISTILLERY:-.build/release/distillery}"
prompts=scripts/bench/prompts.txt
sampling=(--max-tokens "$max_tokens" --temperature 0.6 --top-p 0.95 --seed 0)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

results="$work/results.jsonl"
for b in ${batches//,/ }; do
  for r in $(seq 1 "$runs"); do
    # A fresh folder every run: generate resumes a folder it has written before.
    json=$("$distillery" generate --teacher "$model" --prompts "$prompts" --out "$work/ours-$b-$r" \
      --batch "$b" --threads "$threads" "${sampling[@]}" --json 2>"$work/ours.err") \
      || { cat "$work/ours.err" >&2; exit 1; }
    echo "{\"engine\": \"ours\", \"batch\": $b, \"result\": $json}" >>"$results"
    echo "B=$b run $r ours: $json" >&2
    json=$("$python" scripts/bench/generate_peer.py --model "$model" --prompts "$prompts" --batch "$b" \
      --threads "$threads" "${sampling[@]}" --json 2>"$work/peer.err") \
      || { cat "$work/peer.err" >&2; exit 1; }
    echo "{\"engine\": \"peer\", \"batch\": $b, \"result\": $json}" >>"$results"
    echo "B=$b run $r llama.cpp: $(cat "$work/peer.err")" >&2
    rm -rf "$work/ours-$b-$r"
  done
done

"$python" - "$results" "$max_tokens" "$threads" <<'PY'
import collections, json, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs[(r["batch"], r["engine"])].append(r["result"])
print(f"max tokens {sys.argv[2]}, {sys.argv[3]} threads; medians of {len(next(iter(runs.values())))} runs each\n")
print("| sequences in flight | Distillery tok/s | llama.cpp tok/s | ratio | Distillery s/prompt | llama.cpp s/prompt | completion tokens (ours / llama.cpp) | prompt tokens (ours / llama.cpp) |")
print("|---|---|---|---|---|---|---|---|")
for b in sorted({b for b, _ in runs}):
    ours, peer = runs[(b, "ours")], runs[(b, "peer")]
    tok = lambda rs: statistics.median(x["completion_tokens"] / x["seconds"] for x in rs)
    spp = lambda rs: statistics.median(x["seconds"] / x["prompts"] for x in rs)
    a, p = tok(ours), tok(peer)
    # Both engines sample with a fixed seed, so every run of one engine writes the same
    # tokens; the counts differ between engines (different random streams).
    print(f"| {b} | {a:.1f} | {p:.1f} | {a / p:.2f}× | {spp(ours):.3f} | {spp(peer):.3f} "
          f"| {statistics.median(x['completion_tokens'] for x in ours):.0f} / {statistics.median(x['completion_tokens'] for x in peer):.0f} "
          f"| {ours[0]['prompt_tokens']} / {peer[0]['prompt_tokens']} |")
    if ours[0]["prompt_tokens"] != peer[0]["prompt_tokens"]:
        print(f"\nWARNING: prompt tokens differ at B={b}: the two engines do not see the same prompts", file=sys.stderr)
print(f"\nllama-cpp-python {peer[0].get('llama_cpp_version', '?')}")
PY
