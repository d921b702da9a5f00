"""Numbers check: every number of the draft must be derivable from the facts, every figure must appear.

``invented_numbers(section_text, facts)`` works on one section (the drafting engine repairs section by
section); ``missing_figures(draft, facts)`` on the whole draft. What counts as derivable is stated in
``rules.py``: the same quantity after unit normalisation; sums are not derivable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from drafter.checks import rules
from drafter.checks.base import WARNING, CheckResult, Finding
from drafter.checks.rules import (
    APPROX_ABOUT,
    APPROX_ABOUT_TOLERANCE,
    APPROX_ABOVE,
    APPROX_BELOW,
    APPROX_TOLERANCE,
    LABEL_WINDOW,
    MEASURE_UNITS,
    SMALL_CHINESE_MAX,
    UNIT_FAMILIES,
)
from drafter.facts import Facts, Figure
from drafter.figure_roles import ACTION_VERB
from drafter.zh.instructions import looks_like_instruction
from drafter.zh.numbers import NumberMention, extract_numbers
from drafter.zh.periods import period_months
from drafter.zh.units import canonical_unit, normalize

# Findings of a date outside the document's period: hard errors, counted as wrong years, cut with their time phrase.
OUTSIDE_PERIOD = frozenset({"NUM_YEAR_OUTSIDE", "NUM_DATE_OUTSIDE"})


@dataclass
class FactIndex:
    """The facts' numbers arranged for lookups."""

    keys: set[tuple[Decimal, str]] = field(default_factory=set)  # (base value, base unit)
    values: dict[Decimal, list[str]] = field(default_factory=dict)  # written or base value → how facts write it
    dates: set[tuple[Decimal, str]] = field(default_factory=set)
    date_values: set[Decimal] = field(default_factory=set)  # 2024 of 2024年 may be cited bare
    by_unit: dict[str, list[Decimal]] = field(default_factory=dict)  # base unit → base values
    unitless: set[Decimal] = field(default_factory=set)  # values the facts give without a unit
    labels: list[tuple[str, Figure]] = field(default_factory=list)
    by_value: dict[Decimal, list[tuple[str, str]]] = field(default_factory=dict)  # value → (base unit, label)
    approx: set[tuple[str, Decimal, str]] = field(default_factory=set)  # (qualifier, base, unit) the facts write
    months: tuple[int, frozenset[int]] | None = None  # (year, months) when the period is part of one year


def index_facts(facts: Facts) -> FactIndex:
    idx = FactIndex(months=period_months(facts.period))
    for n in facts.all_numbers():
        if n.kind == "ordinal":
            continue
        if n.kind == "date":
            idx.dates.add((n.value, n.unit))
            idx.date_values.add(n.value)
            continue
        base, unit = normalize(n.value, n.unit)
        idx.keys.add((base, unit))
        if n.approx:
            idx.approx.add((n.approx, base, unit))
        idx.values.setdefault(n.value, []).append(n.raw)
        idx.values.setdefault(base, []).append(n.raw)
        idx.by_unit.setdefault(unit, []).append(base)
        label = n.label if n.kind == "figure" else ""
        idx.by_value.setdefault(n.value, []).append((unit, label))
        idx.by_value.setdefault(base, []).append((unit, label))
        if not unit:
            idx.unitless.add(n.value)
            idx.unitless.add(base)
    idx.labels = [(f.label, f) for f in facts.figures]
    if rules.ALLOW_SUMS:  # off by default: see rules.py
        keys = [f.key for f in facts.figures]
        for i, (a, unit_a) in enumerate(keys):
            for b, unit_b in keys[i + 1:]:
                if unit_a == unit_b:
                    idx.keys.add(((a + b).normalize(), unit_a))
    return idx


def _is_small_chinese(n: NumberMention) -> bool:
    if n.kind != "chinese" or n.value > SMALL_CHINESE_MAX or n.value != n.value.to_integral():
        return False
    scale, _ = normalize(1, n.unit)
    return scale == 1 and canonical_unit(n.unit) not in MEASURE_UNITS


def _near_label(text: str, n: NumberMention, idx: FactIndex) -> Figure | None:
    """A figure whose label sits right after (九个党支部) or right before (党支部九个) the number."""
    after = text[n.span[1]:n.span[1] + LABEL_WINDOW + 4]
    before = text[max(0, n.span[0] - LABEL_WINDOW - 4):n.span[0]]
    for label, fig in idx.labels:
        if label and (after.startswith(label) or before.endswith(label)):
            return fig
    return None


