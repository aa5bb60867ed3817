#!/usr/bin/env bash
# Requests/s of Distillery's HTTP teacher (`distillery generate --teacher http://…/v1`)
# against `distillery serve`, beside a Python client (scripts/bench/http_peer.py: asyncio +
# httpx) sending the same requests to the same server in the same run: the 64 prompts of
# scripts/bench/prompts.txt, C in flight, max_tokens M, temperature 0, streamed.
# The server is started once (after one warm-up request) and shared; ours and the peer run
# alternately, RUNS runs each, medians. What is measured is client + server: on 2 cores the
# client's CPU time is taken from the server's engine, so a heavier client shows as fewer
# requests/s. Prints a Markdown table row.
#   scripts/bench/http_teacher.sh [C] [M]               e.g. scripts/bench/http_teacher.sh 8 16
# Environment: MODEL (GGUF path), THREADS (server threads, 2), SLOTS (server slots, 8),
# RUNS (3), VENV (/work/venv, needs httpx).
# DISTILLERY: the binary to measure (default .build/release/distillery).
set -euo pipefail
cd "$(dirname "$0")/../.."
home="${DISTILLERY_HOME:-$HOME/.cache/distillery}"
model="${MODEL:-$home/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf}"
concurrency="${1:-8}"
max_tokens="${2:-16}"
threads="${THREADS:-2}"
slots="${SLOTS:-8}"
runs="${RUNS:-3}"
python="${VENV:-/work/venv}/bin/python"
distillery="${DISTILLERY:-.build/release/distillery}"
prompts=scripts/bench/prompts.txt
name=bench
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$distillery" serve "$model" --port 0 --threads "$threads" --slots "$slots" --model-name "$name" \
  2>"$work/serve.err" &
server=$!
base=
for _ in $(seq 1 600); do
  base=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/serve.err" | head -1)
  [ -n "$base" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "serve did not print 'listening on' within 60 s" >&2; cat "$work/serve.err" >&2; exit 1; }
base="$base/v1"
echo "server at $base (pid $server)" >&2
# Warm-up: the first request pages the weights in; neither client should pay for it.
curl -sf "$base/chat/completions" -H 'Content-Type: application/json' \
  -d "{\"model\": \"$name\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": $max_tokens}" >/dev/null

results="$work/results.jsonl"
for r in $(seq 1 "$runs"); do
  json=$("$distillery" generate --teacher "$base" --teacher-model "$name" --prompts "$prompts" \
    --out "$work/ours-$r" --concurrency "$concurrency" --max-tokens "$max_tokens" --temperature 0 --top-p 1 \
    --json 2>"$work/ours.err") || { cat "$work/ours.err" >&2; exit 1; }
  echo "{\"engine\": \"ours\", \"result\": $json}" >>"$results"
  echo "run $r ours: $json" >&2
  json=$("$python" scripts/bench/http_peer.py --base-url "$base" --model "$name" --prompts "$prompts" \
    --concurrency "$concurrency" --max-tokens "$max_tokens" --temperature 0 --top-p 1 --json)
  echo "{\"engine\": \"peer\", \"result\": $json}" >>"$results"
  echo "run $r httpx: $json" >&2
  rm -rf "$work/ours-$r"
done

"$python" - "$results" "$concurrency" "$max_tokens" "$slots" "$threads" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
ours = [r["result"] for r in rows if r["engine"] == "ours"]
peer = [r["result"] for r in rows if r["engine"] == "peer"]
for o in ours:
    if o["failures"] or o["traces_written"] != o["prompts"]:
        sys.exit(f"our run did not answer every prompt: {o}")
a = statistics.median(o["traces_written"] / o["seconds"] for o in ours)
p = statistics.median(x["replies"] / x["seconds"] for x in peer)
c, m, slots, threads = sys.argv[2:6]
print(f"concurrency {c}, max_tokens {m}, temperature 0, streamed; server: {slots} slots, {threads} threads; "
      f"medians of {len(ours)} runs each\n")
print("| concurrency | Distillery HTTP teacher req/s | httpx client req/s | ratio | completion tokens (ours / httpx) | prompt tokens (ours / httpx) |")
print("|---|---|---|---|---|---|")
print(f"| {c} | {a:.2f} | {p:.2f} | {a / p:.2f}× | {ours[0]['completion_tokens']} / {peer[0]['completion_tokens']} "
      f"| {ours[0]['prompt_tokens']} / {peer[0]['prompt_tokens']} |")
print(f"\nhttpx {peer[0]['httpx_version']}")
PY
