"""Export: the draft as .docx in the GB/T 9704-2012 layout of party and government documents.

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 2号 (22 pt) 方正小标宋简体 centred;
body 3号 (16 pt) 仿宋_GB2312 with a first-line indent of two characters; level-1 headings 黑体, level-2
楷体_GB2312; fixed line spacing 28.95 pt (22 lines of 28 characters); page numbers "— 1 —" in 4号 宋体,
odd pages right and even pages left, one character in from the edge; signature and date at the right.
Fonts are written to ``w:eastAsia`` as well as ascii/hAnsi, and the theme-font attributes of the template's
styles are removed so no theme font (Calibri, 等线) leaks in.
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from drafter.zh.headings import match_heading

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT, PAGE_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
TITLE_SIZE, BODY_SIZE, PAGE_SIZE = Pt(22), Pt(16), Pt(14)
LINE_SPACING = Pt(28.95)
_DATE = re.compile(r"^(\d{4}|[〇零○一二三四五六七八九]{2,4})年.{1,3}月.{1,3}日$")


def _set_font(run_or_style, name: str, size: Pt | None = None, bold: bool | None = None) -> None:
    """Set a font for every script (ascii, hAnsi, eastAsia, cs) and drop theme-font attributes."""
    font = run_or_style.font
    font.name = name
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    r_pr = run_or_style.element.get_or_add_rPr() if hasattr(run_or_style.element, "get_or_add_rPr") \
        else run_or_style._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _strip_theme_fonts(doc) -> None:
    """The default template names theme fonts in docDefaults and styles; remove every such reference."""
    root = doc.styles.element
    for fonts in root.iter(qn("w:rFonts")):
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), BODY_FONT)


def _paragraph_format(paragraph, *, indent: bool = True, align=WD_ALIGN_PARAGRAPH.JUSTIFY) -> None:
    pf = paragraph.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE_SPACING
    pf.space_before = pf.space_after = Pt(0)
    pf.alignment = align
    if indent:
        pf.first_line_indent = BODY_SIZE * 2
        ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
        if ind is not None:
            ind.set(qn("w:firstLineChars"), "200")


def _page_number_footer(footer, align, indent_side: str) -> None:
    paragraph = footer.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
    if indent_side == "right":
        paragraph.paragraph_format.right_indent = PAGE_SIZE
    else:
        paragraph.paragraph_format.left_indent = PAGE_SIZE
    _set_font(paragraph.add_run("— "), PAGE_FONT, PAGE_SIZE)
    run = paragraph.add_run()
    _set_font(run, PAGE_FONT, PAGE_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text.strip() == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
    _set_font(paragraph.add_run(" —"), PAGE_FONT, PAGE_SIZE)


def _split_signoff(lines: list[str], signature: str | None, date: str | None) -> tuple[list[str], list[str]]:
    tail: list[str] = []
    body = list(lines)
    if body and (body[-1] == date or _DATE.match(body[-1])):
        tail.insert(0, body.pop())
        if body and (body[-1] == signature or (signature is None and len(body[-1]) <= 30
                                                and not re.search(r"[，。；：]", body[-1])
                                                and match_heading(body[-1]) is None)):
            tail.insert(0, body.pop())
    elif body and signature and body[-1] == signature:
        tail.insert(0, body.pop())
    return body, tail


def export_docx(text: str, path: Path, signature: str | None = None, date: str | None = None) -> Path:
    """Write the plain draft (title first, one paragraph a line) as a GB/T 9704 .docx."""
    doc = Document()
    _strip_theme_fonts(doc)
    _set_font(doc.styles["Normal"], BODY_FONT, BODY_SIZE)
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.8)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right")
    _page_number_footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")

    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines:
        raise ValueError("草稿为空，无法导出")
    title, rest = lines[0], lines[1:]
    body, signoff = _split_signoff(rest, signature, date)

    p = doc.add_paragraph()
    _paragraph_format(p, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.line_spacing = Pt(35)
    _set_font(p.add_run(title), TITLE_FONT, TITLE_SIZE)
    _paragraph_format(doc.add_paragraph(), indent=False)  # one blank line under the title

    for line in body:
        p = doc.add_paragraph()
        _paragraph_format(p)
        h = match_heading(line)
        if h is not None and h.level == 1 and len(line) <= 40:
            _set_font(p.add_run(line), H1_FONT, BODY_SIZE)
        elif h is not None and h.level == 2 and len(line) <= 40:
            _set_font(p.add_run(line), H2_FONT, BODY_SIZE)
        else:
            _set_font(p.add_run(line), BODY_FONT, BODY_SIZE)
    if signoff:
        _paragraph_format(doc.add_paragraph(), indent=False)
        for line in signoff:
            p = doc.add_paragraph()
            _paragraph_format(p, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.right_indent = BODY_SIZE * 4
            _set_font(p.add_run(line), BODY_FONT, BODY_SIZE)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
