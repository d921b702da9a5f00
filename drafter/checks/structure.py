"""Structure check: title, heading numbering (一、（一）1.（1）) in order and per level, conventional
punctuation, required sections of the genre (see ``rules.py``), signature and date at the end."""

from __future__ import annotations

import re
from dataclasses import dataclass

from drafter.checks.base import ERROR, WARNING, CheckResult, Finding
from drafter.checks.rules import (
    SIGNATURE_TAIL_LINES,
    TITLE_MAX_CHARS,
    GenreRule,
    SectionRule,
    genre_rule,
)
from drafter.facts import Facts
from drafter.zh.headings import Heading, parse_headings
from drafter.zh.numbers import extract_numbers
from drafter.zh.numerals import to_chinese

LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
_STANDARD_MARKERS = {1: "一、", 2: "（一）", 3: "1.", 4: "（1）"}
_MARKUP_RE = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]*)|\*\*|__", re.MULTILINE)


def strip_markup(text: str) -> str:
    """Blank out Markdown marks (# headings, **bold**, > quotes) keeping every offset: same length out."""
    return _MARKUP_RE.sub(lambda m: " " * len(m.group()), text)


def _marker(level: int, ordinal: int) -> str:
    if level in (1, 2):
        cn = to_chinese(ordinal)
        return f"{cn}、" if level == 1 else f"（{cn}）"
    return f"{ordinal}." if level == 3 else f"（{ordinal}）"


def heading_title(h: Heading) -> str:
    """The heading's own words: the title up to the first full stop (1. 有安排。一是… → 有安排)."""
    return re.split(r"[。！？；:：]", h.title, maxsplit=1)[0][:40]


@dataclass(frozen=True)
class Section:
    heading: Heading | None  # None for the text before the first level-1 heading
    start: int
    end: int


def split_sections(draft: str) -> list[Section]:
    """The draft cut at its level-1 headings: the preamble (title, opening) then one Section per heading."""
    headings = [h for h in parse_headings(strip_markup(draft)) if h.level == 1]
    sections: list[Section] = []
    starts = [h.start for h in headings] + [len(draft)]
    if not headings or headings[0].start > 0:
        sections.append(Section(None, 0, starts[0]))
    for h, end in zip(headings, starts[1:], strict=True):
        sections.append(Section(h, h.start, end))
    return sections


def find_section(headings: list[Heading], rule: SectionRule) -> Heading | None:
    """The first heading whose title names the section (by any synonym)."""
    for h in headings:
        title = heading_title(h)
        if any(s in title for s in rule.synonyms):
            return h
    return None


def _date_parts(text: str) -> set[tuple[int, str]]:
    return {(int(n.value), n.unit) for n in extract_numbers(text) if n.kind == "date"}


def check_structure(draft: str, facts: Facts) -> CheckResult:
    rule = genre_rule(facts.genre)
    text = strip_markup(draft)
    findings: list[Finding] = []
    lines: list[tuple[int, str]] = []  # (offset, line) of non-empty lines
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            lines.append((offset, line))
        offset += len(line) + 1
    if not lines:
        return CheckResult.from_findings("structure", [Finding("STRUCT_EMPTY", "草稿为空")], 0.0)

    headings = parse_headings(text)
    first_off, first_line = lines[0]
    title = first_line.strip()
    if (headings and headings[0].start == first_off) or len(title) > TITLE_MAX_CHARS or title.endswith(
            ("。", "，", "；", "！", "？")):
        findings.append(Finding("STRUCT_NO_TITLE", "缺少标题：第一行应为标题（不带序号、不以句号结尾）",
                                (first_off, first_off + len(first_line))))
    elif facts.title and title.replace(" ", "") != facts.title.replace(" ", ""):
        findings.append(Finding("STRUCT_TITLE_MISMATCH", f"标题“{title}”与给定标题“{facts.title}”不一致",
                                (first_off, first_off + len(first_line)), WARNING))

    if not headings:
        findings.append(Finding("STRUCT_NO_HEADINGS", "没有任何层次标题（一、（一）1.（1））"))
    findings += _numbering(headings)
    findings += _sections(headings, facts, rule)
    findings += _ending(lines, facts)
    n_err = sum(f.severity == ERROR for f in findings)
    n_warn = sum(f.severity == WARNING for f in findings)
    details = {"headings": [{"level": h.level, "marker": h.marker, "title": heading_title(h)} for h in headings]}
    return CheckResult.from_findings("structure", findings, 1 - 0.15 * n_err - 0.05 * n_warn, details)