def approx_fits(qualifier: str, written: Decimal, fact: Decimal) -> bool:
    """Whether an approximate mention (``qualifier`` + ``written``) is true of the fact value ``fact``."""
    if not fact:
        return False
    tolerance = Decimal(str(APPROX_TOLERANCE))
    if qualifier in APPROX_ABOVE:
        return written <= fact and fact - written <= tolerance * fact
    if qualifier in APPROX_BELOW:
        return written >= fact and written - fact <= tolerance * fact
    if qualifier in APPROX_ABOUT:
        return abs(written - fact) <= Decimal(str(APPROX_ABOUT_TOLERANCE)) * fact
    return False


def classify(n: NumberMention, idx: FactIndex, text: str = "") -> str:
    """'ok' | 'invented' | 'wrong_unit' | 'date_unknown' | 'year_outside' | 'ignored' for one draft number."""
    if n.kind == "ordinal":
        return "ignored"
    if n.kind == "date":
        if (n.value, n.unit) in idx.dates:
            return "ok"
        if n.unit == "年" and idx.date_values and n.value not in idx.date_values:
            return "year_outside"  # 2023年 in a summary of 2025: a hard error, not a note
        return "date_unknown"
    base, unit = n.key
    if (base, unit) in idx.keys:
        # 超过/不足 1286 for a fact of 1286 is false (以上/以下 include the number itself)
        # — unless the facts themselves say it so ("近两年来" in an achievement the clerk wrote)
        strict = ("超过", "逾", "不足", "不到", "近", "将近")
        return "approx_false" if n.approx in strict and (n.approx, base, unit) not in idx.approx else "ok"
    if not unit and (n.value in idx.values or base in idx.values or n.value in idx.date_values):
        return "ok"  # a bare 1286 where the facts say 1286名
    if n.value in idx.unitless or base in idx.unitless:
        return "ok"  # the facts give the value without a unit
    if n.approx:
        if any(approx_fits(n.approx, base, fact_value) for fact_value in idx.by_unit.get(unit, [])):
            return "ok"
        if idx.by_unit.get(unit):
            return "approx_false"
    if _is_small_chinese(n):
        if n.value == 1:
            return "ignored"  # 一名党员就是一面旗帜
        fig = _near_label(text, n, idx)
        if fig is None or canonical_unit(fig.unit) not in ("", unit):
            return "ignored"  # discourse count: 三个方面, 一名党员
        return "invented"
    if _same_value_other_unit(n, idx, text):
        return "wrong_unit"
    return "invented"


def _family(unit: str) -> str:
    for i, family in enumerate(UNIT_FAMILIES):
        if unit in family:
            return f"family{i}"
    return unit


def _same_value_other_unit(n: NumberMention, idx: FactIndex, text: str) -> bool:
    """The facts have this value in another unit of the same kind (万元/亿元, %/个百分点, 人/人次), or in any
    unit when the figure's label stands right next to the number (党员1286个)."""
    base, unit = n.key
    before = text[max(0, n.span[0] - 12):n.span[0]]
    after = text[n.span[1]:n.span[1] + 10]
    for value in {n.value, base}:
        for fact_unit, label in idx.by_value.get(value, []):
            if _family(fact_unit) == _family(unit) or (label and (label in before or after.startswith(label))):
                return True
    return False


# Characters of a figure's label that say nothing of what is counted (率, 人, 次 …): a label shares one of its
# other characters with the words around the number, or the number stands without what it counts.
_GENERIC_LABEL_CHARS = frozenset("率度数据量人次个名总计共达为")


def unlabeled(n: NumberMention, text: str, idx: FactIndex, own: str = "") -> Figure | None:
    """The figure a fact number belongs to when the words around it (its clause, up to 14 characters before and
    8 after) share nothing with the figure's label: "一是538户，二是64名" or a rate given to another label
    ("居民满意度达到98.2%" for 诉求办结率98.2%). A clause the facts (``own``) contain word for word is labelled
    as the clerk labelled it ("村集体经营性收入由2019年的3.2万元增加到86.5万元", given as an achievement)."""
    figures = [f for _, f in idx.labels if f.key == n.key and f.label]
    if not figures or n.kind in ("date", "ordinal"):
        return None
    start = max(text.rfind(c, 0, n.span[0]) for c in "，。；：\n、") + 1
    end = min((i for i in (text.find(c, n.span[1]) for c in "，。；\n") if i >= 0), default=len(text))
    if own and len(text[start:end]) >= 8 and text[start:end] in own:
        return None
    before = text[max(start, n.span[0] - 14):n.span[0]]
    after = re.split(r"[，。；、\n]", text[n.span[1]:n.span[1] + 8])[0]
    around = set(before + after)
    if any((set(f.label) - _GENERIC_LABEL_CHARS) & around or not set(f.label) - _GENERIC_LABEL_CHARS
           for f in figures):
        return None
    return figures[0]


