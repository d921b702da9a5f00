"""Coverage check: each activity, achievement, problem and plan of the facts is reflected in the draft.

Fuzzy match: the share of the item's character bigrams found in the best window of a few consecutive
sentences of the draft (paraphrase keeps most bigrams; an absent item keeps few). Numbers inside an item
(举办党课培训12期) must appear exactly. Items that read like instructions to the model
(``drafter.zh.instructions``) are skipped.
"""

from __future__ import annotations

import re

from drafter.checks.base import INFO, CheckResult, Finding
from drafter.checks.rules import COVERAGE_MIN_RECALL, COVERAGE_WINDOW_SENTENCES, genre_rule
from drafter.facts import Facts
from drafter.zh.instructions import looks_like_instruction
from drafter.zh.numbers import extract_numbers
from drafter.zh.sentences import sentence_spans

_FIELD_NAMES = {"activities": "主要做法", "achievements": "取得成效", "problems": "存在问题", "plans": "下一步打算"}
_NOISE = re.compile(r"[^\w]|_", re.UNICODE)


def bigrams(text: str) -> set[str]:
    s = _NOISE.sub("", text)
    return {s[i:i + 2] for i in range(len(s) - 1)} if len(s) > 1 else ({s} if s else set())


def _windows(draft: str) -> list[tuple[int, int, set[str]]]:
    """Windows of COVERAGE_WINDOW_SENTENCES consecutive sentences (recall only grows with the window, so
    shorter windows never score better and are not built)."""
    bounds = sentence_spans(draft)
    sentence_grams = [bigrams(draft[a:b]) for a, b in bounds]
    k = COVERAGE_WINDOW_SENTENCES
    out: list[tuple[int, int, set[str]]] = []
    for i in range(max(1, len(bounds) - k + 1)):
        j = min(i + k, len(bounds))
        if i >= j:
            break
        out.append((bounds[i][0], bounds[j - 1][1], set().union(*sentence_grams[i:j])))
    return out


def sentence_windows(draft: str) -> list[tuple[int, int, set[str]]]:
    """The windows of consecutive sentences coverage is measured over, for callers that repair coverage."""
    return _windows(draft)


def item_recall(item: str, windows: list[tuple[int, int, set[str]]]) -> tuple[float, tuple[int, int] | None]:
    """Best bigram recall of ``item`` over the draft's windows, with that window's span."""
    grams = bigrams(item)
    if not grams:
        return 1.0, None
    best, span = 0.0, None
    for a, b, w in windows:
        r = len(grams & w) / len(grams)
        if r > best:
            best, span = r, (a, b)
    return best, span


def missing_items(draft: str, facts: Facts) -> list[tuple[str, str]]:
    """(path, text) of the items the draft does not reflect (fuzzy), for the engine's repair loop."""
    fields = genre_rule(facts.genre).coverage_fields
    windows = _windows(draft)
    return [
        (path, text) for path, text in facts.items()
        if path.split("[")[0] in fields and not looks_like_instruction(text)
        and item_recall(text, windows)[0] < COVERAGE_MIN_RECALL
    ]


def check_coverage(draft: str, facts: Facts) -> CheckResult:
    fields = genre_rule(facts.genre).coverage_fields
    windows = _windows(draft)
    draft_keys = {n.key for n in extract_numbers(draft) if not n.approx}
    findings: list[Finding] = []
    total = reflected = 0
    recalls: dict[str, float] = {}
    for path, text in facts.items():
        name = path.split("[")[0]
        if name not in fields:
            continue
        if looks_like_instruction(text):
            findings.append(Finding("COV_INSTRUCTION_SKIPPED",
                                    f"{path} 像是对模型的指令而非事实，已忽略：“{text[:30]}”", None, INFO))
            continue
        total += 1
        recall, span = item_recall(text, windows)
        recalls[path] = round(recall, 3)
        short = text if len(text) <= 30 else text[:30] + "…"
        if recall < COVERAGE_MIN_RECALL:
            findings.append(Finding("COV_MISSING", f"{_FIELD_NAMES[name]}未体现：“{short}”（{path}）"))
            continue
        lost = [n.raw for n in extract_numbers(text)
                if n.kind not in ("date", "ordinal") and not n.approx and n.key not in draft_keys]
        if lost:
            findings.append(Finding("COV_NUMBER_MISSING",
                                    f"“{short}”中的数字“{'、'.join(lost)}”未在草稿中出现（{path}）", span))
            continue
        reflected += 1
    score = reflected / total if total else 1.0
    return CheckResult.from_findings("coverage", findings, score, {"items": total, "recall": recalls})
