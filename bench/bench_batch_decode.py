"""Benchmark: decode throughput of the local model when k sequences are decoded together in one llama.cpp batch.

The question it answers: would writing independent pieces of a draft at the same time (the 做法 items, the
plans' measures) make a draft faster on this CPU? llama-cpp-python's server answers one request at a time,
so that would need a batching server; this measures the ceiling first. Each k starts from a cleared KV cache,
evaluates the same prompt once per sequence, then times ``--steps`` decode steps (after one untimed) of k tokens each (one per
sequence, logits for all). Prints tokens/s over all sequences and its ratio to k=1 in the same run.

    .venv/bin/python bench/bench_batch_decode.py [--model quality] [--steps 40] [--max-k 4]

Measured on 2 AVX2 cores (1.5B Q4_K_M, session 23): k=1 10.9, k=2 14.6 (1.34x), k=3 16.2 (1.49x), k=4 18.4
tokens/s (1.69x).
"""

from __future__ import annotations

import argparse
import os
import time

from drafter.llm.model_file import ensure_model_file
from drafter.settings import get_settings

PROMPT = "请围绕基层党组织建设，写一段工作总结的主要做法，要求用公文语言，写成连贯的段落。" * 4


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("speed", "quality"), default=None, help="default: the settings' model")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--max-k", type=int, default=4)
    ns = parser.parse_args(argv)
    if ns.model:
        os.environ["DRAFTER_LOCAL_MODEL"] = ns.model
    settings = get_settings()
    path = ensure_model_file(settings)  # verified against its sha256 before any weights are loaded

    import llama_cpp as lc

    lc.llama_backend_init()
    model = lc.llama_model_load_from_file(str(path).encode(), lc.llama_model_default_params())
    params = lc.llama_context_default_params()
    params.n_ctx, params.n_batch, params.n_ubatch, params.n_seq_max = 4096, 512, 512, ns.max_k
    params.n_threads = params.n_threads_batch = settings.local_threads
    ctx = lc.llama_init_from_model(model, params)
    vocab = lc.llama_model_get_vocab(model)
    raw = PROMPT.encode()
    buf = (lc.llama_token * 512)()
    n = lc.llama_tokenize(vocab, raw, len(raw), buf, 512, True, False)
    tokens = list(buf[:n])
    batch = lc.llama_batch_init(512, 0, ns.max_k)
    memory = lc.llama_get_memory(ctx)

    def put(i: int, token: int, pos: int, seq: int, logits: bool) -> None:
        batch.token[i], batch.pos[i], batch.n_seq_id[i], batch.logits[i] = token, pos, 1, logits
        batch.seq_id[i][0] = seq

    base = 0.0
    try:
        for k in range(1, ns.max_k + 1):
            lc.llama_memory_clear(memory, True)
            for seq in range(k):
                batch.n_tokens = n
                for i, token in enumerate(tokens):
                    put(i, token, i, seq, i == n - 1)
                if lc.llama_decode(ctx, batch) != 0:
                    raise SystemExit("llama_decode failed on the prompt")
            start = 0.0
            for step in range(ns.steps + 1):  # the first step warms up and is not timed
                start = start or (time.perf_counter() if step == 1 else 0.0)
                batch.n_tokens = k
                for seq in range(k):
                    put(seq, tokens[step % n], n + step, seq, True)
                if lc.llama_decode(ctx, batch) != 0:
                    raise SystemExit("llama_decode failed while decoding")
            rate = ns.steps * k / (time.perf_counter() - start)
            base = base or rate
            print(f"k={k}: {rate:5.1f} tokens/s over all sequences ({rate / base:.2f}x k=1)", flush=True)
    finally:
        lc.llama_batch_free(batch)
        lc.llama_free(ctx)
        lc.llama_model_free(model)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