# How far before a number the verb that governs it may stand ("认领技术攻关项目32项": 认领, 8 characters before).
VERB_WINDOW = 14
_CLAUSE_MARKS = "，。；：、\n,;"


def _clause_head(text: str, at: int) -> str:
    """The words of ``text`` from the start of the clause around position ``at`` up to ``at``."""
    start = max(text.rfind(c, 0, at) for c in _CLAUSE_MARKS) + 1
    return text[max(start, at - VERB_WINDOW):at]


def figure_verbs(facts: Facts) -> dict[tuple[Decimal, str], set[str]]:
    """Each number of the facts (its comparable key) → the verbs that govern it where the clerk wrote it: the first
    verb of the words before it in its clause ("设立党员创新工作室5个，认领技术攻关项目32项，完成29项": 5 → 设立,
    32 → 认领, 29 → 完成); a number written with no verb before it (党员132名) has none."""
    texts = [text for path, text in facts.items() if not looks_like_instruction(text)]
    texts += [f.text() for f in facts.figures]
    bound: dict[tuple[Decimal, str], set[str]] = {}
    for text in texts:
        for n in extract_numbers(text):
            if n.kind in ("date", "ordinal"):
                continue
            verbs = ACTION_VERB.findall(_clause_head(text, n.span[0]))
            bound.setdefault(n.key, set()).update(verbs[:1])
    return bound


def misbound_numbers(text: str, facts: Facts, bound: dict[tuple[Decimal, str], set[str]] | None = None
                     ) -> list[Finding]:
    """Fact numbers the draft puts under the verb of another number of the same unit: "认领并完成32项" where the
    facts say 认领……32项，完成29项 — every number is right and the sentence is false. The verb nearest before the
    number in its clause decides; it counts only when the facts bind it to other numbers of that unit and never to
    this one ("发展党员132名" for 党员132名 and 发展党员11名 is false too)."""
    bound = figure_verbs(facts) if bound is None else bound
    findings: list[Finding] = []
    for n in extract_numbers(text):
        own = bound.get(n.key)
        if n.kind in ("date", "ordinal") or own is None:
            continue
        others = {verb: key for key, verbs in bound.items() if key[1] == n.key[1] and key != n.key
                  for verb in verbs if verb not in own}
        verbs = ACTION_VERB.findall(_clause_head(text, n.span[0]))
        if not verbs or verbs[-1] not in others:
            continue
        verb = verbs[-1]
        theirs = others[verb]
        # the figures' own texts too: a number entered as a figure (label, value, unit) is not in all_text's wording
        sources = "\n".join([facts.all_text(), *(f.text() for f in facts.figures)])
        written = next((m.raw for m in extract_numbers(sources) if m.key == theirs), "")
        said = f"事实中{verb}的是{written}，" if written else f"事实中“{verb}”后面是另一个数，"
        whose = f"{n.raw}是{'、'.join(sorted(own))}的数" if own else f"{n.raw}不是{verb}的数"
        findings.append(Finding("NUM_MISBOUND", f"“{verb}{n.raw}”与事实不符：{said}{whose}", n.span))
    return findings


def month_outside(n: NumberMention, before: NumberMention | None, idx: FactIndex) -> tuple[int, int] | None:
    """The span of a month ``n`` (with its year just before it, ``before``) that the period leaves out — "截至
    2024年12月" in a summary of 2024年上半年 — or None. A month of another year is left to the year's own check."""
    if idx.months is None or n.unit != "月" or int(n.value) in idx.months[1]:
        return None
    if before is not None and before.kind == "date" and before.unit == "年" and before.span[1] == n.span[0]:
        return (before.span[0], n.span[1]) if int(before.value) == idx.months[0] else None
    return n.span


