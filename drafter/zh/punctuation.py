"""Punctuation and spacing of Chinese prose: full-width marks inside Chinese text, no spaces between Chinese
characters (黨支部 15 個 → 党支部15个 once simplified; half-width ,:;?! inside Chinese → ，：；？！).

Used by the corpus cleaning and by the writer on the model's output.
"""

from __future__ import annotations

import re

__all__ = ["CJK", "normalise_punctuation"]

CJK = r"\u4e00-\u9fff"  # the CJK Unified Ideographs, as a regex character range

_SPACE_IN_CJK = re.compile(rf"(?<=[{CJK}])\s+(?=[\d{CJK}])|(?<=\d)\s+(?=[{CJK}])")
_SPACE_IN_CJK_MARKS = re.compile(rf"(?<=[{CJK}“”（）《》、])\s+(?=[{CJK}“”（）《》])")
_COMMA = re.compile(r"(?<!\d),|,(?!\d)")
_COLON = re.compile(r"(?<!\d):|:(?!\d)")
_SEMICOLON = re.compile(rf"(?<=[{CJK}”）])\s*;\s*|;(?=[{CJK}“])")
_QUESTION = re.compile(rf"(?<=[{CJK}”）])\?|\?(?=[{CJK}“])")
_BANG = re.compile(rf"(?<=[{CJK}”）])!|!(?=[{CJK}“])")
_PARENS = re.compile(rf"\(([^()\n]{{0,60}}?[{CJK}][^()\n]{{0,60}}?)\)")
_NUMBERED_PAREN = re.compile(r"^\((\d{1,2})\)")
_RUNS_OF_SPACE = re.compile(r"[ \t]{2,}")
_SPACE_AT_MARKS = re.compile(r"(?<=[，。、；：！？“”（）《》])\s+|\s+(?=[，。、；：！？”）》])")
_GLUED_AFTER_RUXIA = re.compile(r"(如下[：:])\s*(?=[一二三四五六七八九十]、)")
_ASCII_MARKS = re.compile(r"[,:;?!()]")
_ANY_SPACE = re.compile(r"\s")


def normalise_punctuation(line: str) -> str:
    """Spacing and punctuation inside Chinese text; digit groups (3,650) and times (19:04) are left alone.
    Most lines of a clean file hold no space or ASCII mark: they skip every substitution but the last."""
    line = line.replace("\u3000", " ").replace("\xa0", " ").replace("「", "“").replace("」", "”")
    line = line.replace("『", "‘").replace("』", "’")
    has_space = _ANY_SPACE.search(line) is not None
    if has_space:
        line = _SPACE_IN_CJK.sub("", line)
        line = _SPACE_IN_CJK_MARKS.sub("", line)
    if _ASCII_MARKS.search(line):
        line = _COMMA.sub("，", line)
        line = _COLON.sub("：", line)
        line = _SEMICOLON.sub("；", line)
        line = _QUESTION.sub("？", line)
        line = _BANG.sub("！", line)
        line = _PARENS.sub(r"（\1）", line)
        line = _NUMBERED_PAREN.sub(r"（\1）", line)
    if has_space:
        line = _RUNS_OF_SPACE.sub(" ", line)
        line = _SPACE_AT_MARKS.sub("", line)
    # A heading glued to the sentence before it: "现将具体做法报告如下：一、加强领导" → break the line.
    if "如下" in line:
        line = _GLUED_AFTER_RUXIA.sub("\\1\n", line)
    return line.strip()
