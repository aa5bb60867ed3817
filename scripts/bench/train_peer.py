#!/usr/bin/env python3
"""Peer benchmark: the Swift CPU trainer's step done by PyTorch.

Usage (the project venv):

    /work/venv/bin/python scripts/bench/train_peer.py
        [--models tiny,student10,smollm2] [--modes eager,compile] [--steps 5]
        [--warmup 2] [--batch 4] [--seq 512] [--threads 2] [--adamw fused]
        [--json out.json] [--sgemm-peak]

    --sgemm-peak alone            measures torch.mm 2048×2048×2048 fp32 GFLOP/s only
    --sgemm-peak --models ...     measures it first, then adds a fraction-of-peak column

One training step, fp32 on CPU, as Distillery's trainer does it: forward over a
`batch × seq` block of random tokens, the full-sequence causal-LM loss (transformers'
`labels=input_ids`: shifted cross-entropy, mean over batch·(seq−1) positions), backward,
AdamW (lr 1e-4) step, zero_grad(set_to_none=True). Timed from before the forward to
after zero_grad; the same token block every step.

Models (random init; LlamaForCausalLM, tied head, vocab 49152, rms eps 1e-5, rope theta
100000, head_dim 64, all SmolLM2-135M's choices):
    tiny       4 layers, hidden 256, 4 heads, 2 KV heads, intermediate 768
    student10  SmolLM2-135M's shape (hidden 576, intermediate 1536, 9 heads, 3 KV heads)
               with 10 layers
    smollm2    the same with 30 layers (SmolLM2-135M itself)

Choices that make this PyTorch's best CPU path, so the comparison flatters the peer:
    * attn_implementation="sdpa" (torch.nn.functional.scaled_dot_product_attention, which
      on CPU dispatches to its fused flash-attention kernel for causal fp32);
    * AdamW fused=True (torch's single-kernel CPU AdamW, torch ≥ 2.4); `--adamw foreach`
      or `--adamw loop` for the others;
    * mode `compile`: torch.compile(model) in its default mode (inductor; the optimizer
      step stays eager). Only steps after the warm-up are timed, so compilation is
      excluded; its time is reported apart (`first_step_s`). A failure is reported as
      the record's `error` and the run goes on.
    * torch.set_num_threads(--threads), interop threads 1, OMP_NUM_THREADS likewise.

Each model × mode runs in a fresh subprocess, so `peak_rss_mb` (getrusage ru_maxrss) is
that run's own peak.

FLOPs (reported as achieved GFLOP/s): per token
    6 · N_matmul  +  12 · layers · seq · (heads · head_dim)
where N_matmul counts every parameter that enters a matmul, i.e. all parameters except
the embedding table, plus vocab·hidden for the head (so a tied head is counted once, as
a matmul); the RMSNorm weights are included (negligible). The attention term is
QKᵀ and AV, forward (2·2 FLOPs per score) and backward (twice that): 12·L·seq·d per
token, with the causal mask NOT halved (PaLM's appendix B convention), so it overstates
the work a causal kernel does by up to that term's half.

Output: one JSON object per line on stdout (and in --json FILE), then a human table on
stderr. Dev-only; never run by Distillery.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

MODELS = {
    "tiny": dict(num_hidden_layers=4, hidden_size=256, intermediate_size=768, num_attention_heads=4,
                 num_key_value_heads=2),
    "student10": dict(num_hidden_layers=10, hidden_size=576, intermediate_size=1536, num_attention_heads=9,
                      num_key_value_heads=3),
    "smollm2": dict(num_hidden_layers=30, hidden_size=576, intermediate_size=1536, num_attention_heads=9,
                    num_key_value_heads=3),
}
COMMON = dict(vocab_size=49152, head_dim=64, max_position_embeddings=8192, rms_norm_eps=1e-5, rope_theta=100000.0,
              tie_word_embeddings=True, hidden_act="silu", bos_token_id=0, eos_token_id=0, use_cache=False)


def set_threads(threads):
    import torch
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set once in this process
        pass


def sgemm_peak(threads, n=2048, repeats=5):
    import torch
    set_threads(threads)
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    c = torch.empty(n, n)
    for _ in range(2):
        torch.mm(a, b, out=c)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b, out=c)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    return {"kind": "sgemm", "n": n, "threads": threads, "median_s": median,
            "gflops": 2 * n ** 3 / median / 1e9, "torch": torch.__version__}


def flops_per_token(config, seq):
    layers, hidden = config.num_hidden_layers, config.hidden_size
    h, q, kv, ffn = hidden, config.num_attention_heads * config.head_dim, config.num_key_value_heads * config.head_dim, config.intermediate_size
    per_layer = h * q + 2 * h * kv + q * h + 3 * h * ffn + 2 * h  # projections, MLP, two norms
    matmul_params = layers * per_layer + h + config.vocab_size * h  # final norm, head
    return 6 * matmul_params + 12 * layers * seq * q, matmul_params


def run_one(name, mode, args):
    """One model × mode, in this (fresh) process; returns its record."""
    import torch
    import transformers
    from transformers import LlamaConfig, LlamaForCausalLM
    set_threads(args.threads)
    torch.manual_seed(0)
    config = LlamaConfig(**COMMON, **MODELS[name])
    model = LlamaForCausalLM._from_config(config, attn_implementation="sdpa", torch_dtype=torch.float32).train()
    parameters = sum(p.numel() for p in model.parameters())
    per_token, matmul_params = flops_per_token(config, args.seq)
    optimizer_options = {"fused": args.adamw == "fused", "foreach": args.adamw == "foreach"}
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, **optimizer_options)
    tokens = torch.randint(0, config.vocab_size, (args.batch, args.seq), generator=torch.Generator().manual_seed(1))
    record = {"kind": "train", "model": name, "mode": mode, "layers": config.num_hidden_layers,
              "parameters": parameters, "matmul_parameters": matmul_params, "batch": args.batch, "seq": args.seq,
              "tokens_per_step": args.batch * args.seq, "threads": args.threads, "adamw": args.adamw,
              "attn_implementation": model.config._attn_implementation, "torch": torch.__version__, "transformers": transformers.__version__}
    forward = torch.compile(model) if mode == "compile" else model

    def step():
        loss = forward(input_ids=tokens, labels=tokens).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return loss.item()

    try:
        warmup = []
        for _ in range(args.warmup):
            start = time.perf_counter()
            loss = step()
            warmup.append(time.perf_counter() - start)
        times, losses = [], []
        for _ in range(args.steps):
            start = time.perf_counter()
            losses.append(step())
            times.append(time.perf_counter() - start)
    except Exception as error:  # compile failures (no compiler, inductor bugs) among them
        record["error"] = f"{type(error).__name__}: {error}"[:2000]
        record["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return record
    median = statistics.median(times)
    tokens_per_step = args.batch * args.seq
    record.update({
        "first_step_s": warmup[0] if warmup else None,
        "step_s": times,
        "median_step_s": median,
        "tokens_per_s": tokens_per_step / median,
        "gflops": per_token * tokens_per_step / median / 1e9,
        "flops_per_token": per_token,
        "loss_first": losses[0],
        "loss_last": losses[-1],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    })
    return record


def child_command(name, mode, args):
    return [sys.executable, os.path.abspath(__file__), "--child", f"{name}:{mode}", "--steps", str(args.steps),
            "--warmup", str(args.warmup), "--batch", str(args.batch), "--seq", str(args.seq),
            "--threads", str(args.threads), "--adamw", args.adamw]


def run_child(name, mode, args):
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    result = subprocess.run(child_command(name, mode, args), env=env, capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        return {"kind": "train", "model": name, "mode": mode,
                "error": f"subprocess exited {result.returncode}: " + " | ".join(tail)}
    return json.loads(lines[-1])


def table(records, peak):
    header = f"{'model':<10} {'mode':<8} {'params':>8} {'tok/s':>9} {'step s':>8} {'GFLOP/s':>8}"
    header += f" {'of peak':>8}" if peak else ""
    header += f" {'RSS MB':>8}  note"
    lines = [header]
    for r in records:
        if r["kind"] != "train":
            continue
        if "error" in r:
            lines.append(f"{r['model']:<10} {r['mode']:<8} {'':>8} {'—':>9} {'—':>8} {'—':>8}"
                         + (f" {'—':>8}" if peak else "") + f" {r.get('peak_rss_mb', 0):>8.0f}  {r['error'][:120]}")
            continue
        line = (f"{r['model']:<10} {r['mode']:<8} {r['parameters'] / 1e6:>7.1f}M {r['tokens_per_s']:>9.1f}"
                f" {r['median_step_s']:>8.3f} {r['gflops']:>8.1f}")
        if peak:
            line += f" {r['gflops'] / peak:>8.1%}"
        line += f" {r['peak_rss_mb']:>8.0f}"
        if r["mode"] == "compile" and r.get("first_step_s") is not None:
            line += f"  first step {r['first_step_s']:.1f} s (compile)"
        lines.append(line)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=None, help="comma list of " + ",".join(MODELS) + " (default all)")
    parser.add_argument("--modes", default="eager,compile")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seq", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--adamw", choices=["fused", "foreach", "loop"], default="fused")
    parser.add_argument("--json", default=None, help="also write the JSON lines to this file")
    parser.add_argument("--sgemm-peak", action="store_true", help="measure torch.mm 2048³ fp32 GFLOP/s")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        name, mode = args.child.split(":")
        print(json.dumps(run_one(name, mode, args)), flush=True)
        return

    records = []

    def emit(record):
        records.append(record)
        print(json.dumps(record), flush=True)

    peak = None
    if args.sgemm_peak:
        record = sgemm_peak(args.threads)
        peak = record["gflops"]
        emit(record)
        print(f"sgemm 2048³ fp32, {args.threads} threads: {peak:.1f} GFLOP/s (median of 5)", file=sys.stderr)
    if args.models is not None or not args.sgemm_peak:
        names = (args.models or ",".join(MODELS)).split(",")
        for name in names:
            if name not in MODELS:
                sys.exit(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
        for name in names:
            for mode in args.modes.split(","):
                if mode not in ("eager", "compile"):
                    sys.exit(f"unknown mode {mode!r}; choose eager or compile")
                emit(run_child(name, mode, args))
        print(table(records, peak), file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            for record in records:
                f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
