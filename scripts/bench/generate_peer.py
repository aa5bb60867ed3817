#!/usr/bin/env python3
"""Peer benchmark: `distillery generate`'s local teacher job done by llama.cpp.

The same work as `distillery generate --teacher MODEL --prompts FILE --batch B
--max-tokens N --temperature T --top-p P --seed S --threads K`, done through
llama-cpp-python's low-level C API the way llama.cpp's `llama-parallel` example
schedules it. This is the llama.cpp side of scripts/bench/generate.sh.

Usage:
    generate_peer.py --model PATH --prompts FILE [--batch 8] [--max-tokens 128]
                     [--temperature 0.6] [--top-p 0.95] [--seed 0] [--threads 2] [--json]

What it does, and why each choice matches Distillery's local teacher:

* Prompts: a plain-text file, one prompt per line, blank lines skipped (as
  `PromptFile` reads it); each line is one user message rendered with the GGUF's own
  chat template (tokenizer.chat_template, through llama_cpp's Jinja2ChatFormatter)
  with the generation prompt, then tokenized with special tokens parsed and no BOS
  added (as `LocalTeacher.promptTokens`). The prompt token total is printed so the
  caller can check it against ours.
* B KV-cache slots = B sequence ids. Each step is ONE llama_decode of one llama_batch:
  the newest token of every decoding sequence, then the whole prompt of every sequence
  admitted into a free slot this step (logits only for its last token). A sequence
  that finishes frees its slot at once: its KV cells are removed with
  llama_memory_seq_rm and the next prompt takes the slot in the next step's batch
  (continuous batching, as llama-parallel and llama-server do, and as Distillery's
  ContinuousBatcher does: decoding rows first, then prompt rows).
* Sampling: llama.cpp's sampler chain per sequence, top-p P (min_keep 1), then
  temperature T, then dist seeded with S + the prompt's index (greedy when T = 0).
  Distillery's chain is the same order (top-p on the untempered distribution, then
  temperature, then the draw); its seeds differ, so the two engines' texts differ.
* A sequence ends at an end-of-generation token (llama_vocab_is_eog; not counted as
  a completion token, as Distillery does not count it) or after N completion tokens.
* Context: n_seq_max = B, KV cache not unified (each sequence id gets n_ctx / B
  cells = longest prompt + N, padded), n_batch large enough for any step,
  n_ubatch 512 (llama.cpp's default; Distillery prefills at most 512 prompt tokens per
  step), flash attention auto, a persistent ggml threadpool attached (as
  scripts/bench/llama_cpp_peer.py, as llama-bench).

Timing: wall time (time.perf_counter) from rendering the first prompt to the last
sequence's end, on a context created before the clock starts; model load and context
creation are not timed (Distillery's `seconds` also starts after the model is loaded;
it does include creating its KV cache and writing the shards). No warm-up run, as
Distillery has none. tok/s = completion tokens / seconds.

Never run this concurrently with the Distillery side: this llama.cpp build uses OpenMP,
whose threads spin (see llama_cpp_peer.py).
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import json
import sys
import time

import llama_cpp
import llama_cpp.llama_cpp as L
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from llama_cpp_peer import Threadpool, _eprint, _log_cb, free_model, load_model, new_context


def read_prompts(path: str) -> list[str]:
    """One prompt per line, as Distillery's PromptFile reads plain text."""
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = [ln[:-1] if ln.endswith(b"\r") else ln for ln in data.split(b"\n")]
    return [ln.decode("utf-8") for ln in lines if ln.strip(b" \t\r\v\f")]


def token_text(vocab, token: int) -> str:
    text = L.llama_vocab_get_text(vocab, token)
    return text.decode("utf-8", errors="replace") if text else ""


def tokenize(vocab, text: str) -> list[int]:
    raw = text.encode("utf-8")
    cap = len(raw) + 16
    buf = (L.llama_token * cap)()
    n = L.llama_tokenize(vocab, raw, len(raw), buf, cap, False, True)  # no BOS, parse special
    if n < 0:
        raise RuntimeError(f"llama_tokenize needs {-n} tokens, buffer has {cap}")
    return list(buf[:n])


def make_sampler(temperature: float, top_p: float, seed: int):
    chain = L.llama_sampler_chain_init(L.llama_sampler_chain_default_params())
    if temperature <= 0:
        L.llama_sampler_chain_add(chain, L.llama_sampler_init_greedy())
        return chain
    if top_p < 1:
        L.llama_sampler_chain_add(chain, L.llama_sampler_init_top_p(top_p, 1))
    L.llama_sampler_chain_add(chain, L.llama_sampler_init_temp(temperature))
    L.llama_sampler_chain_add(chain, L.llama_sampler_init_dist(seed & 0xFFFFFFFF))
    return chain


