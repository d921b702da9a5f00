"""Political and normative check (政治性差错): the worst mistakes a party document can carry.

Hard findings, repaired or removed by verification like an invented number:

- POL_LEADER — a national leader's name the facts do not contain, outside an allowed formulation;
- POL_BODY — national bodies, state offices and leaders' titles (全国人大, 国务院, 中央委员会, 委员长 …);
- POL_SESSION — numbered sessions and congresses (第166届, 第二十七届, 十八届三中全会) outside a formulation;
- POL_STATE — 中华人民共和国 used of the unit or its work;
- POL_OUTDATED / POL_ANACHRONISM — a formulation outside its years (十八大精神 as current guidance in 2025,
  党史学习教育 in 2011);
- POL_PLACE — a province, or a city/county/district name, that the facts do not name (湖北省张家界).

All rules are data (``data/political.yaml``), reviewed by tests/test_political.py with correct and wrong
sentences. Anything the unit's own facts contain is allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from drafter.checks.base import CheckResult, Finding
from drafter.facts import Facts

_YEAR = re.compile(r"(19|20)\d{2}(?=年)")


@dataclass(frozen=True)
class Formulation:
    pattern: re.Pattern[str]
    start: int | None
    end: int | None


@dataclass(frozen=True)
class PoliticalRules:
    leaders: re.Pattern[str]
    bodies: re.Pattern[str]
    sessions: tuple[re.Pattern[str], ...]
    state_name: str
    state_allowed: tuple[str, ...]
    formulations: tuple[Formulation, ...]
    provinces: re.Pattern[str]
    places: re.Pattern[str]
    place_stopwords: frozenset[str]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def rules() -> PoliticalRules:
    data: dict[str, Any] = yaml.safe_load(
        resources.files("drafter.checks").joinpath("data/political.yaml").read_text("utf-8"))
    suffixes = "".join(data["place_suffixes"])
    return PoliticalRules(
        leaders=re.compile(_alternation(data["leaders"])),
        bodies=re.compile(_alternation(data["bodies"])),
        sessions=tuple(re.compile(p) for p in data["session_patterns"]),
        state_name=data["state_name"],
        state_allowed=tuple(data["state_name_allowed"]),
        formulations=tuple(Formulation(re.compile(f["pattern"]), f.get("from"), f.get("to"))
                           for f in data["formulations"]),
        provinces=re.compile(rf"(?:{_alternation(data['provinces'])})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)?"),
        # a 2–4 character name and its suffix: 张家界市, 六合区, 青石县 (the stem must not be a common word)
        places=re.compile(rf"[\u4e00-\u9fff]{{2,4}}[{suffixes}]"),
        place_stopwords=frozenset(data["place_stopwords"]),
    )


def document_year(facts: Facts) -> int | None:
    """The year the document speaks for: the latest year in its period, or in its date."""
    for source in (facts.period or "", facts.date or "", facts.title or ""):
        years = [int(m.group(0)) for m in _YEAR.finditer(source)]
        if years:
            return max(years)
    return None


def _covered(span: tuple[int, int], allowed: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in allowed)


def names_politics(text: str) -> bool:
    """Whether ``text`` names a leader, a national body, a numbered session or a 提法 of the rules file."""
    r = rules()
    return bool(r.leaders.search(text) or r.bodies.search(text) or any(p.search(text) for p in r.sessions)
                or any(f.pattern.search(text) for f in r.formulations))


def political_findings(text: str, facts: Facts) -> list[Finding]:
    r = rules()
    own = " ".join(x for x in (facts.all_text(), facts.unit, facts.signature or "", facts.title or "") if x)
    year = document_year(facts)
    found: list[Finding] = []
    allowed: list[tuple[int, int]] = []
    for f in r.formulations:
        for m in f.pattern.finditer(text):
            span = (m.start(), m.end())
            allowed.append(span)
            if year is None or m.group(0) in own:
                continue
            if f.start is not None and year < f.start:
                found.append(Finding("POL_ANACHRONISM", f"“{m.group(0)}”是{f.start}年起才有的提法，与本材料的{year}年不符",
                                     span))
            elif f.end is not None and year > f.end:
                found.append(Finding("POL_OUTDATED", f"“{m.group(0)}”是{f.end}年以前的提法，{year}年的材料不宜再用",
                                     span))
    for m in r.leaders.finditer(text):
        if m.group(0) not in own and not _covered((m.start(), m.end()), allowed):
            found.append(Finding("POL_LEADER", f"出现国家领导人姓名“{m.group(0)}”，事实中没有，属严重政治性差错",
                                 (m.start(), m.end())))
    for m in r.bodies.finditer(text):
        if m.group(0) not in own and not _covered((m.start(), m.end()), allowed):
            found.append(Finding("POL_BODY", f"出现“{m.group(0)}”，事实中没有，不能把本单位与国家机构、职务相混",
                                 (m.start(), m.end())))
    for pattern in r.sessions:
        for m in pattern.finditer(text):
            if m.group(0) not in own and not _covered((m.start(), m.end()), allowed):
                found.append(Finding("POL_SESSION", f"出现届次“{m.group(0)}”，事实中没有，疑为编造",
                                     (m.start(), m.end())))
    for m in re.finditer(re.escape(r.state_name), text):
        context = text[max(0, m.start() - 1):m.end() + 4]  # one character before: 《中华人民共和国…法》
        if r.state_name in own or any(a in context for a in r.state_allowed):
            continue
        found.append(Finding("POL_STATE", "用“中华人民共和国”描述本单位或其工作，属严重表述错误", (m.start(), m.end())))
    found.extend(_place_findings(text, own, r))
    return sorted(found, key=lambda f: f.span or (0, 0))


def _place_findings(text: str, own: str, r: PoliticalRules) -> list[Finding]:
    found: list[Finding] = []
    for m in r.provinces.finditer(text):
        name = m.group(0)
        stem = re.sub(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)$", "", name)
        if stem not in own:
            found.append(Finding("POL_PLACE", f"地名“{name}”不在事实中，请核实（不得写错本单位所在地）", (m.start(), m.end())))
    taken = [f.span for f in found]
    for m in r.places.finditer(text):
        span = (m.start(), m.end())
        word = m.group(0)
        if any(a < span[1] and span[0] < b for a, b in taken):
            continue
        # the longest tail of the match that is a place-like word: 开展张家界市 → try 张家界市, 家界市 …
        candidates = [word[i:] for i in range(len(word) - 2)]
        name = next((c for c in candidates if c[:-1] and _is_place_stem(c, r)), None)
        # … a tail of it that the facts name is their own place after a word jieba joined to it (现将泊川县…)
        if name is None or any(t in own or t[:-1] in own for t in (name[i:] for i in range(len(name) - 2))):
            continue
        start = span[1] - len(name)
        found.append(Finding("POL_PLACE", f"地名“{name}”不在事实中，请核实", (start, span[1])))
    return found


def _is_place_stem(word: str, r: PoliticalRules) -> bool:
    """A word ending in 省/市/县/区/州… that jieba knows as a place name (ns), and is no common word."""
    if word in r.place_stopwords or any(word.endswith(s) for s in r.place_stopwords if len(s) >= 2):
        return False
    return _jieba_place(word)


@lru_cache(maxsize=4096)
def _jieba_place(word: str) -> bool:
    """jieba's part-of-speech dictionary knows the word, or its stem before the suffix, as a place (ns)."""
    import logging

    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(logging.WARNING)
    tokens = list(pseg.cut(word))
    if len(tokens) == 1 and tokens[0].flag == "ns":
        return True
    stem = list(pseg.cut(word[:-1]))
    return len(stem) == 1 and stem[0].flag == "ns" and len(stem[0].word) >= 2


def check_political(draft: str, facts: Facts) -> CheckResult:
    findings = political_findings(draft, facts)
    return CheckResult.from_findings("political", findings, 0.0 if findings else 1.0,
                                     {"errors": len(findings), "year": document_year(facts)})
