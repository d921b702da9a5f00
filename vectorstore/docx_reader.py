"""Reading .docx with python-docx, recovering Word's automatic list numbering; tracked changes accepted.

Word keeps the "一、" / "（一）" / "1." of auto-numbered headings outside ``paragraph.text``: it lives in the
numbering part (``w:num`` → ``w:abstractNum`` → ``w:lvl`` with ``numFmt`` and ``lvlText``), attached to the
paragraph or to its style. We replay the counters in document order so the structure survives ingestion.

A document with tracked changes is read as if every change were accepted: inserted and moved-in runs count,
deleted and moved-out runs do not, a deleted paragraph mark joins its paragraph to the next, deleted table
rows are left out. Comments live in their own part and never reach the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from docx import Document
from docx.oxml.ns import qn

from drafter.zh.numerals import to_chinese

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _roman(n: int) -> str:
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


_CN_COUNTING = {"chineseCounting", "chineseCountingThousand", "japaneseCounting", "ideographDigital",
                "taiwaneseCounting", "taiwaneseCountingThousand"}
_CN_LEGAL_FORMATS = {"chineseLegalSimplified", "ideographLegalTraditional"}


def format_counter(n: int, fmt: str) -> str:
    if fmt in _CN_COUNTING:
        return to_chinese(n)
    if fmt in _CN_LEGAL_FORMATS:
        return to_chinese(n, legal=True)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt in {"none", "bullet"}:
        return ""
    return str(n)


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


@dataclass
class _Numbering:
    """Counters for Word list numbering, replayed in document order."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # numId -> ilvl -> level
    abstract_of: dict[str, str] = field(default_factory=dict)  # numId -> abstractNumId
    counters: dict[str, list[int]] = field(default_factory=dict)  # abstractNumId -> counter per level

    @classmethod
    def from_document(cls, doc) -> _Numbering:
        self = cls()
        try:
            root = doc.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return self
        abstracts: dict[str, dict[int, _Level]] = {}
        for absnum in root.findall(qn("w:abstractNum")):
            lvls: dict[int, _Level] = {}
            for lvl in absnum.findall(qn("w:lvl")):
                ilvl = int(lvl.get(qn("w:ilvl"), "0"))
                level = _Level()
                if (el := lvl.find(qn("w:numFmt"))) is not None:
                    level.fmt = el.get(qn("w:val"), "decimal")
                if (el := lvl.find(qn("w:lvlText"))) is not None:
                    level.text = el.get(qn("w:val"), "")
                if level.fmt in _CN_COUNTING | _CN_LEGAL_FORMATS and "?" in level.text:
                    # LibreOffice writes an RTF list's level text in the ANSI code page, so "%1、" comes back
                    # from an .rtf as "%1?"; no Chinese list is numbered "一?".
                    level.text = level.text.replace("?", "、")
                if (el := lvl.find(qn("w:start"))) is not None:
                    level.start = int(el.get(qn("w:val"), "1"))
                lvls[ilvl] = level
            abstracts[absnum.get(qn("w:abstractNumId"))] = lvls
        for num in root.findall(qn("w:num")):
            num_id = num.get(qn("w:numId"))
            abs_el = num.find(qn("w:abstractNumId"))
            if abs_el is None:
                continue
            abs_id = abs_el.get(qn("w:val"))
            self.abstract_of[num_id] = abs_id
            self.levels[num_id] = abstracts.get(abs_id, {})
        return self

    def label(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels or num_id == "0":
            return ""
        key = self.abstract_of.get(num_id, num_id)
        counters = self.counters.setdefault(key, [0] * 9)
        level = levels.get(ilvl, _Level())
        if counters[ilvl] == 0:
            counters[ilvl] = level.start
        else:
            counters[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        text = level.text
        for i in range(ilvl + 1):
            lv = levels.get(i, _Level())
            value = counters[i] or lv.start
            text = text.replace(f"%{i + 1}", format_counter(value, lv.fmt))
        return text


def _num_pr(paragraph, style_cache: dict[str | None, tuple[str, int] | None]) -> tuple[str, int] | None:
    """(numId, ilvl) from the paragraph's own properties or, failing that, its style chain. The style chain's
    answer is cached per style id: python-docx looks the default style up by scanning every style, which
    made each paragraph cost milliseconds (an 8,000-paragraph document took 13 s)."""
    p_pr = paragraph._p.pPr
    if p_pr is not None and p_pr.numPr is not None and p_pr.numPr.numId is not None:
        ilvl = p_pr.numPr.ilvl.val if p_pr.numPr.ilvl is not None else 0
        return str(p_pr.numPr.numId.val), int(ilvl)
    style_id = p_pr.style if p_pr is not None else None
    if style_id not in style_cache:
        style_cache[style_id] = _style_num_pr(paragraph.style)
    return style_cache[style_id]


def _style_num_pr(style) -> tuple[str, int] | None:
    while style is not None:
        s_pr = style.element.pPr
        if s_pr is not None and s_pr.numPr is not None and s_pr.numPr.numId is not None:
            ilvl = s_pr.numPr.ilvl.val if s_pr.numPr.ilvl is not None else 0
            return str(s_pr.numPr.numId.val), int(ilvl)
        style = style.base_style
    return None


# Runs that are text once every tracked change is accepted: not deleted or moved away, and not inside a text
# box (python-docx leaves those out too; a drawing's fallback copy of its text box is one as well).
_ACCEPTED_RUNS = ".//w:r[not(ancestor::w:del) and not(ancestor::w:moveFrom) and not(ancestor::w:txbxContent)]"


def paragraph_text(p) -> str:
    """A ``w:p``'s text with tracked changes accepted (python-docx's ``paragraph.text`` drops inserted runs)."""
    return "".join(r.text for r in p.xpath(_ACCEPTED_RUNS))


def _mark_deleted(p) -> bool:
    """The paragraph mark is a tracked deletion: accepting it joins this paragraph to the next."""
    return bool(p.xpath("./w:pPr/w:rPr/w:del"))


def _cell_text(cell) -> str:
    return "\n".join(paragraph_text(p) for p in cell._tc.xpath("./w:p")).strip()


def read_docx(source: Path | IO[bytes]) -> str:
    """The document's text, one paragraph a line, with auto-numbering labels put back in front."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = Document(str(source) if isinstance(source, Path) else source)
    numbering = _Numbering.from_document(doc)
    style_cache: dict[str | None, tuple[str, int] | None] = {}
    lines: list[str] = []
    carry = ""  # text of paragraphs whose mark was deleted, waiting for the paragraph they join
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            text = carry + paragraph_text(child)
            if _mark_deleted(child):
                carry = text
                continue
            carry = ""
            para = Paragraph(child, doc)
            num = _num_pr(para, style_cache)
            if num and text.strip():
                text = numbering.label(*num) + text.lstrip()
            lines.append(text)
        elif child.tag == qn("w:tbl"):
            for row in Table(child, doc).rows:
                if row._tr.xpath("./w:trPr/w:del"):
                    continue
                cells: list[str] = []
                for cell in row.cells:
                    text = _cell_text(cell)
                    if text and (not cells or cells[-1] != text):
                        cells.append(text)
                if cells:
                    lines.append("\t".join(cells))
    if carry:
        lines.append(carry)
    return "\n".join(lines)
