"""Word automatic Chinese numbering (一、 / （一）) for .docx files that tests and benches make with python-docx."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn


def _set(el, tag: str, val: str):
    child = OxmlElement(tag)
    child.set(qn("w:val"), val)
    el.append(child)
    return child


def chinese_numbering(doc) -> str:
    """Add a list definition numbering level 0 as "一、" and level 1 as "（一）" (chineseCounting); its numId."""
    numbering = doc.part.numbering_part.element
    num_id = str(1 + max([0, *(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num")))]))
    abs_id = str(1 + max([0, *(int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum")))]))
    absnum = OxmlElement("w:abstractNum")
    absnum.set(qn("w:abstractNumId"), abs_id)
    for ilvl, text in ((0, "%1、"), (1, "（%2）")):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(ilvl))
        _set(lvl, "w:start", "1")
        _set(lvl, "w:numFmt", "chineseCounting")
        _set(lvl, "w:lvlText", text)
        absnum.append(lvl)
    numbering.insert(0, absnum)  # abstractNum elements precede num elements
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), num_id)
    _set(num, "w:abstractNumId", abs_id)
    numbering.append(num)
    return num_id


def number_paragraph(paragraph, num_id: str, level: int) -> None:
    """Make ``paragraph`` an item of list ``num_id`` at ``level`` (0: 一、, 1: （一）)."""
    num_pr = OxmlElement("w:numPr")
    _set(num_pr, "w:ilvl", str(level))
    _set(num_pr, "w:numId", num_id)
    paragraph._p.get_or_add_pPr().append(num_pr)