class Slot:
    __slots__ = ("index", "pos", "generated", "last", "row", "sampler")

    def __init__(self, index, sampler):
        self.index, self.sampler = index, sampler
        self.pos = self.generated = 0
        self.last = self.row = -1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompts", required=True, help="plain text, one prompt per line")
    ap.add_argument("--batch", type=int, default=8, help="sequences in flight (KV-cache slots)")
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--temperature", type=float, default=0.6)
    ap.add_argument("--top-p", type=float, default=0.95)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--flash-attn", choices=["auto", "on", "off"], default="auto")
    ap.add_argument("--kv-unified", action="store_true", help="one KV buffer shared by all sequence ids")
    ap.add_argument("--no-threadpool", action="store_true")
    ap.add_argument("--json", action="store_true", help="print only the JSON result on stdout")
    args = ap.parse_args(argv)
    if args.batch < 1 or args.max_tokens < 1 or args.threads < 1:
        ap.error("--batch, --max-tokens and --threads must be >= 1")

    L.llama_log_set(_log_cb, ctypes.c_void_p(0))
    L.llama_backend_init()
    texts = read_prompts(args.prompts)
    model = load_model(args.model)
    vocab = L.llama_model_get_vocab(model)
    template = L.llama_model_chat_template(model, None)
    if not template:
        raise SystemExit(f"{args.model} has no tokenizer.chat_template")
    formatter = Jinja2ChatFormatter(template.decode(), eos_token=token_text(vocab, L.llama_vocab_eos(vocab)),
                                    bos_token=token_text(vocab, L.llama_vocab_bos(vocab)),
                                    add_generation_prompt=True)

    def render(text):
        return tokenize(vocab, formatter(messages=[{"role": "user", "content": text}]).prompt)

    # Sizing only (untimed): the timed loop renders and tokenizes again, as ours does.
    lengths = [len(render(t)) for t in texts]
    B = min(args.batch, len(texts))
    per_seq = max(lengths) + args.max_tokens + 1
    n_batch = B * max(lengths) + B
    ctx = new_context(model, n_ctx=B * per_seq, n_batch=n_batch, n_ubatch=min(n_batch, 512), n_seq_max=B,
                      threads=args.threads, kv_unified=args.kv_unified, flash_attn=args.flash_attn)
    tp = Threadpool(args.threads, enabled=not args.no_threadpool)
    tp.attach(ctx)
    mem = L.llama_get_memory(ctx)
    batch = L.llama_batch_init(n_batch, 0, 1)

    queue = collections.deque(range(len(texts)))
    slots: list[Slot | None] = [None] * B
    prompt_tokens = completion_tokens = steps = 0
    ended_eog = ended_length = 0
    try:
        c0, t0 = time.process_time(), time.perf_counter()
        while True:
            n = 0

            def add(token, pos, seq, logits):
                nonlocal n
                batch.token[n], batch.pos[n], batch.n_seq_id[n] = token, pos, 1
                batch.seq_id[n][0], batch.logits[n] = seq, logits
                n += 1

            for s, slot in enumerate(slots):  # decoding sequences first
                if slot is not None:
                    slot.row = n
                    add(slot.last, slot.pos, s, 1)
                    slot.pos += 1
            for s in range(B):  # then the prompts of sequences admitted into free slots
                if slots[s] is None and queue:
                    i = queue.popleft()
                    prompt = render(texts[i])
                    prompt_tokens += len(prompt)
                    slot = slots[s] = Slot(i, make_sampler(args.temperature, args.top_p, args.seed + i))
                    for p, token in enumerate(prompt):
                        add(token, p, s, int(p == len(prompt) - 1))
                    slot.row, slot.pos = n - 1, len(prompt)
            if n == 0:
                break
            batch.n_tokens = n
            rc = L.llama_decode(ctx, batch)
            if rc != 0:
                raise RuntimeError(f"llama_decode failed with {rc} (batch of {n} tokens)")
            steps += 1
            for s, slot in enumerate(slots):
                if slot is None:
                    continue
                token = L.llama_sampler_sample(slot.sampler, ctx, slot.row)
                eog = L.llama_vocab_is_eog(vocab, token)
                if not eog:
                    slot.generated += 1
                    slot.last = token
                if eog or slot.generated >= args.max_tokens:
                    completion_tokens += slot.generated
                    ended_eog += bool(eog)
                    ended_length += not eog
                    L.llama_sampler_free(slot.sampler)
                    L.llama_memory_seq_rm(mem, s, -1, -1)
                    slots[s] = None
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
    finally:
        L.llama_batch_free(batch)
        tp.detach(ctx)
        L.llama_free(ctx)
        tp.free()
        free_model(model)
        L.llama_backend_free()

    result = {
        "prompts": len(texts),
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "seconds": round(seconds, 4),
        "tok_s": round(completion_tokens / seconds, 2),
        "ended_eog": ended_eog,
        "ended_length": ended_length,
        "steps": steps,
        "llama_cpp_version": llama_cpp.__version__,
    }
    diag = (f"llama.cpp generate: {len(texts)} prompts ({prompt_tokens} prompt tokens), batch {B}, "
            f"{completion_tokens} completion tokens in {seconds:.2f} s wall, {cpu:.2f} s CPU, {steps} steps; "
            f"{ended_eog} ended at end-of-generation, {ended_length} at --max-tokens; threadpool {tp.why}")
    if args.json:
        _eprint(diag)
        print(json.dumps(result))
    else:
        print(diag)
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
