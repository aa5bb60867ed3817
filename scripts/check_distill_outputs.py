#!/usr/bin/env python3
"""Hand check of what `distillery distill` wrote, with implementations we did not write:

1. transformers loads the student's Hugging Face folder (float32) and computes the
   next-token logits of a chat prompt; they are compared with our engine's
   (`distillery logits FOLDER --text PROMPT --top 20 --json`) on its top 20 ids.
2. llama.cpp (llama-cpp-python) loads every GGUF the run wrote, computes the logits of the
   same prompt ids, and generates 24 tokens greedily; its top-1 at every prompt position is
   compared with transformers' on the F32 student.

    /work/venv/bin/python scripts/check_distill_outputs.py distill-out [--distillery .build/release/distillery]
"""
import argparse
import json
import pathlib
import subprocess
import sys

import llama_cpp
import numpy as np
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

PROMPT = "<|im_start|>user\nWhat is 12 times 7?<|im_end|>\n<|im_start|>assistant\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("output", type=pathlib.Path)
    parser.add_argument("--distillery", default=".build/release/distillery")
    args = parser.parse_args()
    summary = json.loads((args.output / "summary.json").read_text())
    folder = pathlib.Path(summary["model"])
    ok = True

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32)
    ids = tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        reference = model(torch.tensor([ids])).logits[0].numpy()
    engine = json.loads(subprocess.run([args.distillery, "logits", str(folder), "--text", PROMPT, "--top", "20", "--json"],
                                       check=True, capture_output=True, text=True).stdout)
    if engine["ids"] != ids:
        print(f"tokenisation differs: ours {engine['ids'][:12]}…, transformers {ids[:12]}…")
        ok = False
    delta = max(abs(reference[-1][int(i)] - value) for i, value in engine["top"])
    print(f"transformers loads {folder.name}: {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M parameters; "
          f"max |Δlogit| against our engine on its top 20: {delta:.2e}")
    ok &= delta < 1e-3

    for q in summary["quantize"]["outputs"]:
        llm = llama_cpp.Llama(model_path=q["path"], n_ctx=256, n_threads=2, logits_all=True, verbose=False)
        llm.reset()
        llm.eval(ids)
        logits = np.array(llm.scores[: len(ids)])
        agreement = float(np.mean(logits.argmax(-1) == reference.argmax(-1)))
        greedy = []
        for token in llm.generate(ids, top_k=1, top_p=1.0, min_p=0.0, temp=0.0, repeat_penalty=1.0, reset=True):
            if token == llm.token_eos() or len(greedy) == 24:
                break
            greedy.append(int(token))
        text = llm.detokenize(greedy).decode("utf-8", "replace")
        print(f"llama.cpp {llama_cpp.__version__} loads {pathlib.Path(q['path']).name}: top-1 equals transformers' F32 student "
              f"at {agreement * 100:.1f}% of {len(ids)} positions; greedy: {text!r}")
        ok &= agreement >= 0.8
        del llm
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
