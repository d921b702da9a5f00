"""Copy-ratio check: the longest verbatim run the draft shares with any retrieved example, and the share of
the draft's character n-grams found in the examples. Text the facts themselves contain is not copying."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from drafter.checks.base import CheckResult, Finding
from drafter.checks.rules import COPY_MAX_OVERLAP, COPY_MAX_RUN, COPY_NGRAM
from drafter.facts import Facts


def _grams(text: str, n: int = COPY_NGRAM) -> set[str]:
    return {text[i:i + n] for i in range(len(text) - n + 1)}


@lru_cache(maxsize=512)
def _example_grams(example: str) -> frozenset[str]:
    return frozenset(_grams(example))


def copied_runs(draft: str, examples: Sequence[str], exclude: str = "") -> list[tuple[int, int, int]]:
    """Verbatim runs of at least COPY_NGRAM chars shared with an example: (start, end, example index).

    Runs are maximal chains of consecutive shared n-grams of one example; n-grams that also occur in
    ``exclude`` (the facts' own words) break a run.
    """
    n = COPY_NGRAM
    own = _grams(exclude) if exclude else set()
    runs: list[tuple[int, int, int]] = []
    for ex_i, ex in enumerate(examples):
        grams = _example_grams(ex)
        start = None
        for i in range(len(draft) - n + 2):
            hit = i <= len(draft) - n and (g := draft[i:i + n]) in grams and g not in own
            if hit and start is None:
                start = i
            elif not hit and start is not None:
                runs.append((start, i - 1 + n, ex_i))
                start = None
    return runs


def check_copying(draft: str, facts: Facts, examples: Sequence[str] = ()) -> CheckResult:
    if not examples:
        return CheckResult.from_findings("copying", [], 1.0, {"examples": 0, "longest_run": 0, "overlap": 0.0})
    runs = copied_runs(draft, examples, facts.all_text())
    covered = [False] * len(draft)
    for a, b, _ in runs:
        for i in range(a, b):
            covered[i] = True
    total = max(1, len(draft.replace("\n", "").replace(" ", "")))
    overlap = sum(1 for i, c in enumerate(covered) if c and not draft[i].isspace()) / total
    longest = max(runs, key=lambda r: r[1] - r[0], default=None)
    longest_len = longest[1] - longest[0] if longest else 0
    findings: list[Finding] = []
    if longest and longest_len >= COPY_MAX_RUN:
        a, b, ex = longest
        findings.append(Finding("COPY_LONG_RUN",
                                f"有 {longest_len} 字与范文{ex + 1}逐字相同：“{draft[a:a + 20]}…”", (a, b)))
    if overlap > COPY_MAX_OVERLAP:
        findings.append(Finding("COPY_HIGH_OVERLAP",
                                f"草稿 {overlap:.0%} 的内容与范文逐字重合（上限 {COPY_MAX_OVERLAP:.0%}）"))
    score = 1 - min(1.0, overlap / (2 * COPY_MAX_OVERLAP)) if overlap else 1.0
    if longest_len >= COPY_MAX_RUN:
        score = min(score, 0.5)
    details = {"examples": len(examples), "longest_run": longest_len, "overlap": round(overlap, 4)}
    return CheckResult.from_findings("copying", findings, score, details)
