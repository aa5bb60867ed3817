#!/usr/bin/env python3
"""The quantisation table of BENCHMARKS.md: every type `distillery quantize` writes for
SmolLM2-135M, beside llama.cpp's quantizer on the same F32 source, on one idle machine.

For each type: quantise time (ours: the in-process time `distillery quantize --json`
reports; llama.cpp: `llama_model_quantize` through llama-cpp-python, nthread = THREADS,
timed around the call), file size and bits per weight (tensor bytes × 8 / elements, as
llama.cpp reports BPW), decode tok/s of one sequence (`distillery bench` and
llama_cpp_peer.py, 64 tokens after a 64-token prompt), and the quality figures of
`distillery eval` against the F32 source on held-out traces for both files. Where every
tensor of the two files is identical (the types whose bytes we match), quality is measured once
and both engines' decode speed is timed on our file.

    scripts/bench/quantize_table.py --traces DIR --calibration-traces DIR [--work /tmp/qbench] [--threads 2] [--runs 3]

Needs a release build (swift build -c release) and /work/venv (scripts/bench/requirements.txt).
Runs everything one after another: never beside another CPU-bound job.
"""
from __future__ import annotations

import argparse
import ctypes
import hashlib
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

import llama_cpp
from gguf import GGUFReader

ROOT = pathlib.Path(__file__).resolve().parents[2]
DISTILLERY = ROOT / ".build/release/distillery"
PYTHON = sys.executable

# Types SmolLM2 (576 wide) can take: the pure K types need rows of 256 and refuse it.
TYPES = {"F16": 1, "BF16": 32, "Q8_0": 7, "Q5_1": 9, "Q5_0": 8, "Q4_1": 3, "Q4_0": 2, "Q5_K_M": 17, "Q4_K_M": 15}


def run(args: list[str]) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def ours_quantize(source: pathlib.Path, type_: str, out: pathlib.Path, runs: int, extra: list[str]) -> float:
    seconds = []
    for _ in range(runs):
        summary = json.loads(run([str(DISTILLERY), "quantize", str(source), "--type", type_, "--out", str(out), "--json", *extra]))
        seconds.append(summary["seconds"])
    return statistics.median(seconds)


def llama_quantize(source: pathlib.Path, ftype: int, out: pathlib.Path, runs: int, threads: int) -> float:
    seconds = []
    for _ in range(runs):
        params = llama_cpp.llama_model_quantize_default_params()
        params.ftype = ftype
        params.nthread = threads
        start = time.perf_counter()
        rc = llama_cpp.llama_model_quantize(str(source).encode(), str(out).encode(), ctypes.byref(params))
        seconds.append(time.perf_counter() - start)
        if rc != 0:
            raise SystemExit(f"llama_model_quantize failed for ftype {ftype}: {rc}")
    return statistics.median(seconds)


def sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tensor_bytes_equal(a: pathlib.Path, b: pathlib.Path) -> bool:
    """Every tensor's type and bytes equal (metadata differs: ours adds provenance keys)."""
    ra, rb = GGUFReader(str(a)), GGUFReader(str(b))
    ta = {t.name: (t.tensor_type, t.data.tobytes()) for t in ra.tensors}
    tb = {t.name: (t.tensor_type, t.data.tobytes()) for t in rb.tensors}
    return ta == tb


def bits_per_weight(path: pathlib.Path) -> float:
    reader = GGUFReader(str(path))
    total_bytes = sum(int(t.n_bytes) for t in reader.tensors)
    total_elements = sum(int(t.n_elements) for t in reader.tensors)
    return total_bytes * 8 / total_elements


def decode_speed(path: pathlib.Path, threads: int, runs: int) -> tuple[float, float]:
    args = ["--threads", str(threads), "--prompt-tokens", "64", "--gen-tokens", "64", "--batch", "1", "--runs", str(runs)]
    ours = json.loads(run([str(DISTILLERY), "bench", str(path), *args, "--json"]))
    peer = json.loads(run([PYTHON, str(ROOT / "scripts/bench/llama_cpp_peer.py"), "--model", str(path), *args, "--json"]))
    return ours["tg_tok_s"]["1"], peer["tg_tok_s"]["1"]


