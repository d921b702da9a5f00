"""Benchmark: the local model through drafter's full client stack vs llama-cpp-python called in-process.

Same GGUF, threads, context size, prompts and sampling (greedy, llama.cpp server's default repeat penalty) in the
same run; the two paths alternate prompt by prompt so background load hits both alike. Each prompt differs,
so every run evaluates its prompt afresh. Completion tokens are counted with the model's own tokenizer on
the text each path produced. Prints time to first token, decode speed (tokens after the first / time after
the first), end-to-end tokens/s, tokens per CPU-second (server + client process for the stack; steadier than
wall-clock time when other jobs share the cores) and the ratios stack/direct (target >= 0.95).

    .venv/bin/python bench/bench_llm.py [--runs 3] [--max-tokens 128]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from drafter.llm import get_model
from drafter.llm.model_file import ensure_model_file
from drafter.llm.server import local_endpoint
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
    cpu_s: float

    @property
    def cpu_tps(self) -> float:
        return self.tokens / self.cpu_s if self.cpu_s > 0 else 0.0

    @property
    def decode_tps(self) -> float:
        return (self.tokens - 1) / (self.elapsed_s - self.ttft_s) if self.elapsed_s > self.ttft_s else 0.0

    @property
    def e2e_tps(self) -> float:
        return self.tokens / self.elapsed_s


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of another process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(
    chunks: Callable[[], Iterator[str]], count: Callable[[str], int], other_pid: int | None = None
) -> Run:
    """Wall-clock figures, plus CPU seconds spent by this process and (for the stack) the server process."""
    cpu0 = time.process_time() + (process_cpu_s(other_pid) if other_pid else 0.0)
    start = time.perf_counter()
    first: float | None = None
    parts = []
    for chunk in chunks():
        if chunk and first is None:
            first = time.perf_counter() - start
        parts.append(chunk)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() + (process_cpu_s(other_pid) if other_pid else 0.0) - cpu0
    text = "".join(parts)
    return Run(first or elapsed, elapsed, count(text), text, cpu)


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

    endpoint = local_endpoint(settings)
    server_pid = (
        endpoint.owned_server.proc.pid if endpoint.owned_server and endpoint.owned_server.proc else None
    )
    if server_pid is None:
        print("note: reusing a server this process does not own; its CPU time is not counted")
    stack_pid = {via_stack: server_pid, direct: None}

    # warm-up both (page cache, first-call allocations), not measured
    timed(functools.partial(via_stack, 99), count)
    timed(functools.partial(direct, 99), count)

    runs: dict[Callable[[int], Iterator[str]], list[Run]] = {via_stack: [], direct: []}
    for i in range(args.runs):
        order = (direct, via_stack) if i % 2 else (via_stack, direct)  # ABBA: drifting load hits both alike
        for fn in order:
            run = timed(functools.partial(fn, i), count, stack_pid[fn])
            runs[fn].append(run)
            name = "stack" if fn is via_stack else "direct"
            print(f"  run {i} {name:<6} ttft {run.ttft_s:5.2f} s  decode {run.decode_tps:5.2f} tok/s  "
                  f"{run.cpu_tps:5.2f} tok/cpu-s  {run.tokens} tokens")  # fmt: skip

    def summary(rs: list[Run]) -> tuple[float, float, float, float, float]:
        return (
            statistics.median(r.ttft_s for r in rs),
            statistics.median(r.decode_tps for r in rs),
            statistics.median(r.e2e_tps for r in rs),
            statistics.median(r.cpu_tps for r in rs),
            statistics.median(r.tokens for r in rs),
        )

    d, s = summary(runs[direct]), summary(runs[via_stack])
    print(
        f"\n{'path (medians)':<34}{'TTFT s':>8}{'decode tok/s':>14}{'e2e tok/s':>11}{'tok/cpu-s':>11}{'tokens':>8}"
    )
    for name, v in (("in-process llama_cpp.Llama", d), ("get_model() -> llama_cpp.server", s)):
        print(f"{name:<34}{v[0]:>8.2f}{v[1]:>14.2f}{v[2]:>11.2f}{v[3]:>11.2f}{v[4]:>8.0f}")
    print(f"\nratio stack/direct: decode tok/s {s[1] / d[1]:.3f}, e2e tok/s {s[2] / d[2]:.3f}, "
          f"tokens per CPU-second {s[3] / d[3]:.3f}, TTFT {s[0] / d[0]:.3f}x   (target: tok/s ratio >= 0.95)")  # fmt: skip
    same = sum(a.text == b.text for a, b in zip(runs[via_stack], runs[direct], strict=True))
    print(f"identical outputs: {same}/{args.runs} (greedy decoding on both paths)")
    print(
        f"load average now: {os.getloadavg()[0]:.2f} (wall-clock figures are only comparable on an idle machine)"
    )


if __name__ == "__main__":
    main()
