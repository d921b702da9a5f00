"""Build the held-out .docx documents from their plain-text sources in ``docx_src/``.

Each source is a finished document whose headings carry their written markers ("一、", "（一）"). In the .docx
the configured heading levels lose the written marker and become Word auto-numbered list paragraphs instead:
``w:numPr`` (``w:ilvl`` + ``w:numId``) pointing to a numbering definition whose levels use the
``chineseCounting`` format ("%1、" for level 0, "（%2）" for level 1), the way Word stores Chinese lists. So the
paragraph text holds no "一、"; only a reader that replays the numbering part sees it.

    .venv/bin/python bench/heldout/make_docx.py          # rewrites the .docx files beside this script

Re-running gives the same paragraphs; the source .txt files are not part of the evaluation set.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
SRC = HERE / "docx_src"

# output name -> heading levels that are auto-numbered (0 = 一、, 1 = （一）)
DOCS: dict[str, tuple[int, ...]] = {
    "h07_bianjianzhan_gongzuohuibao.docx": (0,),
    "h12_fayuan_gongzuozongjie.docx": (0, 1),
}

MARKERS = {
    0: re.compile(r"^[一二三四五六七八九十]+、"),
    1: re.compile(r"^（[一二三四五六七八九十]+）"),
}
LEVEL_TEXT = {0: "%1、", 1: "（%2）"}
ABSTRACT_ID = "11"
NUM_ID = "5"
FIXED_TIME = dt.datetime(2024, 1, 1, 9, 0, 0)


def _el(tag: str, **attrs: str):
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def add_chinese_numbering(doc) -> str:
    """Add an abstractNum (levels 0 and 1 in chineseCounting) and a num pointing to it; return the numId."""
    numbering = doc.part.numbering_part.element
    absnum = _el("w:abstractNum", abstractNumId=ABSTRACT_ID)
    absnum.append(_el("w:multiLevelType", val="multilevel"))
    for ilvl in (0, 1):
        lvl = _el("w:lvl", ilvl=str(ilvl))
        lvl.append(_el("w:start", val="1"))
        lvl.append(_el("w:numFmt", val="chineseCounting"))
        if ilvl == 1:
            lvl.append(_el("w:lvlRestart", val="1"))
        lvl.append(_el("w:suff", val="nothing"))
        lvl.append(_el("w:lvlText", val=LEVEL_TEXT[ilvl]))
        lvl.append(_el("w:lvlJc", val="left"))
        p_pr = _el("w:pPr")
        p_pr.append(_el("w:ind", firstLine="640"))
        lvl.append(p_pr)
        absnum.append(lvl)
    # abstractNum elements must precede num elements in numbering.xml
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(absnum)
    else:
        numbering.append(absnum)
    num = _el("w:num", numId=NUM_ID)
    num.append(_el("w:abstractNumId", val=ABSTRACT_ID))
    numbering.append(num)
    return NUM_ID


def set_numbered(paragraph, num_id: str, ilvl: int) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    num_pr = OxmlElement("w:numPr")
    num_pr.append(_el("w:ilvl", val=str(ilvl)))
    num_pr.append(_el("w:numId", val=num_id))
    p_pr.insert(0, num_pr)


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = name
    r_pr = run._r.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, r_fonts)
    r_fonts.set(qn("w:eastAsia"), name)


def build(source: Path, target: Path, levels: tuple[int, ...]) -> None:
    lines = [line for line in source.read_text(encoding="utf-8").split("\n") if line.strip()]
    doc = Document()
    num_id = add_chinese_numbering(doc)
    doc.core_properties.created = FIXED_TIME
    doc.core_properties.modified = FIXED_TIME
    doc.core_properties.title = lines[0]
    sign_off_from = len(lines) - 2  # signature unit and date
    for i, line in enumerate(lines):
        if i == 0:
            para = doc.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(para.add_run(line), "方正小标宋简体", 22)
            continue
        if i >= sign_off_from:
            para = doc.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(para.add_run(line), "仿宋_GB2312", 16)
            continue
        level = next((lv for lv, rx in MARKERS.items() if rx.match(line)), None)
        if level is not None and level in levels:
            text = MARKERS[level].sub("", line, count=1)
            para = doc.add_paragraph()
            set_numbered(para, num_id, level)
            _font(para.add_run(text), "黑体" if level == 0 else "楷体_GB2312", 16, bold=level == 1)
        else:
            para = doc.add_paragraph()
            para.paragraph_format.first_line_indent = Pt(32)
            _font(para.add_run(line), "黑体" if level == 0 else "仿宋_GB2312", 16)
    doc.save(target)


def main() -> None:
    for name, levels in DOCS.items():
        source = SRC / (Path(name).stem + ".txt")
        target = HERE / name
        build(source, target, levels)
        numbered = sum(1 for p in Document(target).paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None)
        print(f"{target.name}: {numbered} auto-numbered headings (levels {levels})")


if __name__ == "__main__":
    main()
