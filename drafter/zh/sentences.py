"""Sentences and clauses of Chinese prose: the one place that knows where they end.

A sentence ends at 。！？ (or !?), with the closing quotes and brackets that follow; a line break ends one too.
Some callers also cut at ；, the end of a sentence in an enumeration (一是…；二是…). A clause ends at ，；。！？.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

__all__ = [
    "CLAUSE_END",
    "SENTENCE_END",
    "SENTENCE_END_RE",
    "clause_bounds",
    "sentence_breaks",
    "sentence_pieces",
    "sentence_spans",
    "split_sentences",
]

SENTENCE_END = "。！？"
SENTENCE_END_RE = re.compile(f"[{SENTENCE_END}]")
CLAUSE_END = "，；。！？\n"

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*[”’）)]*|\n")
_SPAN_END = re.compile(r"[。！？；;!?\n]")
_BREAK = re.compile(r"(?<=[。！？!?；;…\n])")


def split_sentences(text: str) -> list[str]:
    """``text`` cut into sentences, each with its end marks and closing quotes; every line break is an item of
    its own. ``"".join`` gives ``text`` back but for end marks that follow no sentence (a stray 。 at a line's
    start)."""
    return _SENTENCE.findall(text)


@lru_cache(maxsize=16)
def _pieces_re(ends: str) -> re.Pattern[str]:
    marks = re.escape(ends)
    return re.compile(rf"[^{marks}\n]+[{marks}]?")


def sentence_pieces(text: str, ends: str = SENTENCE_END) -> Iterator[re.Match[str]]:
    """The runs of ``text`` up to and including one of ``ends`` (or a line break, which is left out)."""
    return _pieces_re(ends).finditer(text)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or enumeration item (cut at 。！？；), marks included; a lone mark left
    between two ends is no sentence."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _SPAN_END.finditer(text):
        if m.end() - start > 1:
            bounds.append((start, m.end()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def sentence_breaks(text: str) -> list[int]:
    """Offsets inside ``text`` just after a sentence or enumeration item ends (after 。！？；… or a line break)."""
    return [m.start() for m in _BREAK.finditer(text) if 0 < m.start() < len(text)]


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause (between ，；。 marks or line breaks) around ``text[start:end]``, as (left, right)."""
    left = max(text.rfind(c, 0, start) for c in CLAUSE_END) + 1
    rights = [i for i in (text.find(c, end) for c in CLAUSE_END) if i != -1]
    return left, min(rights) if rights else len(text)