def quality(path: pathlib.Path, reference: pathlib.Path, traces: str, max_sequences: int) -> dict:
    return json.loads(run([str(DISTILLERY), "eval", str(path), "--reference", str(reference), "--traces", traces,
                           "--max-sequences", str(max_sequences), "--json"]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--traces", required=True, help="held-out trace shards to measure quality on")
    ap.add_argument("--calibration-traces", required=True, help="other trace shards to calibrate on")
    ap.add_argument("--work", default="/tmp/qbench")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--max-sequences", type=int, default=12)
    ap.add_argument("--types", default=",".join(TYPES))
    args = ap.parse_args()
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    source = work / "smollm2-f32.gguf"
    if not source.exists():
        run([str(DISTILLERY), "quantize", "smollm2-135m-instruct", "--type", "F32", "--out", str(source)])

    rows = []
    for type_ in args.types.split(","):
        ours, peer = work / f"ours-{type_}.gguf", work / f"llama-{type_}.gguf"
        row = {"type": type_,
               "ours_s": ours_quantize(source, type_, ours, args.runs, []),
               "llama_s": llama_quantize(source, TYPES[type_], peer, args.runs, args.threads)}
        row["bytes"], row["bpw"] = ours.stat().st_size, bits_per_weight(ours)
        row["llama_bytes"], row["llama_bpw"] = peer.stat().st_size, bits_per_weight(peer)
        # Identical tensors mean identical quality: measure once, and time both engines on one file.
        row["identical_tensors"] = tensor_bytes_equal(ours, peer)
        if row["identical_tensors"]:
            row["ours_tok_s"], row["llama_tok_s"] = decode_speed(ours, args.threads, args.runs)
        else:
            row["ours_tok_s"], _ = decode_speed(ours, args.threads, args.runs)
            _, row["llama_tok_s"] = decode_speed(peer, args.threads, args.runs)
        row["ours_quality"] = quality(ours, source, args.traces, args.max_sequences)
        row["llama_quality"] = row["ours_quality"] if row["identical_tensors"] else quality(peer, source, args.traces, args.max_sequences)
        print(json.dumps(row), file=sys.stderr, flush=True)
        rows.append(row)

    # Calibration: the same mix with importance statistics from the traces.
    calibrated = work / "ours-Q4_K_M-calibrated.gguf"
    calibrated_s = ours_quantize(source, "Q4_K_M", calibrated, 1, ["--calibrate", args.calibration_traces])
    calibrated_quality = quality(calibrated, source, args.traces, args.max_sequences)

    print("| type | size MB | bits/weight | tensors equal to llama.cpp's | quantise s (ours / llama.cpp) | speed ratio "
          "| decode tok/s (ours / llama.cpp) | ratio | PPL (ours / llama.cpp file) | mean KL | p99 KL | top-1 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        q, p = r["ours_quality"], r["llama_quality"]
        same = "all" if r["identical_tensors"] else "no"
        print(f"| {r['type']} | {r['bytes'] / 1e6:.1f} | {r['bpw']:.2f} | {same} | {r['ours_s']:.2f} / {r['llama_s']:.2f} "
              f"| {r['llama_s'] / r['ours_s']:.2f}× | {r['ours_tok_s']:.1f} / {r['llama_tok_s']:.1f} "
              f"| {r['ours_tok_s'] / r['llama_tok_s']:.2f}× | {q['model']['perplexity']:.3f} / {p['model']['perplexity']:.3f} "
              f"| {q['kl_divergence']['mean']:.4f} / {p['kl_divergence']['mean']:.4f} | {q['kl_divergence']['p99']:.4f} / {p['kl_divergence']['p99']:.4f} "
              f"| {q['top1_agreement']:.3f} / {p['top1_agreement']:.3f} |")
    c = calibrated_quality
    print(f"\nQ4_K_M with --calibrate {args.calibration_traces}: quantise {calibrated_s:.2f} s, PPL {c['model']['perplexity']:.3f}, "
          f"mean KL {c['kl_divergence']['mean']:.4f}, p99 KL {c['kl_divergence']['p99']:.4f}, top-1 {c['top1_agreement']:.3f}")
    print(f"F32 reference perplexity {rows[0]['ours_quality']['reference']['perplexity']:.3f}; "
          f"llama-cpp-python {llama_cpp.__version__}; threads {args.threads}; medians of {args.runs}; "
          f"load average at the end {os.getloadavg()[0]:.2f}")
    (work / "table.json").write_text(json.dumps({"rows": rows, "calibrated": c}, indent=1))


if __name__ == "__main__":
    main()
