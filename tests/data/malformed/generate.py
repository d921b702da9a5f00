"""Malformed corpus files, generated at test time (nothing binary is committed): ``build(folder)`` writes
them all into one folder, next to some good files, and returns what each file should come to.

Kinds: binary data under text names, zero-byte and blank files, truncated / junk / bomb .docx, encrypted,
image-only, truncated and fake .pdf, a 10 MB one-line .txt, an over-limit file, mixed encodings in one file,
GBK / Big5 / GB18030 / UTF-16 / UTF-32 text, unsupported types, deeply nested folders (≥ 30 levels), odd file
names (spaces, emoji, leading dash, 250-byte names, ``..``, newlines, shell metacharacters, non-UTF-8 bytes),
symlinks. Used by ``tests/test_reliability_ingest.py`` and ``bench/reliability.py``::

    python tests/data/malformed/generate.py OUT_DIR     # write the files and list them
"""

from __future__ import annotations

import io
import os
import random
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "vectorstore" / "demo_corpus"
NESTING = 32


@dataclass(frozen=True)
class Planned:
    rel: str  # path relative to the folder (may hold surrogate-escaped bytes)
    expect: str  # "read" | "skip" | "either" (read or skipped, both with a reason) | "unseen" (hidden, not a file)
    kind: str  # category, for reports
    reason: str = ""  # a fragment of the skip reason, when it is pinned down
    contains: str = ""  # for "read": a phrase the stored text must contain (proves correct decoding)

    @property
    def malformed(self) -> bool:
        return self.kind != "good"


def demo_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.txt"))]


def _title(text: str) -> str:
    """A phrase the stored (cleaned) text of ``text`` must contain: the start of its first line."""
    from vectorstore.cleaning import clean_text

    return clean_text(text).split("\n", 1)[0][:12]


