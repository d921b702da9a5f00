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
    GENERIC_PLACE_WORDS,
    PERSON_TITLES,
    PLACE_BAD_CHARS,
    PROMPT_LEAK_RE,
    SURNAMES,
)
from drafter.facts import Facts
from drafter.numbers import extract_numbers

_PLACE_TOKEN_SUFFIXES = ("街道", "社区", "中学", "小学", "医院", "卫生院", "公司", "省", "市", "县", "区", "镇", "乡",
                         "村")
_NAME_FLAGS_OK = (None, "ns", "nr", "nrt", "nrfg", "nz", "nt")
_TITLES = "|".join(sorted(PERSON_TITLES, key=len, reverse=True))
_PERSON_AFTER_TITLE = re.compile(rf"(?:{_TITLES}|领导)([{SURNAMES}][\u4e00-\u9fa5]{{1,2}})")
_PERSON_BEFORE_TITLE = re.compile(rf"([{SURNAMES}][\u4e00-\u9fa5]{{1,2}}?)(?:{_TITLES})")
_PERSON_LIST = re.compile(rf"、([{SURNAMES}][\u4e00-\u9fa5]{{1,2}})(?=[、，,等])")


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba, jieba.posseg.dt.word_tag_tab


def _flag(word: str) -> str | None:
    return _jieba()[1].get(word)


def _is_name_word(word: str) -> bool:
    return _flag(word) in _NAME_FLAGS_OK


@lru_cache(maxsize=512)
def example_names(example: str) -> frozenset[str]:
    """Place, organisation and person names found in one example text."""
    jieba, _ = _jieba()
    names: set[str] = set()
    tokens = jieba.lcut(example)
    for i, tok in enumerate(tokens):
        if not tok.endswith(_PLACE_TOKEN_SUFFIXES):
            continue
        if tok in _PLACE_TOKEN_SUFFIXES:
            prev = tokens[i - 1] if i else ""
            cand, head = prev + tok, prev
            if len(prev) < 2:
                continue
        else:
            cand, head = tok, tok[: -1]
            if len(tok) < 3:
                continue
        if (cand in GENERIC_PLACE_WORDS or head[0] in PLACE_BAD_CHARS or any(c in "全本我各该每" for c in head)
                or not re.fullmatch(r"[\u4e00-\u9fa5]+", cand)):
            continue
        if _is_name_word(cand) if _flag(cand) else _is_name_word(head):
            names.add(cand)
    for pattern in (_PERSON_AFTER_TITLE, _PERSON_BEFORE_TITLE, _PERSON_LIST):
        for m in pattern.finditer(example):
            name = m.group(1)
            if _is_name_word(name) and name not in PERSON_TITLES:
                names.add(name)
    return frozenset(names)


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
    findings = leaked_terms(draft, facts, examples, corpus_names) + prompt_leaks(draft)
    score = 1.0 if not findings else max(0.0, 1 - 0.25 * len(findings))
    return CheckResult.from_findings("leakage", findings, score, {"examples": len(examples)})
