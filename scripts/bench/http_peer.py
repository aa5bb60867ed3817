#!/usr/bin/env python3
"""Peer benchmark: an asyncio + httpx client doing the HTTP teacher's job.

The Python side of scripts/bench/http_teacher.sh: sends every prompt of a plain-text
prompt file (one prompt per line, blank lines skipped, each a single user message, as
`distillery generate` reads it) to an OpenAI-compatible `/chat/completions`, with C
requests in flight, and reports requests/s. The request body carries the fields
Distillery's HTTP teacher sends (ChatCompletionRequest.swift): model, messages,
max_tokens, temperature, top_p, seed, stream, stream_options.include_usage; it is
streamed (server-sent events, read line by line and parsed as JSON, content
concatenated) as ours streams by default.

Usage:
    http_peer.py --base-url http://127.0.0.1:8080/v1 --model NAME --prompts FILE
                 [--concurrency 8] [--max-tokens 16] [--temperature 0] [--json]

Concurrency: C worker tasks take prompts from one queue (as ours has C worker threads
taking jobs), over one httpx.AsyncClient with at most C keep-alive connections.
Timing: wall time (time.perf_counter) from the first request to the last reply; client
creation is not timed. A failed request fails the run: there are no retries to time.
requests/s = replies / seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import httpx


def read_prompts(path: str) -> list[str]:
    """One prompt per line, as Distillery's PromptFile reads plain text."""
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = [ln[:-1] if ln.endswith(b"\r") else ln for ln in data.split(b"\n")]
    return [ln.decode("utf-8") for ln in lines if ln.strip(b" \t\r\v\f")]


async def complete(client: httpx.AsyncClient, url: str, body: dict) -> tuple[str, int, int]:
    """One streamed chat completion: (content, prompt tokens, completion tokens)."""
    content, usage = [], None
    async with client.stream("POST", url, json=body) as reply:
        if reply.status_code != 200:
            raise RuntimeError(f"HTTP {reply.status_code}: {(await reply.aread())[:300]!r}")
        async for line in reply.aiter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                break
            chunk = json.loads(data)
            if chunk.get("usage"):
                usage = chunk["usage"]
            for choice in chunk.get("choices") or []:
                content.append((choice.get("delta") or {}).get("content") or "")
    if usage is None:
        raise RuntimeError("the stream carried no usage")
    return "".join(content), usage["prompt_tokens"], usage["completion_tokens"]


async def run(args, prompts: list[str]) -> dict:
    url = args.base_url.rstrip("/") + "/chat/completions"
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(prompts)):
        queue.put_nowait(i)
    totals = {"prompt_tokens": 0, "completion_tokens": 0, "replies": 0}

    async def worker():
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            body = {"model": args.model, "messages": [{"role": "user", "content": prompts[i]}],
                    "max_tokens": args.max_tokens, "temperature": args.temperature, "top_p": args.top_p,
                    "seed": (args.seed + i) & 0x7FFFFFFF, "stream": True,
                    "stream_options": {"include_usage": True}}
            _, p, c = await complete(client, url, body)
            totals["prompt_tokens"] += p
            totals["completion_tokens"] += c
            totals["replies"] += 1

    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(600.0)) as client:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        seconds = time.perf_counter() - t0
    return {**totals, "seconds": round(seconds, 4), "requests_per_s": round(totals["replies"] / seconds, 3),
            "httpx_version": httpx.__version__}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8080/v1")
    ap.add_argument("--model", required=True, help="the endpoint's model id")
    ap.add_argument("--prompts", required=True, help="plain text, one prompt per line")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--max-tokens", type=int, default=16)
    ap.add_argument("--temperature", type=float, default=0.0)
    ap.add_argument("--top-p", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print only the JSON result on stdout")
    args = ap.parse_args(argv)
    if args.concurrency < 1:
        ap.error("--concurrency must be >= 1")
    result = asyncio.run(run(args, read_prompts(args.prompts)))
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
