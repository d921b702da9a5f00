"""Length check: the draft's character count (no whitespace or Markdown marks) against ``target_chars``."""

from __future__ import annotations

import re

from drafter.checks.base import INFO, CheckResult, Finding
from drafter.checks.rules import LENGTH_MAX_RATIO, LENGTH_MIN_RATIO
from drafter.facts import Facts
from drafter.zh.instructions import looks_like_instruction

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
        findings.append(Finding("LEN_SHORT", f"草稿 {n} 字，少于目标 {target} 字（宜在 {low}–{high} 字）"
                                + thin_material_hint(facts)))
    elif ratio > LENGTH_MAX_RATIO:
        findings.append(Finding("LEN_LONG", f"草稿 {n} 字，多于目标 {target} 字（宜在 {low}–{high} 字）"))
    return CheckResult.from_findings("length", findings, max(0.0, 1 - abs(1 - ratio)),
                                     {"chars": n, "target": target, "ratio": round(ratio, 3)})


# Characters of draft one line of the clerk's activities carries without invented detail (a 做法 paragraph of
# purpose, the fact, how it was carried through and what it did: 90–180 字 in the 1.5B model's drafts).
CHARS_PER_ACTIVITY = 250


def thin_material_hint(facts: Facts) -> str:
    """What to add when the facts cannot carry the target: the writer states them with the genre's phrasing
    and does not pad them with invented activities, so a short draft asks the clerk for material."""
    activities = [a for a in facts.activities if a.strip() and not looks_like_instruction(a)]  # set aside: not drafted
    framed = sum(len(x) for x in [*facts.achievements, *facts.problems, *facts.plans]) + 40 * len(facts.figures)
    if (facts.target_chars or 0) - framed <= CHARS_PER_ACTIVITY * max(1, len(activities)):
        return ""
    return (f"；录入的主要做法只有 {len(activities)} 条，按现有素材写不到目标字数（程序不编造做法）："
            "请补充每项工作怎么做的、有什么数据和成效，或调低目标字数")
