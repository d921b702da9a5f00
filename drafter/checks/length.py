"""Length check: the draft's character count (no whitespace or Markdown marks) against ``target_chars``."""

from __future__ import annotations

import re

from drafter.checks.base import INFO, CheckResult, Finding
from drafter.checks.rules import LENGTH_MAX_RATIO, LENGTH_MIN_RATIO
from drafter.facts import Facts

_NOT_COUNTED = re.compile(r"\s|[#*>_`]")


def count_chars(text: str) -> int:
    """字数 as clerks count it: every character except whitespace and Markdown marks."""
    return len(_NOT_COUNTED.sub("", text))


def check_length(draft: str, facts: Facts) -> CheckResult:
    n = count_chars(draft)
    target = facts.target_chars
    if not target:
        return CheckResult.from_findings(
            "length", [Finding("LEN_NO_TARGET", f"未设定目标字数；草稿 {n} 字", None, INFO)], 1.0, {"chars": n})
    ratio = n / target
    findings: list[Finding] = []
    low, high = round(target * LENGTH_MIN_RATIO), round(target * LENGTH_MAX_RATIO)
    if ratio < LENGTH_MIN_RATIO:
        findings.append(Finding("LEN_SHORT", f"草稿 {n} 字，少于目标 {target} 字（宜在 {low}–{high} 字）"))
    elif ratio > LENGTH_MAX_RATIO:
        findings.append(Finding("LEN_LONG", f"草稿 {n} 字，多于目标 {target} 字（宜在 {low}–{high} 字）"))
    return CheckResult.from_findings("length", findings, max(0.0, 1 - abs(1 - ratio)),
                                     {"chars": n, "target": target, "ratio": round(ratio, 3)})
