"""Leave-one-out cases built at run time from real documents (never stored in the repo).

For each real summary of a corpus directory, ``facts_from_document`` takes its facts — figures of its sections
(read with ``drafter.zh.numbers``), activities from the 主要做法 sub-headings, achievements, problems and plans
from the sentences of those sections — so the runner can draft the same summary with that document excluded
from retrieval and compare the draft with the real one (``compare_with_reference``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drafter.checks.base import CheckResult, Finding
from drafter.checks.figures import figure_present
from drafter.checks.structure import heading_title, strip_markup
from drafter.facts import MAX_ITEM_CHARS, MAX_ITEMS, Facts, validate_facts
from drafter.zh.headings import parse_headings
from drafter.zh.numbers import extract_numbers
from drafter.zh.numerals import format_decimal
from drafter.zh.sentences import sentence_pieces

SUMMARY_GENRES = ("工作总结", "汇报材料", "经验材料")
MIN_STRUCTURE_MATCH = 0.5  # sequence similarity of the level-1 section types, draft vs the real document
MIN_FIGURE_COVERAGE = 0.8
_ENUM_PREFIX = re.compile(r"^\s*(?:[一二三四五六七八九十]+是|其[一二三四五六七八九十]|[（(]?\d+[）).、．]|[①-⑩])\s*")
_LABEL_STOP = re.compile(r"[，,。；;：:、（）()“”\"《》\s]")
_LABEL_TRIM = re.compile(r"^(?:其中|共有|现有|共|有|达到|达|为|了|计|累计|全年|先后|已|均)+|(?:共有|现有|共|有|达到|达|为|计|累计|约|近)+$")


@dataclass
class LooCase:
    case_id: str  # "loo-<doc_id>"
    doc_id: str
    facts: Facts
    reference: str  # the real document's text (kept in memory only)
    source: str


def _sentences(text: str, limit: int) -> list[str]:
    out: list[str] = []
    for m in sentence_pieces(text, "。；;！？"):
        s = _ENUM_PREFIX.sub("", m.group().strip()).strip("。；; ")
        if len(s) >= 6:
            out.append(s[:MAX_ITEM_CHARS])
        if len(out) >= limit:
            break
    return out


def _label_before(text: str, start: int) -> str:
    window = text[max(0, start - 14):start]
    label = _LABEL_STOP.split(window)[-1]
    label = _LABEL_TRIM.sub("", label)
    return label[-10:]


# A clerk's fact sheet gives a document's main statistics, not every number in it: one real document yielded 70
# figures, many with broken labels ("0名品学兼优留守儿童", "锦涛总书记在七一建党"), which the results frame then
# stated in one sentence.
LOO_MAX_FIGURES = 12
_NOT_A_STATISTIC = ("周年", "届", "次全会", "大")  # 建党90周年, 第十七届, 十七大: 提法, not figures
_LEADER = re.compile(r"总书记|主席|总理|委员长|同志")


def document_figures(text: str) -> list[dict[str, str]]:
    """Figures of a text as facts entries: the first ``LOO_MAX_FIGURES`` exact numbers with a unit and a label
    of at least two characters (the words before it), none a 提法 or a leader's words."""
    figures: list[dict[str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for n in extract_numbers(text):
        if n.kind in ("date", "ordinal") or n.approx or not n.unit or n.unit in _NOT_A_STATISTIC:
            continue
        if n.kind == "chinese" and n.value <= 10:
            continue  # 三个方面: discourse, not a statistic
        label = _label_before(text, n.span[0])
        if len(re.findall(r"[\u4e00-\u9fff]", label)) < 2 or _LEADER.search(label) or re.search(r"\d", label):
            continue
        entry = (label, format_decimal(n.value), n.unit)
        if entry in seen:
            continue
        seen.add(entry)
        figures.append({"label": label, "value": entry[1], "unit": n.unit})
        if len(figures) >= LOO_MAX_FIGURES:
            break
    return figures


def _unit_of(doc: Any) -> str:
    if getattr(doc, "signature", None):
        return str(doc.signature)[:100]
    title = str(getattr(doc, "title", "") or "")
    m = re.match(r"^(.{2,30}?)(?:关于|\d{4}年|二〇|创先争优|开展|深入|在|的|工作|活动)", title)
    return (m.group(1) if m else title[:20]) or "原文单位"


def facts_from_document(doc: Any) -> Facts:
    """Facts taken from a ``vectorstore`` ParsedDocument (duck-typed: title, genre, unit_type, year, signature,
    date, text, sections with section_type/level/title/text/children)."""
    activities: list[str] = []
    achievements: list[str] = []
    problems: list[str] = []
    plans: list[str] = []
    for section in doc.sections:
        kind = getattr(section, "section_type", "")
        children = [c for c in getattr(section, "children", [])]
        child_titles = [re.split(r"[。；:：]", c.title, maxsplit=1)[0].strip() for c in children]
        child_titles = [t[:MAX_ITEM_CHARS] for t in child_titles if len(t) >= 4]
        if kind == "主要做法":
            # sub-headings are the practices; a 经验材料's themed level-1 heading is one practice itself
            if child_titles:
                activities += child_titles
            elif section.level:
                activities.append(re.split(r"[，,。]", section.title)[0])
        elif kind == "取得成效":
            achievements += child_titles or _sentences(section.text, 3)
        elif kind == "存在问题":
            problems += _sentences(section.text, 4) or child_titles
        elif kind == "下一步打算":
            plans += child_titles or _sentences(section.text, 4)
        # 存在问题 written as the last sub-item of 工作开展情况 (a real pattern): take it as problems
        for c, t in zip(children, child_titles, strict=False):
            if "问题" in t and kind != "存在问题":
                problems += _sentences(c.text, 4)
    figures = document_figures(doc.text)
    year = getattr(doc, "year", None)
    data: dict[str, Any] = {
        "genre": doc.genre if doc.genre in SUMMARY_GENRES else "工作总结",
        "title": (doc.title or "")[:100] or None,
        "unit": _unit_of(doc),
        "unit_type": getattr(doc, "unit_type", None),
        "period": f"{year}年" if year else None,
        "figures": figures,
        "activities": _dedupe(activities)[:MAX_ITEMS],
        "achievements": _dedupe(achievements)[:MAX_ITEMS],
        "problems": _dedupe(problems)[:MAX_ITEMS],
        "plans": _dedupe(plans)[:MAX_ITEMS],
        "signature": getattr(doc, "signature", None),
        "date": getattr(doc, "date", None),
        "target_chars": min(20000, max(200, len(re.sub(r"\s", "", doc.text)))),
    }
    return validate_facts({k: v for k, v in data.items() if v is not None})


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        item = item.strip()
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


def loo_cases(corpus_dir: str | Path) -> list[LooCase]:
    """One case per real summary (工作总结/汇报材料/经验材料) found in ``corpus_dir``."""
    from vectorstore.pipeline import parse_path  # the corpus pipeline owns parsing

    cases: list[LooCase] = []
    for path in sorted(Path(corpus_dir).resolve().iterdir()):  # the store names sources by absolute path
        if not path.is_file():
            continue
        for doc in parse_path(path):
            if doc.genre not in SUMMARY_GENRES or not doc.sections:
                continue
            facts = facts_from_document(doc)
            cases.append(LooCase(f"loo-{doc.doc_id}", doc.doc_id, facts, doc.text, str(path)))
    return cases


# --- comparison with the real document -------------------------------------------------------------------


def section_types(text: str) -> list[str]:
    """Canonical types of the level-1 sections of a text, with the corpus pipeline's classifier."""
    from vectorstore.classify import classify_section

    return [classify_section(heading_title(h)) for h in parse_headings(strip_markup(text)) if h.level == 1]


def _cjk(text: str) -> str:
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")


def bigram_f1(draft: str, reference: str) -> float:
    """F1 of the multisets of CJK character bigrams of the two texts."""
    from collections import Counter

    a, b = _cjk(draft), _cjk(reference)
    da, db = Counter(a[i:i + 2] for i in range(len(a) - 1)), Counter(b[i:i + 2] for i in range(len(b) - 1))
    overlap = sum((da & db).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(da.values()), overlap / sum(db.values())
    return 2 * p * r / (p + r)


def rouge_l(draft: str, reference: str) -> float:
    """ROUGE-L F1 on CJK characters (longest common subsequence, one rolling row)."""
    a, b = _cjk(draft), _cjk(reference)
    if not a or not b:
        return 0.0
    prev = [0] * (len(b) + 1)
    for ch in a:
        row = [0]
        for j, other in enumerate(b, 1):
            row.append(prev[j - 1] + 1 if ch == other else max(prev[j], row[j - 1]))
        prev = row
    lcs = prev[-1]
    if not lcs:
        return 0.0
    p, r = lcs / len(a), lcs / len(b)
    return 2 * p * r / (p + r)


def compare_with_reference(draft: str, reference: str, facts: Facts) -> CheckResult:
    """Structure match (section types in order) and figure coverage of a leave-one-out draft."""
    ref_types, draft_types = section_types(reference), section_types(draft)
    match = difflib.SequenceMatcher(None, ref_types, draft_types).ratio() if ref_types or draft_types else 1.0
    mentions = extract_numbers(draft)
    present = sum(figure_present(f, mentions) is not None for f in facts.figures)
    coverage = present / len(facts.figures) if facts.figures else 1.0
    findings: list[Finding] = []
    if match < MIN_STRUCTURE_MATCH:
        findings.append(Finding("REF_STRUCTURE", f"结构与原文差异大：原文 {' / '.join(ref_types) or '无'}；"
                                f"草稿 {' / '.join(draft_types) or '无'}（相似度 {match:.0%}）"))
    if coverage < MIN_FIGURE_COVERAGE:
        findings.append(Finding("REF_FIGURES", f"原文数据仅覆盖 {present}/{len(facts.figures)}（{coverage:.0%}）"))
    details = {"reference_sections": ref_types, "draft_sections": draft_types, "structure_match": round(match, 4),
               "figure_coverage": round(coverage, 4), "bigram_f1": round(bigram_f1(draft, reference), 4),
               "rouge_l": round(rouge_l(draft, reference), 4)}
    return CheckResult.from_findings("reference", findings, (match + coverage) / 2, details)
