"""The one heading parser of drafter and vectorstore: finds 一、 / （一） / 1. / （1） headings in a summary's text.

Shared by the draft checks (structure, order, punctuation) and the corpus pipeline (splitting documents
into sections). It works line by line and never reorders or filters by sequence: callers that need order
checks (the structure check) or tolerance to noise (the splitter) decide that themselves.

Levels follow the conventional order of Chinese official documents (GB/T 9704):
level 1 ``一、``, level 2 ``（一）``, level 3 ``1.``, level 4 ``（1）``. Real documents also use ``一.``,
``(一)``, ``1、``, ``1．``, ``(1)``; they are recognised with ``standard=False`` except ``1．`` (full-width
stop), which is as conventional as ``1.``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drafter.zh.numerals import cn_to_int

__all__ = ["Heading", "match_heading", "parse_headings"]

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

_MARKER_FIRST_CHARS = frozenset("〇零一二两三四五六七八九十百（(0123456789０１２３４５６７８９")

# Longest level-3/4 ordinal we accept; beyond this a "51." line is far more likely a number than a heading.
MAX_ARABIC_ORDINAL = 50


@dataclass(frozen=True)
class Heading:
    level: int  # 1: 一、  2: （一）  3: 1. / 1、 / 1．  4: （1）
    ordinal: int  # 1-based value of the marker (一→1, 十二→12)
    marker: str  # the marker as written, e.g. "一、", "(一)", "1."
    title: str  # text after the marker on that line (may include the first sentence of a paragraph)
    line_no: int  # 0-based line index in the text
    start: int  # char offset of the line start in the text
    end: int  # char offset of the line end
    standard: bool  # True when the punctuation is the conventional one


_SPACE = r"[ \t\u3000\u00a0]*"
_CN_NUM = r"[〇零一二两三四五六七八九十百]{1,4}"
_L1 = re.compile(rf"^{_SPACE}(?P<num>{_CN_NUM}){_SPACE}(?P<sep>[、.．])(?P<title>.*)$")
_L2 = re.compile(rf"^{_SPACE}(?P<open>[（(]){_SPACE}(?P<num>{_CN_NUM}){_SPACE}(?P<close>[）)])(?P<title>.*)$")
_L3 = re.compile(rf"^{_SPACE}(?P<num>\d{{1,2}}){_SPACE}(?P<sep>[.．、])(?!{_SPACE}\d)(?P<title>.*)$")
_L4 = re.compile(rf"^{_SPACE}(?P<open>[（(]){_SPACE}(?P<num>\d{{1,2}}){_SPACE}(?P<close>[）)])(?P<title>.*)$")

# "三、四月份" / "一、二年级" / "二、三季度": an enumeration of numbers, not a heading.
_ENUMERATION = re.compile(rf"^{_SPACE}(?:{_CN_NUM}|\d+)(?:[、，,]{_CN_NUM})*{_SPACE}(?:个|月|年级|季度|号|日|名|次|类|级|等|条|项|批|轮|期|天|周|年)")


def match_heading(line: str, line_no: int = 0, start: int = 0) -> Heading | None:
    """The heading that ``line`` (one line, no newline) starts with, or None.

    ``start`` is the offset of the line in the whole text; ``end`` is ``start`` plus the line's length
    (without a trailing carriage return).
    """
    line = line.rstrip("\r\n")
    first = line.lstrip(" \t\u3000\u00a0")[:1]
    if not first or first not in _MARKER_FIRST_CHARS:
        return None  # most lines: cheap reject before the regexes
    end = start + len(line)
    probe = line.translate(_FULLWIDTH_DIGITS)

    m = _L1.match(probe)
    if m:
        value = cn_to_int(m["num"])
        if value and value <= 99 and not _ENUMERATION.match(m["title"]):
            return _make(1, value, line, m, line_no, start, end, standard=m["sep"] == "、")
    m = _L2.match(probe)
    if m:
        value = cn_to_int(m["num"])
        if value and value <= 99:
            std = m["open"] == "（" and m["close"] == "）"
            return _make(2, value, line, m, line_no, start, end, standard=std)
    m = _L3.match(probe)
    if m:
        value = int(m["num"])
        title = m["title"]
        if 1 <= value <= MAX_ARABIC_ORDINAL and not m["num"].startswith("0") and _title_ok(title):
            return _make(3, value, line, m, line_no, start, end, standard=m["sep"] in ".．")
    m = _L4.match(probe)
    if m:
        value = int(m["num"])
        if 1 <= value <= MAX_ARABIC_ORDINAL and not m["num"].startswith("0"):
            std = m["open"] == "（" and m["close"] == "）"
            return _make(4, value, line, m, line_no, start, end, standard=std)
    return None


def _title_ok(title: str) -> bool:
    """A level-3 marker must be followed by text that is not a digit (1.5万 is a number, not a heading)."""
    stripped = title.lstrip(" \t\u3000\u00a0")
    return bool(stripped) and not stripped[0].isdigit() and not _ENUMERATION.match(title)


def _make(level: int, value: int, line: str, m: re.Match[str], line_no: int, start: int, end: int,
          *, standard: bool) -> Heading:
    title_start = m.start("title")
    marker = line[:title_start].strip(" \t\u3000\u00a0")
    title = line[title_start:].strip(" \t\u3000\u00a0")
    return Heading(level=level, ordinal=value, marker=marker, title=title, line_no=line_no,
                   start=start, end=end, standard=standard)


def parse_headings(text: str) -> list[Heading]:
    """Every heading line of ``text``, in order of appearance (lines split on ``\\n``)."""
    headings: list[Heading] = []
    offset = 0
    for line_no, line in enumerate(text.split("\n")):
        h = match_heading(line, line_no, offset)
        if h is not None:
            headings.append(h)
        offset += len(line) + 1
    return headings
