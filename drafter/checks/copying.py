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


@lru_cache(maxsize=64)
def _gram_map(examples: tuple[str, ...]) -> dict[str, tuple[int, ...]]:
    """n-gram → indices of the examples containing it (built once per set of examples)."""
    owners: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        for g in _grams(ex):
            owners.setdefault(g, []).append(i)
    return {g: tuple(v) for g, v in owners.items()}


def copied_runs(draft: str, examples: Sequence[str], exclude: str = "") -> list[tuple[int, int, int]]:
    """Verbatim runs of at least COPY_NGRAM chars shared with an example: (start, end, example index).

    Runs are maximal chains of consecutive n-grams shared with one example; n-grams that also occur in
    ``exclude`` (the facts' own words) break a run. One pass over the draft, whatever the number of examples.
    """
    n = COPY_NGRAM
    owners = _gram_map(tuple(examples))
    own = _grams(exclude) if exclude else set()
    runs: list[tuple[int, int, int]] = []
    open_runs: dict[int, int] = {}  # example index → start of its current run
    last = len(draft) - n
    for i in range(last + 1):
        g = draft[i:i + n]
        hits = owners.get(g)
        if hits is not None and g in own:
            hits = None
        if open_runs:
            for ex in [e for e in open_runs if hits is None or e not in hits]:
                runs.append((open_runs.pop(ex), i - 1 + n, ex))
        if hits:
            for ex in hits:
                open_runs.setdefault(ex, i)
    for ex, start in open_runs.items():
        runs.append((start, len(draft), ex))
    return runs


def _union_length(spans: list[tuple[int, int]]) -> int:
    total, reach = 0, -1
    for a, b in sorted(spans):
        if b > reach:
            total += b - max(a, reach)
            reach = b
    return total


def check_copying(draft: str, facts: Facts, examples: Sequence[str] = ()) -> CheckResult:
    if not examples:
        return CheckResult.from_findings("copying", [], 1.0, {"examples": 0, "longest_run": 0, "overlap": 0.0})
    runs = copied_runs(draft, examples, facts.all_text())
    overlap = min(1.0, _union_length([(a, b) for a, b, _ in runs]) / max(1, len(draft.strip())))
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
