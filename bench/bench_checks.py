"""Benchmark: time ``run_checks`` on 100 drafts (the clean test drafts, cycled, with small edits so no cache
hides work), with and without retrieved examples. Prints figures and ratios against a baseline measured in
the same process (parsing headings and numbers only). No asserts: read the numbers.

Run: .venv/bin/python bench/bench_checks.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.checks import (  # noqa: E402
    check_copying,
    check_coverage,
    check_leakage,
    check_length,
    check_numbers,
    check_structure,
    run_checks,
)
from drafter.facts import load_facts  # noqa: E402
from drafter.zh import numbers  # noqa: E402
from drafter.zh.headings import parse_headings  # noqa: E402
from drafter.zh.numbers import extract_numbers  # noqa: E402

CASES = ("town_party_summary", "hospital_service_report", "enterprise_party_summary", "school_party_experience",
         "village_injection_summary")
N = 100


def load(repeat_body: int = 1) -> list[tuple[str, object]]:
    pairs = []
    for case in CASES:
        facts = load_facts(ROOT / "evals" / "cases" / f"{case}.json")
        draft = (ROOT / "tests" / "data" / "drafts" / f"{case}.md").read_text(encoding="utf-8")
        title, _, body = draft.partition("\n")
        pairs.append((title + "\n" + "\n".join([body] * repeat_body), facts))
    out = []
    for i in range(N):
        draft, facts = pairs[i % len(pairs)]
        out.append((draft + f"\n（第{i}稿）", facts))  # distinct texts
    return out


def examples() -> list[str]:
    texts = [(ROOT / "tests" / "data" / "examples" / "qingshan_town.txt").read_text(encoding="utf-8")]
    corpus = ROOT.parent / "shared" / "corpus"
    if corpus.is_dir():
        import opencc

        cc = opencc.OpenCC("t2s")
        texts += [cc.convert(p.read_text(encoding="utf-8")) for p in sorted(corpus.glob("*.txt"))]
    return texts


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    """Best CPU time of ``repeat`` runs (CPU time, not wall time: the machine is shared, and waiting for a core
    is not our cost). The number-extraction cache is emptied before each run, so every draft is read afresh
    (the facts' own texts are then cached within the run, as in a real batch)."""
    best = float("inf")
    for _ in range(repeat):
        numbers._extract.cache_clear()
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def main() -> None:
    ex = examples()
    for repeat_body in (1, 3):
        scenario(load(repeat_body), ex)


def scenario(drafts: list[tuple[str, object]], ex: list[str]) -> None:
    chars = statistics.mean(len(d) for d, _ in drafts)
    ex_chars = sum(len(e) for e in ex)
    print(f"\n== {N} drafts, mean {chars:.0f} chars; {len(ex)} examples, {ex_chars} chars in all")

    t0 = time.perf_counter()
    run_checks(drafts[0][0], drafts[0][1], ex)  # type: ignore[arg-type]
    print(f"first call with examples (loads jieba, indexes examples): {time.perf_counter() - t0:.3f} s")

    baseline = timed(lambda: [(parse_headings(d), extract_numbers(d)) for d, _ in drafts])
    no_ex = timed(lambda: [run_checks(d, f) for d, f in drafts])  # type: ignore[arg-type]
    with_ex = timed(lambda: [run_checks(d, f, ex) for d, f in drafts])  # type: ignore[arg-type]
    print("CPU time, best of 5:")
    print(f"baseline (headings + numbers only): {baseline * 1000:.1f} ms for {N}")
    print(f"run_checks, no examples:            {no_ex * 1000:.1f} ms for {N} "
          f"({no_ex / N * 1000:.2f} ms/draft, {no_ex / baseline:.1f}x baseline)")
    print(f"run_checks, {len(ex)} examples:            {with_ex * 1000:.1f} ms for {N} "
          f"({with_ex / N * 1000:.2f} ms/draft, {with_ex / baseline:.1f}x baseline)")

    per_check = {
        "structure": lambda d, f: check_structure(d, f),
        "numbers": lambda d, f: check_numbers(d, f),
        "coverage": lambda d, f: check_coverage(d, f),
        "leakage": lambda d, f: check_leakage(d, f, ex),
        "copying": lambda d, f: check_copying(d, f, ex),
        "length": lambda d, f: check_length(d, f),
    }
    print("per check, 100 drafts (with examples where used):")
    for name, fn in per_check.items():
        t = timed(lambda fn=fn: [fn(d, f) for d, f in drafts])
        print(f"  {name:<10} {t * 1000:7.1f} ms  ({t / with_ex:.0%} of run_checks)")


if __name__ == "__main__":
    main()