def invented_numbers(section_text: str, facts: Facts, index: FactIndex | None = None) -> list[Finding]:
    """Findings for numbers in ``section_text`` that the facts do not give, or give under another label
    (spans are in ``section_text``)."""
    idx = index or index_facts(facts)
    own = facts.all_text()
    findings: list[Finding] = []
    mentions = extract_numbers(section_text)
    for i, n in enumerate(mentions):
        verdict = classify(n, idx, section_text)
        if verdict == "date_unknown" and (span := month_outside(n, mentions[i - 1] if i else None, idx)):
            findings.append(Finding("NUM_DATE_OUTSIDE", f"“{section_text[span[0]:span[1]]}”不在本材料的时间范围内"
                                    f"（{idx.months[0]}年{min(idx.months[1])}—{max(idx.months[1])}月）", span))
            continue
        if verdict == "ok" and (fig := unlabeled(n, section_text, idx, own)) is not None:
            findings.append(Finding("NUM_UNLABELED", f"“{n.raw}”前后没有写明是什么数据（事实：{fig.label}{fig.value}{fig.unit}）",
                                    n.span))
        if verdict == "invented":
            findings.append(Finding("NUM_INVENTED", f"“{n.raw}”不在事实中，疑为编造的数字", n.span))
        elif verdict == "wrong_unit":
            written = "、".join(sorted(set(idx.values.get(n.value, []) + idx.values.get(n.key[0], []))))
            findings.append(Finding("NUM_WRONG_UNIT", f"“{n.raw}”与事实“{written}”单位不一致", n.span))
        elif verdict == "approx_false":
            facts_written = "、".join(sorted({raw for v in idx.by_unit.get(n.key[1], []) for raw in idx.values.get(v, [])}))
            findings.append(Finding("NUM_APPROX_FALSE", f"“{n.raw}”与事实“{facts_written}”不符（约数的方向或幅度不对）",
                                    n.span))
        elif verdict == "year_outside":
            years = "、".join(str(int(y)) for y in sorted(idx.date_values) if 1900 <= y <= 2100)
            findings.append(Finding("NUM_YEAR_OUTSIDE", f"年份“{n.raw}”不在本材料的时间范围内（事实中的年份：{years}）",
                                    n.span))
        elif verdict == "date_unknown":
            findings.append(Finding("NUM_DATE_UNKNOWN", f"日期“{n.raw}”不在事实中，请核实", n.span, WARNING))
    return findings + misbound_numbers(section_text, facts)


def figure_present(fig: Figure, mentions: list[NumberMention]) -> NumberMention | None:
    """The first exact mention of the figure (same quantity; a unitless figure matches its value)."""
    key = fig.key
    for n in mentions:
        if n.approx or n.kind in ("date", "ordinal"):
            continue
        if n.key == key or (not fig.unit and (n.value == fig.number or n.key[0] == fig.number)):
            return n
    return None


def missing_figures(draft: str, facts: Facts) -> list[Figure]:
    """Figures of the facts that the draft does not state (absent, approximate, or with another unit)."""
    mentions = extract_numbers(draft)
    return [f for f in facts.figures if figure_present(f, mentions) is None]


def check_numbers(draft: str, facts: Facts) -> CheckResult:
    idx = index_facts(facts)
    mentions = extract_numbers(draft)
    findings = invented_numbers(draft, facts, idx)
    missing = [f for f in facts.figures if figure_present(f, mentions) is None]
    for f in missing:
        findings.append(Finding("FIG_MISSING", f"缺少事实数据：{f.label}{f.value}{f.unit}"))
    checked = [n for n in mentions if n.kind not in ("date", "ordinal")]
    bad = sum(f.code in ("NUM_INVENTED", "NUM_WRONG_UNIT", "NUM_APPROX_FALSE", "NUM_UNLABELED", "NUM_MISBOUND")
              for f in findings)
    coverage = 1 - len(missing) / len(facts.figures) if facts.figures else 1.0
    precision = 1 - bad / len(checked) if checked else 1.0
    details = {
        "numbers": len(checked),
        "figures": len(facts.figures),
        "figures_missing": [f"{f.label}{f.value}{f.unit}" for f in missing],
        "invented": [f.message_zh for f in findings if f.code == "NUM_INVENTED"],
        "figure_coverage": round(coverage, 4),
        "mentions": [
            {"raw": n.raw, "normalized": n.normalized, "span": list(n.span), "kind": n.kind} for n in mentions
        ],
    }
    return CheckResult.from_findings("numbers", findings, (coverage + precision) / 2, details)