def _docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    doc = docx.Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """A copy of a zip (docx) with some members' contents replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, replace.get(item.filename, zin.read(item.filename)))
    return out.getvalue()


def _pdf_bytes(lines: list[str], *, encrypt: object = None, blank_pages: int = 0) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=encrypt)
    for _ in range(blank_pages):
        c.showPage()
    c.setFont("STSong-Light", 12)
    for i, line in enumerate(lines[:38]):
        c.drawString(40, 800 - 20 * i, line[:40])
    c.showPage()
    c.save()
    return buf.getvalue()


def _image_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for page in range(2):
        c.rect(80 + page, 80, 300, 400, fill=1)  # a "scan": shapes, no text layer
        c.showPage()
    c.save()
    return buf.getvalue()


def _write(folder: Path, rel: str, data: bytes) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def build(folder: Path, *, huge: bool = True) -> list[Planned]:
    """Write every file into ``folder``; ``huge=False`` leaves out the 10 MB one-line file."""
    folder.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(20240601)
    texts = demo_texts()
    plan: list[Planned] = []

    def add(rel: str, data: bytes, expect: str, kind: str, reason: str = "", contains: str = "") -> None:
        _write(folder, rel, data)
        plan.append(Planned(rel, expect, kind, reason, contains))

    def good_text(i: int) -> tuple[str, str]:
        text = texts[i % len(texts)]
        return text, _title(text)

    # --- good files: the demo corpus as it is, and in every legacy encoding -------------------------------
    for i in range(3):
        text, title = good_text(i)
        add(f"good/demo_{i}.txt", text.encode("utf-8"), "read", "good", contains=title)
    text, title = good_text(3)
    add("good/gbk.txt", text.encode("gbk"), "read", "good", contains=title)
    text, title = good_text(4)
    add("good/gb18030.txt", text.encode("gb18030"), "read", "good", contains=title)
    from opencc import OpenCC

    text, title = good_text(5)
    add("good/big5.txt", OpenCC("s2t").convert(text).encode("big5", errors="replace"), "read", "good", contains=title)
    text, title = good_text(6)
    add("good/utf8_bom.txt", b"\xef\xbb\xbf" + text.encode("utf-8"), "read", "good", contains=title)
    text, title = good_text(7)
    add("good/utf16le.txt", text.encode("utf-16"), "read", "good", contains=title)
    text, title = good_text(8)
    add("good/utf16be.txt", b"\xfe\xff" + text.encode("utf-16-be"), "read", "good", contains=title)
    text, title = good_text(9)
    add("good/crlf_upper.TXT", text.replace("\n", "\r\n").encode("utf-8"), "read", "good", contains=title)
    text, title = good_text(10)
    add("good/notes.Md", text.encode("utf-8"), "read", "good", contains=title)
    text, title = good_text(11)
    add("good/word.docx", _docx_bytes(text.split("\n")), "read", "good", contains=title)
    text, title = good_text(0)
    add("good/report.pdf", _pdf_bytes([ln for ln in text.split("\n") if ln.strip()]), "read", "good",
        contains=title[:10])
    text, title = good_text(1)
    add("good/owner_password_only.pdf", _pdf_bytes([ln for ln in text.split("\n") if ln.strip()],
                                                   encrypt=_owner_only()), "read", "good", contains=title[:10])

    # --- binary data under text names ----------------------------------------------------------------------
    add("binary/random.txt", bytes(rnd.randrange(256) for _ in range(4096)), "skip", "binary", "二进制")
    add("binary/png_as_text.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(512), "skip", "binary", "二进制")
    add("binary/elf.md", b"\x7fELF\x02\x01\x01\x00" + bytes(1024), "skip", "binary", "二进制")
    add("binary/sqlite.txt", b"SQLite format 3\x00" + bytes(2048), "skip", "binary", "二进制")
    add("binary/zip_as_text.txt", _docx_bytes(["文字"]), "skip", "binary", "二进制")
    add("binary/utf32.txt", good_text(2)[0].encode("utf-32"), "read", "encoding", contains=good_text(2)[1])

    # --- empty ---------------------------------------------------------------------------------------------
    for suffix in ("txt", "md", "docx", "pdf"):
        add(f"empty/zero.{suffix}", b"", "skip", "empty", "空文件")
    add("empty/blank.txt", b"  \n\n\t \r\n\xe3\x80\x80", "skip", "empty", "没有可读取的文字")
    add("empty/bom_only.txt", b"\xef\xbb\xbf", "skip", "empty", "没有可读取的文字")
    add("empty/all_boilerplate.txt", "欢迎访问本站\n当前位置：首页 > 范文\n相关推荐\n版权所有 © 2021\n上一篇：某某\n".encode(),
        "skip", "empty", "清洗后没有正文")
    add("empty/docx_without_text.docx", _docx_bytes([]), "skip", "empty", "没有可读取的文字")

    # --- broken .docx --------------------------------------------------------------------------------------
    docx_ok = _docx_bytes(good_text(3)[0].split("\n"))
    add("docx/truncated_half.docx", docx_ok[: len(docx_ok) // 2], "skip", "docx", "无法读取")
    add("docx/truncated_100_bytes.docx", docx_ok[:100], "skip", "docx", "无法读取")
    add("docx/missing_last_byte.docx", docx_ok[:-1], "either", "docx")
    add("docx/renamed_zip_of_junk.docx", _junk_zip(rnd), "skip", "docx", "无法读取")
    add("docx/empty_zip.docx", _empty_zip(), "skip", "docx", "无法读取")
    add("docx/not_a_zip.docx", b"PK\x03\x04 not really a zip" + bytes(64), "skip", "docx", "无法读取")
    add("docx/plain_text_named_docx.docx", "这是一段普通文字。".encode(), "skip", "docx", "无法读取")
    add("docx/bad_xml.docx", _rezip(docx_ok, {"word/document.xml": b"<w:document><unclosed>"}), "skip", "docx",
        "无法读取")
    add("docx/entity_bomb.docx", _rezip(docx_ok, {"word/document.xml": _entity_bomb(docx_ok)}), "skip", "docx",
        "无法读取")
    add("docx/zip_bomb.docx", _zip_bomb(docx_ok), "skip", "docx", "解压后")

    # --- broken .pdf ---------------------------------------------------------------------------------------
    pdf_lines = [ln for ln in good_text(4)[0].split("\n") if ln.strip()]
    pdf_ok = _pdf_bytes(pdf_lines)
    add("pdf/encrypted.pdf", _pdf_bytes(pdf_lines, encrypt="secret"), "skip", "pdf", "加密")
    add("pdf/image_only_scan.pdf", _image_pdf(), "skip", "pdf", "扫描件")
    add("pdf/mostly_blank_pages.pdf", _pdf_bytes(pdf_lines[:3], blank_pages=3), "skip", "pdf", "没有文字")
    add("pdf/truncated.pdf", pdf_ok[: len(pdf_ok) // 3], "either", "pdf")
    add("pdf/garbage.pdf", b"%PDF-1.4 garbage\n" + bytes(rnd.randrange(256) for _ in range(600)), "skip", "pdf")
    add("pdf/text_named_pdf.pdf", "这不是PDF文件。".encode(), "skip", "pdf")
    add("pdf/cid_garbage.pdf", _pdf_bytes(["(cid:123)(cid:45)(cid:67)(cid:89)(cid:12)(cid:34)"] * 6), "skip", "pdf",
        "cid")

    # --- size ----------------------------------------------------------------------------------------------
    if huge:
        line = good_text(5)[0].replace("\n", "")
        data = line.encode("utf-8") * (10 * 1024 * 1024 // len(line.encode("utf-8")) + 1)
        add("size/one_line_10mb.txt", data, "read", "size", contains=line[:12])
    over = folder / "size" / "over_limit.txt"
    over.parent.mkdir(parents=True, exist_ok=True)
    with over.open("wb") as fh:  # sparse: 21 MB on paper, nothing on disk
        fh.truncate(21 * 1024 * 1024)
    plan.append(Planned("size/over_limit.txt", "skip", "size", "文件过大"))

    # --- encodings -----------------------------------------------------------------------------------------
    text, title = good_text(6)
    half = text.index("\n", len(text) // 2)  # two files pasted together, at a line break
    last = _title(text[half:].strip().split("\n")[-2])
    add("encoding/utf8_then_gbk.txt", text[:half].encode("utf-8") + text[half:].encode("gbk"), "read", "encoding",
        contains=last)
    add("encoding/gbk_then_utf8.txt", text[:half].encode("gbk") + text[half:].encode("utf-8"), "read", "encoding",
        contains=title)
    mid = len(text) // 2  # ... and in the middle of a line (the first file had no final line break)
    add("encoding/utf8_then_gbk_mid_line.txt", text[:mid].encode("utf-8") + text[mid:].encode("gbk"), "read",
        "encoding", contains=last)
    text, title = good_text(7)
    raw = text.encode("utf-8")
    add("encoding/utf8_one_bad_byte.txt", raw[:300] + b"\xff" + raw[300:], "read", "encoding", contains=title)
    add("encoding/utf8_cut_mid_character.txt", raw + "党".encode()[:2], "read", "encoding", contains=title)
    add("encoding/latin1.txt", ("Rapport annuel: café, élève, déjà vu. " * 40).encode("latin-1"), "either",
        "encoding")
    add("encoding/control_chars.txt", ("第一段\x01\x02文字\x1b[31m。\n" + good_text(8)[0]).encode(), "read",
        "encoding", contains=good_text(8)[1])
    add("encoding/html_saved_as_text.txt",
        f"<html><head><script>alert(1)</script></head><body><p>{good_text(9)[0]}</p></body></html>".encode(),
        "either", "encoding")

    # --- unsupported types ---------------------------------------------------------------------------------
    for rel in ("types/sheet.xlsx", "types/slides.pptx", "types/no_extension",
                "types/photo.jpg", "types/archive.zip", "types/summary.txt.exe", "types/page.html"):
        add(rel, b"not supported content", "skip", "type", "不支持的文件类型")

    # --- odd names (good content: all must be read) --------------------------------------------------------
    odd = ["names/with  spaces and\u3000ideographic space .txt", "names/emoji 🎉📄 总结.txt", "names/-leading-dash.txt",
           "names/--help.txt", "names/" + "长" * 80 + ".txt", "names/a..b.txt", "names/trailing dots...txt",
           "names/line\nbreak.txt", "names/tab\there.txt", "names/quote'\"; rm -rf ~.txt", "names/$(whoami)`id`.txt",
           "names/back\\slash.txt", "names/CON.txt", "names/<script>alert(1)<:script>.txt", "names/%2e%2e%2fx.txt",
           os.fsdecode(b"names/" + "工作总结".encode("gbk") + b".txt")]
    for i, rel in enumerate(odd):
        text, title = good_text(i)
        add(rel, text.encode("utf-8"), "read", "name", contains=title)
    add("names/.hidden.txt", good_text(0)[0].encode(), "unseen", "name")

    # --- folders -------------------------------------------------------------------------------------------
    deep = "/".join(f"level{i:02d}" for i in range(NESTING))
    text, title = good_text(9)
    add(f"deep/{deep}/bottom.txt", text.encode(), "read", "nesting", contains=title)
    text, title = good_text(10)
    add("folders/folder.txt/inside.txt", text.encode(), "read", "nesting", contains=title)
    (folder / "folders" / "empty_dir").mkdir(parents=True, exist_ok=True)
    _symlinks(folder, plan)
    return plan


def _symlinks(folder: Path, plan: list[Planned]) -> None:
    links = folder / "links"
    links.mkdir(parents=True, exist_ok=True)
    (links / "dangling.txt").symlink_to(folder / "does-not-exist.txt")
    plan.append(Planned("links/dangling.txt", "unseen", "link"))
    (links / "loop").symlink_to(links, target_is_directory=True)
    plan.append(Planned("links/loop", "unseen", "link"))
    (links / "to_good.txt").symlink_to(folder / "good" / "demo_0.txt")
    plan.append(Planned("links/to_good.txt", "either", "link"))  # the same file as good/demo_0.txt


def _owner_only() -> object:
    from reportlab.lib import pdfencrypt

    return pdfencrypt.StandardEncryption("", ownerPassword="owner", canPrint=1)


def _junk_zip(rnd: random.Random) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(5):
            z.writestr(f"junk/{i}.bin", bytes(rnd.randrange(256) for _ in range(300)))
    return buf.getvalue()


def _empty_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w"):
        pass
    return buf.getvalue()


def _entity_bomb(docx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        xml = z.read("word/document.xml")
    entities = '<!DOCTYPE w:document [<!ENTITY a0 "党员党员党员党员党员党员党员党员">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)) + "]>"
    head, _, rest = xml.partition(b"?>")
    body = rest.replace(b"<w:body>", b"<w:body><w:p><w:r><w:t>&a9;</w:t></w:r></w:p>", 1)
    return head + b"?>" + entities.encode() + body


def _zip_bomb(docx: bytes, megabytes: int = 64) -> bytes:
    """A .docx of a few hundred KB whose document.xml inflates to ``megabytes`` MB of empty paragraphs."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename != "word/document.xml":
                zout.writestr(item.filename, zin.read(item.filename))
                continue
            xml = zin.read(item.filename)
            head, _, tail = xml.partition(b"<w:body>")
            block = b"<w:p/>" * (1024 * 1024 // 6)
            with zout.open("word/document.xml", "w", force_zip64=True) as fh:
                fh.write(head + b"<w:body>")
                for _ in range(megabytes):
                    fh.write(block)
                fh.write(tail)
    return out.getvalue()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "malformed_out")
    for p in build(target):
        print(f"{p.expect:6} {p.kind:9} {p.rel!r}")
