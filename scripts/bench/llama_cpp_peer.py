#!/usr/bin/env python3
"""Peer benchmark: measure llama.cpp (through llama-cpp-python) the way llama-bench does.

Distillery reports its inference speed as ratios against llama.cpp measured in the
same run on the same machine. This script is the llama.cpp side of that comparison.

Usage:
    llama_cpp_peer.py --model PATH [--threads 2] [--prompt-tokens 512] [--gen-tokens 128]
                      [--batch 1,8,32] [--runs 3] [--seed 1] [--json]

Measurements (all through the low-level C API exposed by llama_cpp, no sampling):

* pp: one sequence of N token ids (seeded random; position 0 is BOS when the vocab
  adds one, as llama-bench does), submitted in ONE llama_decode call
  (n_batch = n_ubatch >= N), logits requested only for the last token.
  tok/s = N / median(wall time of decode + synchronize).
* tg for batch B: B sequences (seq_id 0..B-1) starting from an empty KV cache, each
  decoding `gen` tokens; every llama_decode call carries exactly one token per sequence
  (B entries, logits requested for all of them). EOS is irrelevant: token ids are
  seeded random, nothing is sampled. tok/s = B * gen / median(total wall time).

The KV cache is not unified across sequences by default (llama-batched-bench default;
llama.h advises it for sequences that share no prefix); --kv-unified on to compare.

Like llama-bench: a fresh context per test (sized for that test), a persistent ggml
threadpool attached to the context (llama-bench does this; without it ggml creates a
throw-away threadpool on every graph compute), flash attention "auto", one warm-up
before timing, KV cache (llama_memory) cleared before every run, llama_synchronize
after every decode. Timing uses time.perf_counter().

Run it on an idle machine and never concurrently with the Distillery benchmark: this
llama.cpp build uses OpenMP, whose threads spin at barriers; with another CPU-bound
process on a 2-core box, single-stream tg dropped from ~72 to ~2.6 tok/s in testing.
Diagnostics (per-run wall and CPU seconds, resolved flash-attention mode) go to stderr.

peak_rss_mb = getrusage(RUSAGE_SELF).ru_maxrss / 1024 at the end (Linux: KiB -> MiB).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import pathlib
import random
import resource
import statistics
import sys
import time

import llama_cpp
import llama_cpp.llama_cpp as L  # the raw ctypes bindings

# ---------------------------------------------------------------------------
# logging: keep llama.cpp quiet, but remember what it said (for --verbose and to
# report e.g. the resolved flash-attention mode).
# ---------------------------------------------------------------------------

_LOG_LINES: list[str] = []
_VERBOSE = False


@L.llama_log_callback
def _log_cb(level, text, user_data):  # noqa: ARG001
    s = text.decode("utf-8", errors="replace") if text else ""
    _LOG_LINES.append(s)
    if _VERBOSE:
        sys.stderr.write(s)


def _eprint(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# API compatibility helpers (function names moved between llama.cpp versions)
# ---------------------------------------------------------------------------


def _has(name: str) -> bool:
    try:
        getattr(L, name)
        return True
    except AttributeError:
        return False


def make_memory_clear(ctx):
    """Return a zero-arg function that empties the whole KV cache / memory of ctx."""
    if _has("llama_get_memory") and _has("llama_memory_clear"):
        mem = L.llama_get_memory(ctx)
        if mem:
            return lambda: L.llama_memory_clear(mem, True), "llama_memory_clear(llama_get_memory(ctx), true)"
    if _has("llama_kv_self_clear"):
        return lambda: L.llama_kv_self_clear(ctx), "llama_kv_self_clear(ctx)"
    if _has("llama_kv_cache_clear"):
        return lambda: L.llama_kv_cache_clear(ctx), "llama_kv_cache_clear(ctx)"
    raise RuntimeError("no KV-cache clear function found in this llama_cpp version")


def load_model(path: str):
    mparams = L.llama_model_default_params()
    mparams.n_gpu_layers = 0
    if _has("llama_model_load_from_file"):
        model = L.llama_model_load_from_file(path.encode(), mparams)
    else:  # older versions
        model = L.llama_load_model_from_file(path.encode(), mparams)
    if not model:
        raise RuntimeError(f"failed to load model {path}")
    return model


def free_model(model):
    if _has("llama_model_free"):
        L.llama_model_free(model)
    else:
        L.llama_free_model(model)


def get_vocab_info(model):
    if _has("llama_model_get_vocab"):
        vocab = L.llama_model_get_vocab(model)
        n_vocab = L.llama_vocab_n_tokens(vocab)
        add_bos = bool(L.llama_vocab_get_add_bos(vocab))
        bos = L.llama_vocab_bos(vocab)
    else:  # older versions
        n_vocab = L.llama_n_vocab(model)
        add_bos = bool(L.llama_add_bos_token(model))
        bos = L.llama_token_bos(model)
    return n_vocab, add_bos, bos


_FA = {
    "auto": getattr(L, "LLAMA_FLASH_ATTN_TYPE_AUTO", -1),
    "on": getattr(L, "LLAMA_FLASH_ATTN_TYPE_ENABLED", 1),
    "off": getattr(L, "LLAMA_FLASH_ATTN_TYPE_DISABLED", 0),
}


def new_context(model, *, n_ctx, n_batch, n_seq_max, threads, kv_unified, flash_attn, n_ubatch=None):
    cp = L.llama_context_default_params()
    cp.n_ctx = n_ctx
    cp.n_batch = n_batch
    cp.n_ubatch = n_ubatch or n_batch
    cp.n_seq_max = n_seq_max
    cp.n_threads = threads
    cp.n_threads_batch = threads
    fields = {f[0] for f in L.llama_context_params._fields_}
    if "flash_attn_type" in fields:
        cp.flash_attn_type = _FA[flash_attn]
    elif "flash_attn" in fields and flash_attn != "auto":
        cp.flash_attn = flash_attn == "on"
    if "kv_unified" in fields:
        cp.kv_unified = kv_unified
    if "swa_full" in fields:
        cp.swa_full = False  # llama-bench sets this
    if "no_perf" in fields:
        cp.no_perf = True
    if _has("llama_init_from_model"):
        ctx = L.llama_init_from_model(model, cp)
    else:
        ctx = L.llama_new_context_with_model(model, cp)
    if not ctx:
        raise RuntimeError(
            f"failed to create context (n_ctx={n_ctx}, n_batch={n_batch}, n_seq_max={n_seq_max})"
        )
    L.llama_set_n_threads(ctx, threads, threads)
    return ctx


# ---------------------------------------------------------------------------
# ggml threadpool (llama-bench attaches one; llama_cpp does not wrap these calls)
# ---------------------------------------------------------------------------


class _ThreadpoolParams(ctypes.Structure):
    _fields_ = [
        ("cpumask", ctypes.c_bool * 512),  # GGML_MAX_N_THREADS
        ("n_threads", ctypes.c_int),
        ("prio", ctypes.c_int),
        ("poll", ctypes.c_uint32),
        ("strict_cpu", ctypes.c_bool),
        ("paused", ctypes.c_bool),
    ]


def _loaded_lib_with(symbol):
    """ctypes handle of an ALREADY LOADED libggml* that exports `symbol`.

    Uses the exact file the dynamic loader mapped for libllama's dependencies, so we
    never load a second copy of ggml (wheels store libfoo.so / libfoo.so.0 as separate
    files, and dlopen of a different file would give a separate ggml instance).
    """
    paths = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 6 and os.path.basename(parts[5]).startswith("libggml"):
                    if parts[5] not in paths:
                        paths.append(parts[5])
    except OSError:
        pass
    if not paths:  # not Linux: fall back to the package's lib directory
        libdir = pathlib.Path(os.environ.get("LLAMA_CPP_LIB_PATH")
                              or pathlib.Path(llama_cpp.__file__).parent / "lib")
        paths = [str(p) for p in sorted(libdir.glob("libggml*"))]
    for p in paths:
        lib = ctypes.CDLL(p)
        if hasattr(lib, symbol):
            return lib
    return None


class Threadpool:
    """Persistent ggml CPU threadpool attached to a context, or a no-op if unavailable."""

    def __init__(self, threads: int, enabled: bool):
        self.tp = None
        self.why = "disabled"
        if not enabled:
            return
        try:
            ggml_cpu = _loaded_lib_with("ggml_threadpool_new")
            base = _loaded_lib_with("ggml_threadpool_params_init")
            llama_lib = L._lib
            if ggml_cpu is None or base is None or not hasattr(llama_lib, "llama_attach_threadpool"):
                self.why = "symbols not found"
                return
            base.ggml_threadpool_params_init.argtypes = [ctypes.POINTER(_ThreadpoolParams), ctypes.c_int]
            base.ggml_threadpool_params_init.restype = None
            ggml_cpu.ggml_threadpool_new.argtypes = [ctypes.POINTER(_ThreadpoolParams)]
            ggml_cpu.ggml_threadpool_new.restype = ctypes.c_void_p
            ggml_cpu.ggml_threadpool_free.argtypes = [ctypes.c_void_p]
            ggml_cpu.ggml_threadpool_free.restype = None
            llama_lib.llama_attach_threadpool.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
            llama_lib.llama_attach_threadpool.restype = None
            llama_lib.llama_detach_threadpool.argtypes = [ctypes.c_void_p]
            llama_lib.llama_detach_threadpool.restype = None
            p = _ThreadpoolParams()
            base.ggml_threadpool_params_init(ctypes.byref(p), threads)  # poll=50, like llama-bench
            tp = ggml_cpu.ggml_threadpool_new(ctypes.byref(p))
            if not tp:
                self.why = "ggml_threadpool_new failed"
                return
            self.tp, self._cpu, self._llama = tp, ggml_cpu, llama_lib
            self.why = f"attached (n_threads={p.n_threads}, poll={p.poll})"
        except OSError as e:  # pragma: no cover
            self.why = f"unavailable: {e}"

    def attach(self, ctx):
        if self.tp:
            self._llama.llama_attach_threadpool(ctx, self.tp, None)

    def detach(self, ctx):
        if self.tp:
            self._llama.llama_detach_threadpool(ctx)

    def free(self):
        if self.tp:
            self._cpu.ggml_threadpool_free(self.tp)
            self.tp = None


# ---------------------------------------------------------------------------
# the two tests
# ---------------------------------------------------------------------------


def _decode(ctx, batch):
    rc = L.llama_decode(ctx, batch)
    if rc != 0:
        raise RuntimeError(f"llama_decode failed with {rc}")
    L.llama_synchronize(ctx)


def bench_pp(model, args, vocab, tp, rng):
    n_vocab, add_bos, bos = vocab
    n = args.prompt_tokens
    ctx = new_context(model, n_ctx=n + 64, n_batch=n, n_seq_max=1, threads=args.threads,
                      kv_unified=False, flash_attn=args.flash_attn)
    tp.attach(ctx)
    clear, clear_name = make_memory_clear(ctx)
    batch = L.llama_batch_init(n, 0, 1)
    try:
        batch.n_tokens = n
        for i in range(n):
            batch.pos[i] = i
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = 0
            batch.logits[i] = 0
        batch.logits[n - 1] = 1  # logits only for the last token

        def fill_tokens():
            for i in range(n):
                batch.token[i] = rng.randrange(n_vocab)
            if add_bos:
                batch.token[0] = bos

        times, cpu = [], []
        for r in range(args.runs + 1):  # run 0 = warm-up
            fill_tokens()
            clear()
            c0 = time.process_time()
            t0 = time.perf_counter()
            _decode(ctx, batch)
            dt = time.perf_counter() - t0
            if r > 0:
                times.append(dt)
                cpu.append(time.process_time() - c0)
        med = statistics.median(times)
        return n / med, times, cpu, clear_name
    finally:
        L.llama_batch_free(batch)
        tp.detach(ctx)
        L.llama_free(ctx)


def bench_tg(model, args, vocab, tp, rng, B, kv_unified):
    n_vocab = vocab[0]
    gen = args.gen_tokens
    # every sequence needs `gen` cells; non-unified caches split n_ctx evenly per sequence
    ctx = new_context(model, n_ctx=B * gen + 256, n_batch=max(B, 32), n_seq_max=B,
                      threads=args.threads, kv_unified=kv_unified, flash_attn=args.flash_attn)
    tp.attach(ctx)
    clear, _ = make_memory_clear(ctx)
    batch = L.llama_batch_init(B, 0, 1)
    try:
        batch.n_tokens = B
        for s in range(B):
            batch.n_seq_id[s] = 1
            batch.seq_id[s][0] = s
            batch.logits[s] = 1  # every sequence wants its next-token logits

        tok = batch.token
        pos = batch.pos

        def run(steps):
            toks = [[rng.randrange(n_vocab) for _ in range(B)] for _ in range(steps)]
            clear()
            c0 = time.process_time()
            t0 = time.perf_counter()
            for step in range(steps):
                row = toks[step]
                for s in range(B):
                    tok[s] = row[s]
                    pos[s] = step
                _decode(ctx, batch)
            return time.perf_counter() - t0, time.process_time() - c0

        run(1)  # warm-up (llama-bench: one generated token)
        times, cpu = zip(*[run(gen) for _ in range(args.runs)])
        med = statistics.median(times)
        return B * gen / med, list(times), list(cpu)
    finally:
        L.llama_batch_free(batch)
        tp.detach(ctx)
        L.llama_free(ctx)


# ---------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompt-tokens", type=int, default=512)
    ap.add_argument("--gen-tokens", type=int, default=128)
    ap.add_argument("--batch", default="1,8,32", help="comma-separated tg batch sizes")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print only the JSON result on stdout")
    ap.add_argument("--flash-attn", choices=["auto", "on", "off"], default="auto",
                    help="llama-bench default is auto")
    ap.add_argument("--kv-unified", choices=["on", "off"], default="off",
                    help="unified KV buffer across sequences for tg with B > 1. Default off, like "
                         "llama-batched-bench and as llama.h advises for sequences without a shared "
                         "prefix; not needed for capacity: a non-unified cache gives every sequence "
                         "n_ctx / n_seq_max cells (padded to 256) and n_ctx >= B * gen here")
    ap.add_argument("--no-threadpool", action="store_true",
                    help="do not attach a persistent ggml threadpool (llama-bench attaches one)")
    ap.add_argument("--verbose", action="store_true", help="show llama.cpp log on stderr")
    args = ap.parse_args(argv)

    global _VERBOSE
    _VERBOSE = args.verbose
    L.llama_log_set(_log_cb, ctypes.c_void_p(0))
    L.llama_backend_init()

    batches = [int(b) for b in args.batch.split(",") if b.strip()]
    if args.prompt_tokens < 1 or args.gen_tokens < 1 or args.runs < 1 or not batches or min(batches) < 1:
        ap.error("sizes must be >= 1")

    rng = random.Random(args.seed)
    model = load_model(args.model)
    vocab = get_vocab_info(model)
    tp = Threadpool(args.threads, enabled=not args.no_threadpool)

    try:
        pp, pp_times, pp_cpu, clear_name = bench_pp(model, args, vocab, tp, rng)
        tg, tg_times, tg_cpu = {}, {}, {}
        for B in batches:
            uni = B > 1 and args.kv_unified == "on"
            tg[str(B)], tg_times[B], tg_cpu[B] = bench_tg(model, args, vocab, tp, rng, B, uni)
    finally:
        tp.free()
        free_model(model)
        L.llama_backend_free()

    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "pp_tok_s": round(pp, 2),
        "tg_tok_s": {k: round(v, 2) for k, v in tg.items()},
        "peak_rss_mb": round(peak_rss_mb, 1),
        "llama_cpp_version": llama_cpp.__version__,
    }

    fa_lines = ([ln.strip() for ln in _LOG_LINES if "Flash Attention" in ln]
                or [ln.strip() for ln in _LOG_LINES if "flash_attn" in ln])
    diag = [
        f"llama-cpp-python {llama_cpp.__version__}; system: {L.llama_print_system_info().decode().strip()}",
        f"threads={args.threads} threadpool={tp.why} flash_attn={args.flash_attn} "
        f"({fa_lines[-1] if fa_lines else 'n/a'}) kv_unified={args.kv_unified} clear={clear_name}",
        f"pp{args.prompt_tokens}: {pp:.2f} tok/s, runs wall(s)={[round(t, 4) for t in pp_times]} "
        f"cpu(s)={[round(t, 4) for t in pp_cpu]}",
    ]
    for B in batches:
        diag.append(f"tg{args.gen_tokens} x B={B}: {tg[str(B)]:.2f} tok/s aggregate, "
                    f"runs wall(s)={[round(t, 4) for t in tg_times[B]]} cpu(s)={[round(t, 4) for t in tg_cpu[B]]}")
    diag.append(f"peak RSS {peak_rss_mb:.1f} MiB")
    if args.json:
        for d in diag:
            _eprint(d)
        print(json.dumps(result))
    else:
        for d in diag:
            print(d)
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
