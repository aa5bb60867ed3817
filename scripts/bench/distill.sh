#!/usr/bin/env bash
# The built-in default of `distillery distill`, end to end, RUNS times in fresh folders, and
# beside it its teacher's job done by llama.cpp (scripts/bench/generate_peer.py: the same
# GGUF and 320 prompts, 16 in flight, 96 tokens, temperature 0.7, top-p 0.95, 2 threads; the
# peer keeps no logprobs, our teacher keeps the top 8). Runs alternate, never concurrently.
# Run on an idle machine:
#   bash scripts/bench/distill.sh                 RUNS (2), VENV (/work/venv), DISTILLERY (.build/release/distillery)
# Prints one line per run, then the medians.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
runs="${RUNS:-2}"
python="${VENV:-/work/venv}/bin/python"
distillery="$root/${DISTILLERY:-.build/release/distillery}"
model="${DISTILLERY_HOME:-$HOME/.cache/distillery}/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -c "import json,sys
for line in open('examples/prompts.jsonl'): print(json.loads(line)['prompt'])" > "$work/prompts.txt"

for r in $(seq 1 "$runs"); do
  mkdir -p "$work/run$r"
  start=$(date +%s.%N)
  (cd "$work/run$r" && "$distillery" distill --json > summary.json 2> stderr.txt)
  end=$(date +%s.%N)
  "$python" - "$work/run$r/summary.json" "$start" "$end" <<'PY' | tee -a "$work/ours.jsonl"
import json, sys
s = json.load(open(sys.argv[1]))
stages = {x["name"]: round(x["seconds"], 1) for x in s["stages"]}
print(json.dumps({"wall_s": round(float(sys.argv[3]) - float(sys.argv[2]), 1), "stages": stages,
                  "teacher_tok_s": round(s["generate"]["teacherTokensPerSecond"], 1),
                  "completion_tokens": s["generate"]["completionTokens"],
                  "kl_before": s["train"]["before"]["kl"], "kl_after": s["train"]["after"]["kl"]}))
PY
  "$python" scripts/bench/generate_peer.py --model "$model" --prompts "$work/prompts.txt" --batch 16 --max-tokens 96 \
    --temperature 0.7 --top-p 0.95 --seed 0 --threads 2 --json 2>/dev/null | tee -a "$work/peer.jsonl"
done

"$python" - "$work/ours.jsonl" "$work/peer.jsonl" <<'PY'
import json, statistics, sys
ours = [json.loads(l) for l in open(sys.argv[1])]
peer = [json.loads(l) for l in open(sys.argv[2])]
med = statistics.median
print(f"distill wall (median of {len(ours)}): {med(o['wall_s'] for o in ours):.0f} s; stages "
      + ", ".join(f"{k} {med(o['stages'][k] for o in ours):.0f} s" for k in ours[0]["stages"]))
t, p = med(o["teacher_tok_s"] for o in ours), med(x["tok_s"] for x in peer)
print(f"teacher stage {t:.1f} tok/s (top-8 logprobs kept) vs llama.cpp {p:.1f} tok/s on the same job: {t / p:.2f}x")
PY