def _numbering(headings: list[Heading]) -> list[Finding]:
    findings: list[Finding] = []
    counters = {1: 0, 2: 0, 3: 0, 4: 0}
    for h in headings:
        span = (h.start, h.end)
        level = h.level
        if level > 1 and counters[level - 1] == 0:
            parent = LEVEL_NAMES[level - 1]
            findings.append(Finding("STRUCT_SKIP_LEVEL",
                                    f"“{h.marker}{heading_title(h)}”跳级：{LEVEL_NAMES[level]}标题前缺少{parent}标题",
                                    span))
        expected = counters[level] + 1
        if h.ordinal > expected:
            findings.append(Finding("STRUCT_SKIP_NUMBER",
                                    f"标题序号跳号：应为“{_marker(level, expected)}”，实际为“{h.marker}”", span))
        elif h.ordinal < expected:
            prev = _marker(level, counters[level])
            what = "重复" if h.ordinal == counters[level] else "顺序颠倒"
            findings.append(Finding("STRUCT_ORDER", f"标题序号{what}：“{h.marker}”出现在“{prev}”之后", span))
        counters[level] = max(counters[level], h.ordinal)
        for deeper in range(level + 1, 5):
            counters[deeper] = 0
        if not h.standard:
            findings.append(Finding("STRUCT_PUNCT",
                                    f"{LEVEL_NAMES[level]}标题“{h.marker}”标点不规范，应写作“{_STANDARD_MARKERS[level]}”式",
                                    span))
        if not h.title:
            findings.append(Finding("STRUCT_EMPTY_HEADING", f"标题“{h.marker}”后没有文字", span, WARNING))
    return findings


def _sections(headings: list[Heading], facts: Facts, rule: GenreRule) -> list[Finding]:
    findings: list[Finding] = []
    level1 = [h for h in headings if h.level == 1]
    if len(level1) < rule.min_level1:
        findings.append(Finding("STRUCT_TOO_FEW_SECTIONS",
                                f"{facts.genre}至少应有 {rule.min_level1} 个一级标题，实际 {len(level1)} 个"))
    positions: list[tuple[int, str]] = []
    for section in rule.sections:
        found = find_section(headings, section)
        needed = (section.required == "always" or (section.required == "if_problems" and facts.problems)
                  or (section.required == "if_plans" and facts.plans))
        if found is None and needed:
            names = "、".join(section.synonyms[:4])
            findings.append(Finding("STRUCT_MISSING_SECTION",
                                    f"缺少“{section.name}”部分（标题可用：{names}等）"))
        elif found is not None and not needed and section.required in ("if_problems", "if_plans"):
            findings.append(Finding("STRUCT_UNEXPECTED_SECTION",
                                    f"事实中没有{section.name}，草稿却有“{found.marker}{heading_title(found)}”，请核实",
                                    (found.start, found.end), WARNING))
        if found is not None and found.level == 1:
            positions.append((found.start, section.key))
    if rule.order:
        keys = [k for _, k in sorted(positions)]
        expected = [k for k in rule.order if k in keys]
        if keys != expected:
            names = {s.key: s.name for s in rule.sections}
            findings.append(Finding("STRUCT_SECTION_ORDER",
                                    "各部分顺序宜为：" + " → ".join(names[k] for k in expected), None, WARNING))
    return findings


def _ending(lines: list[tuple[int, str]], facts: Facts) -> list[Finding]:
    findings: list[Finding] = []
    tail = lines[-SIGNATURE_TAIL_LINES:]
    tail_text = "\n".join(line for _, line in tail)
    compact = re.sub(r"\s+", "", tail_text)
    if facts.signature and re.sub(r"\s+", "", facts.signature) not in compact:
        findings.append(Finding("STRUCT_NO_SIGNATURE", f"文末缺少落款“{facts.signature}”"))
    if facts.date:
        wanted = _date_parts(facts.date)
        if wanted and not wanted <= _date_parts(tail_text) and re.sub(r"\s+", "", facts.date) not in compact:
            findings.append(Finding("STRUCT_NO_DATE", f"文末缺少日期“{facts.date}”"))
    return findings
