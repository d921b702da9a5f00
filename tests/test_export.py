"""The .docx export in GB/T 9704 layout, checked with python-docx and rendered by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from drafter.document import assemble, to_markdown
from drafter.export import BODY_FONT, H1_FONT, H2_FONT, TITLE_FONT, export_docx

BODY = "全镇现有基层党组织42个，党员1286名。各级党组织认真落实上级部署要求，扎实推进各项工作，取得了积极成效。" * 6
TEXT = assemble(
    "城关镇党委2024年创先争优活动总结",
    "2024年以来，城关镇党委认真贯彻落实上级部署要求。现将有关情况总结如下：",
    [("一、基本情况", BODY), ("二、主要做法", "（一）举办党课培训\n" + BODY + "\n（二）开展志愿服务\n" + BODY),
     ("三、存在问题", BODY), ("四、下一步工作打算", BODY)],
    "中共城关镇委员会", "2024年12月20日",
)


@pytest.fixture
def docx_path(tmp_path: Path) -> Path:
    return export_docx(TEXT, tmp_path / "draft.docx", signature="中共城关镇委员会", date="2024年12月20日")


def _fonts(run) -> dict[str, str]:
    fonts = run._r.rPr.find(qn("w:rFonts"))
    return {k.split("}")[1]: v for k, v in fonts.attrib.items()}


def test_page_setup(docx_path: Path):
    section = Document(str(docx_path)).sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert [round(x.cm, 2) for x in (section.top_margin, section.bottom_margin, section.left_margin,
                                     section.right_margin)] == [3.7, 3.5, 2.8, 2.6]


def test_fonts_sizes_spacing(docx_path: Path):
    doc = Document(str(docx_path))
    paras = [p for p in doc.paragraphs if p.text.strip()]
    title = paras[0]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and title.runs[0].font.size == Pt(22)
    assert _fonts(title.runs[0])["eastAsia"] == TITLE_FONT
    by_text = {p.text: p for p in paras}
    h1, h2 = by_text["一、基本情况"], by_text["（一）举办党课培训"]
    assert _fonts(h1.runs[0])["eastAsia"] == H1_FONT and _fonts(h2.runs[0])["eastAsia"] == H2_FONT
    body = next(p for p in paras if p.text.startswith("全镇现有"))
    fonts = _fonts(body.runs[0])
    assert fonts["eastAsia"] == fonts["ascii"] == fonts["hAnsi"] == BODY_FONT
    assert not any(k.endswith("Theme") for k in fonts)
    assert body.runs[0].font.size == Pt(16)
    pf = body.paragraph_format
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY and 28 <= pf.line_spacing.pt <= 29.5
    assert pf.first_line_indent == Pt(32)
    sign, date = by_text["中共城关镇委员会"], by_text["2024年12月20日"]
    assert sign.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # no theme font anywhere in the styles
    theme_attrs = [k for f in doc.styles.element.iter(qn("w:rFonts")) for k in f.attrib if k.lower().endswith("theme")]
    assert not theme_attrs


def test_page_numbers_odd_right_even_left(docx_path: Path):
    doc = Document(str(docx_path))
    section = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for para in (odd, even):
        assert para.text.startswith("— ") and para.text.endswith(" —")
        assert "PAGE" in "".join(t.text for t in para._p.iter(qn("w:instrText")))
        assert _fonts(para.runs[0])["eastAsia"] == "宋体" and para.runs[0].font.size == Pt(14)
    assert section.footer_distance <= Cm(3)


def test_markdown_marks_headings():
    md = to_markdown(TEXT)
    assert md.startswith("# 城关镇党委") and "\n## 一、基本情况\n" in md and "\n### （一）举办党课培训\n" in md


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by `make system-deps`")
def test_renders_with_libreoffice(docx_path: Path, tmp_path: Path):
    out = tmp_path / "pdf"
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(docx_path)],
                   check=True, capture_output=True, timeout=180)
    pdf = out / "draft.pdf"
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    assert len(reader.pages) >= 2  # the long body runs onto a second page, which gets the even footer
    first = reader.pages[0]
    assert round(float(first.mediabox.width) / 72 * 2.54, 1) == 21.0
    pages = ["".join(p.extract_text().split()) for p in reader.pages]
    assert "城关镇党委2024年创先争优活动总结" in pages[0]
    assert all(f"—{i}—" in page for i, page in enumerate(pages, 1))
    if shutil.which("pdftoppm"):
        artifacts = Path(__file__).resolve().parent.parent / "artifacts"
        artifacts.mkdir(exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(artifacts / "export_page")], check=True,
                       timeout=120)
