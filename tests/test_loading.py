"""Loading files of every kind the clerks have: legacy encodings, Word auto-numbering, PDFs good and bad."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from drafter.zh.numerals import to_chinese
from vectorstore.loading import LoadedFile, Skipped, load_path
from vectorstore.pipeline import parse_path

SAMPLE = (
    "青溪镇党委2011年创先争优活动工作总结\n"
    "全镇现有基层党组织38个，党员1264名。现将有关情况总结如下：\n"
    "一、基本情况\n全镇38个基层党组织全部参加活动。\n"
    "二、存在问题\n一是学习不够深入；二是载体创新不足。\n"
    "中共青溪镇委员会\n2011年12月26日\n"
)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_simplified_encodings(tmp_path: Path, encoding: str):
    path = tmp_path / f"sample_{encoding}.txt"
    path.write_bytes(SAMPLE.encode(encoding))
    loaded = load_path(path)
    assert isinstance(loaded, LoadedFile)
    assert loaded.text.replace("\r", "") == SAMPLE
    assert loaded.encoding == {"gbk": "gb18030"}.get(encoding, encoding)


def test_big5_file_is_read_and_converted(tmp_path: Path):
    traditional = "雲嶺縣黨委創先爭優活動總結\n全縣現有黨支部42個，黨員1286名。現將有關情況總結如下：\n一、基本情況\n各黨組織積極開展活動。\n"
    path = tmp_path / "big5.txt"
    path.write_bytes(traditional.encode("big5"))
    loaded = load_path(path)
    assert isinstance(loaded, LoadedFile) and loaded.encoding == "big5"
    docs = parse_path(path)
    assert docs[0].title == "云岭县党委创先争优活动总结"
    assert "党支部42个" in docs[0].text


def _numbered(doc, paragraph, num_id: int, ilvl: int) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    num_pr = OxmlElement("w:numPr")
    lvl = OxmlElement("w:ilvl")
    lvl.set(qn("w:val"), str(ilvl))
    nid = OxmlElement("w:numId")
    nid.set(qn("w:val"), str(num_id))
    num_pr.append(lvl)
    num_pr.append(nid)
    p_pr.append(num_pr)


def _add_chinese_numbering(doc) -> int:
    """An abstractNum with level 0 = 一、 (chineseCounting) and level 1 = （一）, like Word's Chinese lists."""
    numbering = doc.part.numbering_part.element
    absnum = OxmlElement("w:abstractNum")
    absnum.set(qn("w:abstractNumId"), "90")
    for ilvl, text in ((0, "%1、"), (1, "（%2）")):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(ilvl))
        for tag, val in (("w:start", "1"), ("w:numFmt", "chineseCounting"), ("w:lvlText", text)):
            el = OxmlElement(tag)
            el.set(qn("w:val"), val)
            lvl.append(el)
        absnum.append(lvl)
    numbering.insert(0, absnum)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), "77")
    abs_id = OxmlElement("w:abstractNumId")
    abs_id.set(qn("w:val"), "90")
    num.append(abs_id)
    numbering.append(num)
    return 77


def test_docx_auto_numbering_recovered(tmp_path: Path):
    doc = Document()
    num_id = _add_chinese_numbering(doc)
    doc.add_paragraph("松林街道党工委2018年度党建工作总结")
    doc.add_paragraph("全街道现有党组织26个，党员812名。现将有关情况总结如下：")
    for text, level in (("基本情况", 0), ("主要做法", 0), ("强化组织领导", 1), ("创新服务载体", 1), ("存在问题", 0)):
        para = doc.add_paragraph(text)
        _numbered(doc, para, num_id, level)
        doc.add_paragraph("街道党工委认真落实各项要求。")
    path = tmp_path / "numbered.docx"
    doc.save(path)
    loaded = load_path(path)
    assert isinstance(loaded, LoadedFile)
    lines = loaded.text.split("\n")
    assert "一、基本情况" in lines and "二、主要做法" in lines and "三、存在问题" in lines
    assert "（一）强化组织领导" in lines and "（二）创新服务载体" in lines
    parsed = parse_path(path)[0]
    assert [s.section_type for s in parsed.top_sections()] == ["基本情况", "主要做法", "存在问题"]
    assert len(parsed.top_sections()[1].children) == 2


def test_chinese_counter_format():
    assert [to_chinese(n) for n in (1, 10, 11, 20, 23, 105)] == ["一", "十", "十一", "二十", "二十三", "一百零五"]


def _pdf(path: Path, lines: list[str], encrypt: str | None = None) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), encrypt=encrypt)
    c.setFont("STSong-Light", 12)
    for i, line in enumerate(lines):
        c.drawString(50, 800 - 20 * i, line)
    c.save()


def test_pdf_readable(tmp_path: Path):
    path = tmp_path / "ok.pdf"
    _pdf(path, SAMPLE.strip().split("\n"))
    docs = parse_path(path)
    assert docs and docs[0].title.startswith("青溪镇党委") and docs[0].signature == "中共青溪镇委员会"


def test_pdf_cid_garbage_reported(tmp_path: Path):
    path = tmp_path / "cid.pdf"
    _pdf(path, ["(cid:123)(cid:45)(cid:67)(cid:89)(cid:12)(cid:34)" for _ in range(6)])
    result = load_path(path)
    assert isinstance(result, Skipped) and "cid" in result.reason


def test_pdf_without_text_and_encrypted(tmp_path: Path):
    from reportlab.pdfgen import canvas

    empty = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(empty))
    c.rect(100, 100, 200, 200, fill=1)
    c.showPage()
    c.save()
    result = load_path(empty)
    assert isinstance(result, Skipped) and "扫描件" in result.reason
    locked = tmp_path / "locked.pdf"
    _pdf(locked, ["内部资料"], encrypt="secret")
    result = load_path(locked)
    assert isinstance(result, Skipped) and "加密" in result.reason


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "空文件"),
        ("binary.txt", bytes(range(256)) * 8, "二进制"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "无法读取"),
        ("photo.jpg", b"\xff\xd8\xff\xe0", "不支持的文件类型"),
    ],
)
def test_bad_files_skipped_with_reason(tmp_path: Path, name: str, content: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    result = load_path(path)
    assert isinstance(result, Skipped) and reason in result.reason
