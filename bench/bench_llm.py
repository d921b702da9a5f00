"""Benchmark: the local model through drafter's full client stack vs llama-cpp-python called in-process.

Same GGUF, threads, context size, prompts and sampling (greedy, llama.cpp server's default repeat penalty) in the
same run; the two paths alternate prompt by prompt so background load hits both alike. Each prompt differs,
so every run evaluates its prompt afresh. Completion tokens are counted with the model's own tokenizer on
the text each path produced. Prints time to first token, decode speed (tokens after the first / time after
the first), end-to-end tokens/s, and the ratio stack/direct (target >= 0.95).

    .venv/bin/python bench/bench_llm.py [--runs 3] [--max-tokens 128]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from drafter.llm import get_model
from drafter.llm.model_file import ensure_model_file
from drafter.settings import get_settings

TOPICS = [
    "党建引领基层治理",
    "创先争优活动",
    "机关作风建设",
    "为民办实事",
    "青年理论学习",
    "安全生产专项整治",
]
SYSTEM = "你是党政机关的文秘，擅长撰写正式、规范的工作总结。"

# llama_cpp.server's request defaults, given explicitly to the in-process call so both sample alike.
SAMPLING = {"temperature": 0.0, "top_p": 0.95, "top_k": 40, "min_p": 0.05, "repeat_penalty": 1.1}


def prompt(i: int) -> list[dict[str, str]]:
    topic = TOPICS[i % len(TOPICS)]
    return [
        {"role": "system", "content": SYSTEM},
        {
            "role": "user",
            "content": f"请为某单位撰写“{topic}”工作总结的第一部分“主要做法”，分三点展开，每点两三句话。",
        },
    ]


@dataclass
class Run:
    ttft_s: float
    elapsed_s: float
    tokens: int
    text: str

    @property
    def decode_tps(self) -> float:
        return (self.tokens - 1) / (self.elapsed_s - self.ttft_s) if self.elapsed_s > self.ttft_s else 0.0

    @property
    def e2e_tps(self) -> float:
        return self.tokens / self.elapsed_s


def timed(chunks: Callable[[], Iterator[str]], count: Callable[[str], int]) -> Run:
    start = time.perf_counter()
    first: float | None = None
    parts = []
    for chunk in chunks():
        if chunk and first is None:
            first = time.perf_counter() - start
        parts.append(chunk)
    elapsed = time.perf_counter() - start
    text = "".join(parts)
    return Run(first or elapsed, elapsed, count(text), text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=128)
    args = parser.parse_args()

    from llama_cpp import Llama

    settings = get_settings()
    path = ensure_model_file(settings)
    print(f"model {path.name}, threads {settings.local_threads}, n_ctx {settings.local_ctx}, "
          f"max_tokens {args.max_tokens}, runs {args.runs} per path")  # fmt: skip

    t = time.perf_counter()
    model = get_model()  # starts the embedded server
    print(f"embedded server ready in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    llm = Llama(
        model_path=str(path), n_ctx=settings.local_ctx, n_threads=settings.local_threads,
        n_threads_batch=settings.local_threads, use_mlock=False, verbose=False,
    )  # fmt: skip
    print(f"in-process Llama loaded in {time.perf_counter() - t:.1f} s")

    def count(text: str) -> int:
        return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def via_stack(i: int) -> Iterator[str]:
        yield from model.execute(prompt(i), max_tokens=args.max_tokens, temperature=0.0)

    def direct(i: int) -> Iterator[str]:
        for chunk in llm.create_chat_completion(
            prompt(i), max_tokens=args.max_tokens, stream=True, **SAMPLING
        ):
            yield chunk["choices"][0]["delta"].get("content") or ""  # type: ignore[index,union-attr]

    # warm-up both (page cache, first-call allocations), not measured
    timed(functools.partial(via_stack, 99), count)
    timed(functools.partial(direct, 99), count)

    stack_runs: list[Run] = []
    direct_runs: list[Run] = []
    for i in range(args.runs):
        first, second = ((direct, direct_runs), (via_stack, stack_runs)) if i % 2 else (
            (via_stack, stack_runs), (direct, direct_runs))  # fmt: skip
        for fn, sink in (first, second):
            run = timed(functools.partial(fn, i), count)
            sink.append(run)
            name = "stack" if fn is via_stack else "direct"
            print(
                f"  run {i} {name:<6} ttft {run.ttft_s:5.2f} s  decode {run.decode_tps:5.2f} tok/s  {run.tokens} tokens"
            )

    def summary(runs: list[Run]) -> tuple[float, float, float, float]:
        return (
            statistics.median(r.ttft_s for r in runs),
            statistics.median(r.decode_tps for r in runs),
            statistics.median(r.e2e_tps for r in runs),
            statistics.median(r.tokens for r in runs),
        )

    d, s = summary(direct_runs), summary(stack_runs)
    print(f"\n{'path':<36}{'TTFT s':>8}{'decode tok/s':>14}{'e2e tok/s':>11}{'tokens':>8}")
    print(f"{'in-process llama_cpp.Llama':<36}{d[0]:>8.2f}{d[1]:>14.2f}{d[2]:>11.2f}{d[3]:>8.0f}")
    print(f"{'get_model() -> llama_cpp.server':<36}{s[0]:>8.2f}{s[1]:>14.2f}{s[2]:>11.2f}{s[3]:>8.0f}")
    print(f"\nratio stack/direct: decode tok/s {s[1] / d[1]:.3f}, e2e tok/s {s[2] / d[2]:.3f}, "
          f"TTFT {s[0] / d[0]:.3f} (x slower)   target: tok/s ratio >= 0.95")  # fmt: skip
    same = sum(a.text == b.text for a, b in zip(stack_runs, direct_runs, strict=True))
    print(f"identical outputs: {same}/{args.runs} (greedy decoding on both paths)")


if __name__ == "__main__":
    main()
