#!/usr/bin/env python3
"""Peer check for `distillery eval`: the same figures computed with llama.cpp.

Usage:
    distillery eval MODEL --reference REF --traces DIR --dump-tokens tokens.jsonl --json > ours.json
    /work/venv/bin/python scripts/bench/eval_peer.py --model MODEL.gguf --reference REF.gguf \
        --tokens tokens.jsonl [--ours ours.json] [--threads 2] [--json]

tokens.jsonl has one object per trace: {"id", "tokens": [ids], "mask": [0|1 per token]}.
Token i with mask 1 is scored by the logits of position i - 1. For every scored token,
with log-softmax taken in float64 over llama.cpp's float32 logits (logits_all=True):

    NLL     = -log p(token)                 per model; perplexity = exp(mean NLL)
    KL      = sum_v p_ref(v) (log p_ref(v) - log p_model(v))   KL(reference || model), nats
    top-1   = argmax p_ref == argmax p_model

KL mean, median, 99th percentile (numpy's linear interpolation, as llama.cpp's perplexity
tool), max; top-1 agreement = fraction of scored tokens. Both models see exactly the token
ids our engine saw (no BOS is added: llm.eval takes ids as given).

Unlike `llama-perplexity --kl-divergence`, the reference's log-probabilities are not stored
as 16-bit values in a file between runs, and only the masked (completion) tokens are scored,
not the second half of fixed-size chunks.

With --ours, prints our figures beside llama.cpp's and their differences.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
from llama_cpp import Llama


def log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    top = x.max(axis=-1, keepdims=True)
    return x - (top + np.log(np.exp(x - top).sum(axis=-1, keepdims=True)))


def logits(llm: Llama, tokens: list[int]) -> np.ndarray:
    llm.reset()
    llm.eval(tokens)
    return np.array(llm.scores[: len(tokens)], dtype=np.float32)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--reference", required=True)
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--ours", help="distillery eval --json output to compare with")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    sequences = [json.loads(line) for line in open(args.tokens) if line.strip()]
    n_ctx = max(len(s["tokens"]) for s in sequences)
    n_ctx = max(64, -(-n_ctx // 64) * 64)

    def load(path: str) -> Llama:
        return Llama(model_path=path, n_ctx=n_ctx, n_batch=n_ctx, n_ubatch=n_ctx, logits_all=True,
                     n_threads=args.threads, n_threads_batch=args.threads, verbose=False)

    model, reference = load(args.model), load(args.reference)
    if model.n_vocab() != reference.n_vocab():
        print(f"vocabularies differ: {model.n_vocab()} vs {reference.n_vocab()}", file=sys.stderr)
        return 1

    nll_m, nll_r, kls, same = [], [], [], 0
    for s in sequences:
        tokens, mask = s["tokens"], np.array(s["mask"], dtype=bool)
        lp_m = log_softmax(logits(model, tokens))
        lp_r = log_softmax(logits(reference, tokens))
        targets = np.nonzero(mask)[0]
        targets = targets[targets >= 1]
        rows = targets - 1
        ids = np.array(tokens)[targets]
        nll_m.extend(-lp_m[rows, ids])
        nll_r.extend(-lp_r[rows, ids])
        p_r = np.exp(lp_r[rows])
        kls.extend((p_r * (lp_r[rows] - lp_m[rows])).sum(axis=-1))
        same += int((lp_m[rows].argmax(axis=-1) == lp_r[rows].argmax(axis=-1)).sum())

    kls = np.array(kls)
    peer = {
        "sequences": len(sequences),
        "tokens": len(kls),
        "model": {"perplexity": float(np.exp(np.mean(nll_m))), "mean_nll": float(np.mean(nll_m))},
        "reference": {"perplexity": float(np.exp(np.mean(nll_r))), "mean_nll": float(np.mean(nll_r))},
        "kl_divergence": {"mean": float(kls.mean()), "median": float(np.percentile(kls, 50)),
                          "p99": float(np.percentile(kls, 99)), "max": float(kls.max())},
        "top1_agreement": same / len(kls),
    }
    peer["perplexity_ratio"] = peer["model"]["perplexity"] / peer["reference"]["perplexity"]

    if args.json:
        print(json.dumps(peer, sort_keys=True))
    else:
        print(json.dumps(peer, indent=2, sort_keys=True))
    if args.ours:
        ours = json.load(open(args.ours))
        rows = [("tokens", ours["tokens"], peer["tokens"]),
                ("model perplexity", ours["model"]["perplexity"], peer["model"]["perplexity"]),
                ("reference perplexity", ours["reference"]["perplexity"], peer["reference"]["perplexity"]),
                ("PPL ratio", ours["perplexity_ratio"], peer["perplexity_ratio"])]
        rows += [(f"KL {k}", ours["kl_divergence"][k], peer["kl_divergence"][k]) for k in ("mean", "median", "p99", "max")]
        rows += [("top-1 agreement", ours["top1_agreement"], peer["top1_agreement"])]
        print(f"{'figure':<22}{'distillery':>14}{'llama.cpp':>14}{'difference':>14}", file=sys.stderr)
        for name, a, b in rows:
            print(f"{name:<22}{a:>14.6f}{b:>14.6f}{a - b:>14.6f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
