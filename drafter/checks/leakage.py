"""Leakage check: text of another unit in the draft — place and organisation names, person names and
distinctive figures that occur in the retrieved examples (or in the corpus' name list) but not in the facts —
and signs that the model obeyed an instruction planted in the facts or talked about its prompt.

Names are found in the examples by context (a place suffix such as 镇/县/街道/中学; a surname next to a
title such as 书记/同志) and confirmed with jieba's dictionary: a candidate that jieba knows as an ordinary
word (高度, 示范区) is not a name.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import lru_cache

from drafter.checks.base import CheckResult, Finding
from drafter.checks.figures import classify, index_facts
from drafter.checks.rules import (
    COMMON_COMPOUNDS,
    GENERIC_PLACE_WORDS,
    NAME_MAX_FREQ,
    PERSON_TITLES,
    PLACE_BAD_CHARS,
    PLACE_SUFFIXES,
    PROMPT_LEAK_RE,
    SURNAMES,
    WORD_MAX_FREQ,
)
from drafter.facts import Facts
from drafter.zh.numbers import extract_numbers

_PLACE_SUFFIX_RE = re.compile("|".join(sorted(PLACE_SUFFIXES, key=len, reverse=True)))
_TITLES = "|".join(sorted(PERSON_TITLES, key=len, reverse=True))
_PERSON_AFTER_TITLE = re.compile(rf"(?:{_TITLES}|领导)([{SURNAMES}][\u4e00-\u9fa5]{{1,2}})")
_PERSON_BEFORE_TITLE = re.compile(rf"([{SURNAMES}][\u4e00-\u9fa5]{{1,2}}?)(?:{_TITLES})")
_NAME = rf"[{SURNAMES}][\u4e00-\u9fa5]{{1,2}}"
_PERSON_LIST = re.compile(rf"(?:{_TITLES}|领导)((?:{_NAME}、)+{_NAME})(?=[，,。；等同先在])")


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # loads the word frequencies used below (cached by jieba on disk)
    return jieba, jieba.posseg.dt.word_tag_tab


def _flag(word: str) -> str | None:
    return _jieba()[1].get(word)


def _freq(word: str) -> int | None:
    return _jieba()[0].dt.FREQ.get(word) or None


def _is_known_name(word: str) -> bool:
    """jieba knows ``word`` as a place or person name (湖南, 韩城, 李家湾) of moderate frequency."""
    freq = _freq(word)
    return freq is not None and _flag(word) in ("ns", "nr", "nrt", "nrfg", "nz") and freq <= NAME_MAX_FREQ


def _plausible_name_head(head: str, suffix: str) -> bool:
    """Is ``head`` (the chars before 镇/村/中学 …) likely part of a proper name rather than ordinary words?"""
    if not re.fullmatch(r"[\u4e00-\u9fa5]+", head) or any(c in PLACE_BAD_CHARS for c in head):
        return False
    if re.search(r"[一二两三四五六七八九十百千万]", head):
        return False
    if _is_known_name(head):
        return True
    tail_word = head[-1] + suffix[0]
    if (_freq(tail_word) or 0) > 100:
        return False  # 城市, 农村, 下乡: the suffix belongs to an ordinary word
    freq = _freq(head)
    return freq is None or freq <= WORD_MAX_FREQ


@lru_cache(maxsize=512)
def example_names(example: str) -> frozenset[str]:
    """Place, organisation and person names found in one example text."""
    _jieba()
    names: set[str] = set()
    for m in _PLACE_SUFFIX_RE.finditer(example):
        suffix, p = m.group(), m.start()
        if example[p:p + 2] in COMMON_COMPOUNDS:
            continue  # 美丽乡村, 村民, 市场: the suffix starts an ordinary word
        head = example[max(0, p - 2):p]
        before = example[p - 3] if p >= 3 else ""
        if (len(head) == 2 and head + suffix not in GENERIC_PLACE_WORDS and _plausible_name_head(head, suffix)
                and (_freq(before + head[0]) or 0) <= 100):  # 教育强区: 育强 starts inside the word 教育
            names.add(head + suffix)
        longer = example[max(0, p - 3):p]
        if len(longer) == 3 and _is_known_name(longer):  # 李家湾村: take the three-char name whole
            names.add(longer + suffix)
    for m in _PERSON_AFTER_TITLE.finditer(example):
        name = m.group(1)
        if len(name) == 3 and example.startswith(PERSON_TITLES, m.start(1) + 2):
            name = name[:2]  # 书记石磊同志: the name is 石磊
        names.add(name)
    for m in _PERSON_BEFORE_TITLE.finditer(example):
        names.add(m.group(1))
    for m in _PERSON_LIST.finditer(example):
        names.update(m.group(1).split("、"))
    return frozenset(n for n in names if n not in PERSON_TITLES and _plausible_name(n))


def _plausible_name(name: str) -> bool:
    """Reject candidates that are, or start with, an ordinary word: 高度重 (书记高度重视) is no person."""
    if any(name.endswith(x) for x in PLACE_SUFFIXES):
        return True
    flag = _flag(name)
    if flag is not None and not flag.startswith("nr"):
        return False
    head = name[:2]
    if len(name) > 2 and head != name and _flag(head) is not None and not _flag(head).startswith("nr"):
        return (_freq(head) or 0) <= WORD_MAX_FREQ
    return True


@lru_cache(maxsize=512)
def _example_numbers(example: str) -> tuple[tuple[tuple[Decimal, str], str], ...]:
    """Distinctive numbers of an example (value ≥ 10 or fractional; no dates, ordinals)."""
    out = []
    for n in extract_numbers(example):
        if n.kind in ("date", "ordinal") or n.approx:
            continue
        if n.value >= 10 or n.value != n.value.to_integral():
            out.append((n.key, n.raw))
    return tuple(out)


def leaked_terms(text: str, facts: Facts, examples: Sequence[str] = (),
                 corpus_names: Iterable[str] = ()) -> list[Finding]:
    """Names and figures of the examples (or the corpus) that appear in ``text`` but not in the facts."""
    facts_text = facts.all_text()
    findings: list[Finding] = []
    seen: set[str] = set()
    names: set[str] = set()
    for ex in examples:
        names |= example_names(ex)
    names |= {n.strip() for n in corpus_names if n and len(n.strip()) >= 2}
    for name in sorted(names, key=len, reverse=True):
        if name in facts_text or name in seen or any(name in s for s in seen):
            continue
        pos = text.find(name)
        if pos >= 0:
            seen.add(name)
            findings.append(Finding("LEAK_NAME", f"“{name}”出自范文/语料，不属于本单位事实，疑为照抄",
                                    (pos, pos + len(name))))
    if examples:
        idx = index_facts(facts)
        example_keys: dict[tuple[Decimal, str], str] = {}
        for ex in examples:
            for key, raw in _example_numbers(ex):
                example_keys.setdefault(key, raw)
        for n in extract_numbers(text):
            if n.key in example_keys and classify(n, idx, text) != "ok":
                findings.append(Finding("LEAK_FIGURE", f"数字“{n.raw}”与范文中的“{example_keys[n.key]}”相同，"
                                        "但不在本单位事实中", n.span))
    return findings


def prompt_leaks(text: str) -> list[Finding]:
    """Signs that the draft obeyed an instruction hidden in the facts or talks about its prompt."""
    return [Finding("LEAK_PROMPT", f"草稿含有与公文无关的“{m.group()}”，疑似执行了事实中的指令或泄露提示词",
                    (m.start(), m.end())) for m in PROMPT_LEAK_RE.finditer(text)]


def check_leakage(draft: str, facts: Facts, examples: Sequence[str] = (),
                  corpus_names: Iterable[str] = ()) -> CheckResult:
    findings = leaked_terms(draft, facts, examples, corpus_names) + prompt_leaks(draft) + invented_titles(draft, facts)
    score = 1.0 if not findings else max(0.0, 1 - 0.25 * len(findings))
    return CheckResult.from_findings("leakage", findings, score, {"examples": len(examples)})


_TITLE = re.compile(r"《([^《》\n]{2,60})》")


def invented_titles(text: str, facts: Facts) -> list[Finding]:
    """Titles in 《》 that the facts do not name: a film, a book or a document of the unit the model made up
    (“观看警示教育片《反腐败》”). A real summary cites its unit's documents; a draft can only know them from the
    facts, so any other title is invented."""
    own = facts.all_text()
    return [Finding("INVENTED_TITLE", f"《{m.group(1)}》不在本单位事实中，疑为编造的文件或片名", m.span())
            for m in _TITLE.finditer(text) if m.group(1) not in own]


_QUOTED = re.compile(r"“([^“”\n]{1,30})”")


def invented_names(text: str, facts: Facts) -> list[Finding]:
    """Names in “” that the facts do not give: a programme, a slogan or a campaign the model made up for the unit
    ("坚持“五项基本功”训练", "坚持“抓落实，推动工作”"). A draft can know the unit's programmes only from the facts;
    the engine's own quotations (the theme, the clerk's items) are in them. Repaired like an invented number,
    not part of the leakage check's figure."""
    own = re.sub(r"[“”\"]", "", facts.all_text())  # “一校一品”党建品牌 may be quoted whole: 一校一品党建品牌
    return [Finding("INVENTED_NAME", f"“{m.group(1)}”不在本单位事实中，疑为编造的活动或提法名称", m.span())
            for m in _QUOTED.finditer(text) if m.group(1) not in own]
