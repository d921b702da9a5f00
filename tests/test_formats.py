"""The files clerks keep: .doc, .wps, .rtf, .odt (through real LibreOffice) and OFD ingest like the .docx they
were made from; corrupt files, a hung converter and a missing converter are skipped with reasons; tracked
changes and comments in a .docx give the accepted text only."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx_numbering import chinese_numbering, number_paragraph

from drafter.settings import get_settings
from drafter.webapp import corpus as webcorpus
from vectorstore.cli import cmd_corpus
from vectorstore.loading import LoadedFile, Loader, Skipped, load_path
from vectorstore.pipeline import process_loaded
from vectorstore.store import CorpusStore

TITLE = "柳河镇党委2019年度创先争优活动工作总结"
# (auto-numbering level or None for a plain paragraph, text); the headings carry no typed "一、" / "（一）".
BODY: list[tuple[int | None, str]] = [
    (None, "全镇现有基层党组织45个，党员1372名。今年以来，镇党委按照县委的统一部署，紧扣中心工作扎实开展创先争优活动，"
           "现将有关情况总结如下："),
    (0, "基本情况"),
    (None, "全镇45个基层党组织全部参加活动，共开展主题党日活动216次，参与党员1290人次，群众满意率达到百分之九十以上。"),
    (0, "主要做法"),
    (None, "镇党委把创先争优作为全年党建工作的主线，坚持与中心工作同部署、同推进、同考核。"),
    (1, "强化组织领导"),
    (None, "成立由党委书记任组长的领导小组，召开专题会议12次，印发工作方案3份，建立党委委员联系支部制度。"),
    (1, "创新活动载体"),
    (None, "开展党员承诺践诺活动，1372名党员全部公开承诺，办结群众实事386件，评选星级党员示范户164户。"),
    (0, "存在问题"),
    (None, "一是学习不够深入；二是载体创新不足；三是个别支部活动开展不经常。"),
    (0, "下一步工作打算"),
    (None, "继续深化活动，力争明年新建党员服务站8个，培训农村党员骨干600人次。"),
    (None, "中共柳河镇委员会"),
    (None, "2019年12月20日"),
]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def need_soffice() -> str:
    if SOFFICE:
        return SOFFICE
    if os.environ.get("CI"):
        pytest.fail("LibreOffice (soffice) is not installed; `make system-deps` installs libreoffice-writer")
    pytest.skip("LibreOffice (soffice) is not installed")


# ---------------------------------------------------------------- making the files


def make_docx(path: Path) -> Path:
    """The summary as Word writes it: headings numbered by a Chinese list (一、 / （一）), not typed."""
    doc = Document()
    num_id = chinese_numbering(doc)
    doc.add_paragraph(TITLE)
    for level, text in BODY:
        para = doc.add_paragraph(text)
        if level is not None:
            number_paragraph(para, num_id, level)
    doc.save(path)
    return path


def soffice_convert(source: Path, fmt: str, outdir: Path) -> Path:
    """The test's own LibreOffice run (not the product's code), one target format per run."""
    profile = outdir / f".profile-{fmt}"
    subprocess.run([need_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", fmt,
                    "--outdir", str(outdir), str(source)], check=True, capture_output=True, timeout=180)
    shutil.rmtree(profile, ignore_errors=True)
    return outdir / f"{source.stem}.{fmt}"


def printed_lines() -> list[tuple[str, str]]:
    """(kind, text) of the summary as printed: list labels are ink on paper in a fixed layout."""
    counters = [0, 0]
    out = [("title", TITLE)]
    cn = "零一二三四五六七八九"
    for level, text in BODY:
        if level == 0:
            counters = [counters[0] + 1, 0]
            out.append(("para", f"{cn[counters[0]]}、{text}"))
        elif level == 1:
            counters[1] += 1
            out.append(("para", f"（{cn[counters[1]]}）{text}"))
        elif text.startswith(("中共", "2019年")):
            out.append(("sign", text))
        else:
            out.append(("para", text))
    return out


def make_ofd(path: Path, lines: list[tuple[str, str]] | None = None) -> Path:
    """A GB/T 33190 package laid out like GB/T 9704 (A4, 28 characters a line, 22 lines a page, page numbers
    "— N —"): paragraphs indented two characters and wrapped at the margin, each line written as several
    TextObjects of a few characters, as converters from Word do."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    adv, size, pitch, left, top, per_page = 5.57, 5.64, 10.2, 28.0, 37.0, 22
    rows: list[tuple[float, float, str]] = []  # (x, size, text) per printed row
    for kind, text in printed_lines() if lines is None else lines:
        if kind == "title":
            rows.append((left + (28 - len(text) * 1.36) / 2 * adv, 7.76, text))
            continue
        if kind == "sign":
            rows.append((left + (24 - len(text)) * adv, size, text))
            continue
        start = x = left + 2 * adv  # first line indented two characters
        line = ""
        for ch in text:  # wrapped by width: a digit takes half a character's width
            width = adv * (0.5 if ch.isascii() else 1.0)
            if x + width > left + 28 * adv + 0.01:
                rows.append((start, size, line))
                start = x = left
                line = ""
            x += width
            line += ch
        rows.append((start, size, line))
    pages = [rows[i:i + per_page] for i in range(0, len(rows), per_page)]
    next_id = iter(range(100, 100000))
    files = {
        "OFD.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.1" DocType="OFD"><ofd:DocBody>'
                   f'<ofd:DocInfo><ofd:DocID>a1b2</ofd:DocID><ofd:Title>{TITLE}</ofd:Title></ofd:DocInfo>'
                   '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>',
        "Doc_0/PublicRes.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {ns} BaseLoc="Res"><ofd:Fonts>'
                               '<ofd:Font ID="3" FontName="仿宋_GB2312" FamilyName="仿宋"/></ofd:Fonts></ofd:Res>',
    }
    page_refs = []
    for n, page in enumerate(pages):
        objects = []
        for row, (x0, sz, text) in enumerate(page):
            baseline = top + row * pitch + sz
            widths = [adv * sz / size * (0.5 if ch.isascii() else 1.0) for ch in text]  # digits are half width
            col, cut, x = 0, 0, x0
            while cut < len(text):
                step = 1 + (row + col) % 5  # chunks of 1-5 characters
                chunk, advances = text[cut:cut + step], widths[cut:cut + step]
                delta = f' DeltaX="{" ".join(f"{w:.2f}" for w in advances[:-1])}"' if len(chunk) > 1 else ""
                objects.append(f'<ofd:TextObject ID="{next(next_id)}" Boundary="{x:.2f} {baseline - sz:.2f} '
                               f'{sum(advances) + 1:.2f} {sz * 1.2:.2f}" Font="3" Size="{sz}">'
                               f'<ofd:FillColor Value="0 0 0"/><ofd:TextCode X="0" Y="{sz:.2f}"{delta}>{chunk}'
                               '</ofd:TextCode></ofd:TextObject>')
                x += sum(advances)
                cut += len(chunk)
                col += 1
        number = f"— {n + 1} —"
        objects.append(f'<ofd:TextObject ID="{next(next_id)}" Boundary="95 270 30 8" Font="3" Size="4.94">'
                       f'<ofd:TextCode X="0" Y="5">{number}</ofd:TextCode></ofd:TextObject>')
        files[f"Doc_0/Pages/Page_{n}/Content.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Area><ofd:PhysicalBox>0 0 210 297'
            f'</ofd:PhysicalBox></ofd:Area><ofd:Content><ofd:Layer ID="{next(next_id)}">{"".join(objects)}'
            '</ofd:Layer></ofd:Content></ofd:Page>')
        page_refs.append(f'<ofd:Page ID="{n + 10}" BaseLoc="Pages/Page_{n}/Content.xml"/>')
    files["Doc_0/Document.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:CommonData><ofd:MaxUnitID>100000'
        '</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
        f'<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>{"".join(page_refs)}</ofd:Pages>'
        '</ofd:Document>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """summary.docx and, made from it by LibreOffice, summary.doc / .odt / .rtf, a .wps copy of the .doc."""
    need_soffice()
    folder = tmp_path_factory.mktemp("made")
    docx = make_docx(folder / "summary.docx")
    files = {"docx": docx}
    for fmt in ("doc", "odt", "rtf"):
        files[fmt] = soffice_convert(docx, fmt, folder)
    files["wps"] = folder / "summary.wps"
    shutil.copyfile(files["doc"], files["wps"])
    return files


def counting_soffice(tmp_path: Path, hang_marker: str | None = None) -> tuple[Path, Path]:
    """A soffice in front of the real one that logs each run; with ``hang_marker``, LibreOffice hangs on the
    input that contains it, after converting the inputs before it (as a real hang mid-batch does)."""
    log = tmp_path / "soffice-runs.log"
    script = tmp_path / "soffice"
    script.write_text(f"""#!/bin/bash
echo run >> "{log}"
marker="{hang_marker or ''}"
if [ -n "$marker" ]; then
  opts=(); before=()
  for a in "$@"; do [ -f "$a" ] || opts+=("$a"); done
  for a in "$@"; do
    [ -f "$a" ] || continue
    if grep -q "$marker" "$a"; then
      [ ${{#before[@]}} -gt 0 ] && "{SOFFICE}" "${{opts[@]}}" "${{before[@]}}"
      exec sleep 600
    fi
    before+=("$a")
  done
fi
exec "{SOFFICE}" "$@"
""")
    script.chmod(0o755)
    return script, log


def shape(doc) -> tuple:
    """What ingestion must get the same from every format: metadata, and per section (nested included) its
    level, heading, type, figures and 一是…二是… items."""
    return (doc.title, doc.genre, doc.unit_type, doc.year, doc.signature, doc.date,
            [(s.level, s.heading, s.section_type, s.figures, s.enumerations) for top in doc.sections for s in top.walk()])


def stored_sections(store: CorpusStore, source: str) -> list[tuple]:
    """Top-level section records of one source (passage records of sub-sections are compared separately)."""
    metas = [m for _, _, m in store.section_records() if m["source"] == source]
    return sorted((m["position"], m["heading"], m["section_type"], m["figures"], m["subheadings"])
                  for m in metas if m.get("level", 1) <= 1)


def stored_passages(store: CorpusStore, source: str) -> list[tuple]:
    metas = [m for _, _, m in store.section_records() if m["source"] == source]
    return sorted((m["position"], m["heading"], m["section_type"]) for m in metas if m.get("level", 1) > 1)


# ---------------------------------------------------------------- tests


def test_every_format_ingests_like_the_docx(made: dict[str, Path], tmp_path: Path, monkeypatch):
    folder = tmp_path / "archive"
    folder.mkdir()
    for fmt, path in made.items():
        shutil.copyfile(path, folder / f"柳河镇总结.{fmt}")
    make_ofd(folder / "柳河镇总结.ofd")
    soffice, log = counting_soffice(tmp_path)
    monkeypatch.setenv("DRAFTER_SOFFICE", str(soffice))

    reference = [shape(d) for d in process_loaded(load_path(made["docx"]), "ref").documents]
    assert [s[1] for s in reference[0][6]][:4] == ["", "一、基本情况", "二、主要做法", "（一）强化组织领导"]
    log.unlink(missing_ok=True)

    store = CorpusStore()
    report = store.ingest([folder])
    assert report.skipped == [] and report.files_read == 6 and report.documents == 6
    assert log.read_text().count("run") == 1  # .doc, .wps, .rtf and .odt in one LibreOffice run
    by_name = {Path(s).suffix: s for s in report.encodings}
    assert report.encodings[by_name[".doc"]] == "doc（LibreOffice 转换）"
    assert report.encodings[by_name[".ofd"]] == "ofd"
    want = stored_sections(store, by_name[".docx"])
    assert [w[1] for w in want] == ["（导语）", "一、基本情况", "二、主要做法", "三、存在问题", "四、下一步工作打算"]
    assert want[1][2:4] == ("基本情况", '["45个", "216次", "1290人次", "百分之九十"]')
    assert want[2][4] == '["（一）强化组织领导", "（二）创新活动载体"]'

    passages = stored_passages(store, by_name[".docx"])
    for suffix, source in by_name.items():
        assert stored_sections(store, source) == want, suffix
        assert stored_passages(store, source) == passages, suffix
        loaded = load_path(Path(source))
        assert isinstance(loaded, LoadedFile), suffix
        assert [shape(d) for d in process_loaded(loaded, "ref").documents] == reference, suffix

    log.unlink()
    again = CorpusStore().ingest([folder])
    assert again.unchanged == 6 and again.records_written == 0 and not log.exists()  # nothing converted again
    assert CorpusStore().count() == store.count()


def test_corrupt_file_and_converter_timeout_are_skipped_the_rest_ingested(made: dict[str, Path], tmp_path: Path,
                                                                       monkeypatch):
    folder = tmp_path / "archive"
    folder.mkdir()
    data = made["doc"].read_bytes()
    (folder / "a-损坏.doc").write_bytes(data[:1536] + bytes(range(256)) * ((len(data) - 1536) // 256))
    shutil.copyfile(made["doc"], folder / "b-完好.doc")
    rtf = made["rtf"].read_text(encoding="latin-1")
    (folder / "c-卡住.rtf").write_text(rtf.replace("\\par", "\\par HANG-HERE", 1), encoding="latin-1")
    shutil.copyfile(made["odt"], folder / "d-完好.odt")
    (folder / "e-乱码.wps").write_bytes(b"WPS2000" + bytes(range(200)) * 20)
    shutil.copyfile(made["docx"], folder / "f-完好.docx")
    soffice, log = counting_soffice(tmp_path, hang_marker="HANG-HERE")
    monkeypatch.setenv("DRAFTER_SOFFICE", str(soffice))
    monkeypatch.setenv("DRAFTER_CONVERT_TIMEOUT", "30")

    report = CorpusStore().ingest([folder])
    skipped = {Path(p).name: reason for p, reason in report.skipped}
    assert set(skipped) == {"a-损坏.doc", "c-卡住.rtf", "e-乱码.wps"}
    assert "LibreOffice 无法转换" in skipped["a-损坏.doc"]
    assert "转换超时" in skipped["c-卡住.rtf"] and "30 秒" in skipped["c-卡住.rtf"]
    assert "不是有效的WPS 文字文档" in skipped["e-乱码.wps"] and "另存为 .docx" in skipped["e-乱码.wps"]
    assert report.files_read == 3 and report.documents == 3
    assert log.read_text().count("run") == 2  # the hung run, then one for the file after the hung one
    assert {Path(d.source).name for d in CorpusStore().documents()} == {"b-完好.doc", "d-完好.odt", "f-完好.docx"}


def test_without_libreoffice_the_reason_says_what_to_install(tmp_path: Path, monkeypatch):
    folder = tmp_path / "archive"
    folder.mkdir()
    make_docx(folder / "总结.docx")
    (folder / "旧总结.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))
    monkeypatch.delenv("DRAFTER_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    report = CorpusStore().ingest([folder])
    assert report.files_read == 1
    [(name, reason)] = report.skipped
    assert name.endswith("旧总结.doc")
    assert "未安装 LibreOffice" in reason and "apt-get install libreoffice-writer" in reason and "另存为 .docx" in reason
    monkeypatch.setenv("DRAFTER_SOFFICE", "/opt/nowhere/soffice")
    result = load_path(folder / "旧总结.doc")
    assert isinstance(result, Skipped) and "/opt/nowhere/soffice" in result.reason


def test_a_doc_that_is_really_rtf_or_docx_is_read_by_what_it_is(made: dict[str, Path], tmp_path: Path):
    rtf_as_doc = tmp_path / "导出.doc"
    shutil.copyfile(made["rtf"], rtf_as_doc)
    docx_as_doc = tmp_path / "改名.doc"
    shutil.copyfile(made["docx"], docx_as_doc)
    loader = Loader(expect=[rtf_as_doc, docx_as_doc])
    first, second = loader.load(rtf_as_doc), loader.load(docx_as_doc)
    assert isinstance(first, LoadedFile) and first.encoding == "doc（实为 RTF，LibreOffice 转换）"
    assert isinstance(second, LoadedFile) and second.encoding == "doc（实为 docx）"
    assert [shape(d) for d in process_loaded(first, "x").documents] == [
        shape(d) for d in process_loaded(second, "x").documents]
    assert loader.converter.runs == 1


def _tracked_docx(path: Path) -> Path:
    """Text edited with Track Changes on, and commented: what an accepted copy reads is known exactly."""
    doc = Document()
    doc.add_paragraph("东坡社区党委2020年工作总结")
    para = doc.add_paragraph("全社区现有党员")

    def revision(tag: str, text: str, text_tag: str = "w:t"):
        wrapper = OxmlElement(tag)
        wrapper.set(qn("w:id"), str(len(path.name) + len(text)))
        wrapper.set(qn("w:author"), "审核人")
        run = OxmlElement("w:r")
        t = OxmlElement(text_tag)
        t.text = text
        run.append(t)
        wrapper.append(run)
        return wrapper

    para._p.append(revision("w:del", "210名", "w:delText"))
    para._p.append(revision("w:ins", "236名"))
    para.add_run("，党支部6个。")
    moved = doc.add_paragraph("活动开展情况良好")
    moved._p.append(revision("w:moveFrom", "（旧稿）", "w:t"))
    commented = doc.add_paragraph("全年开展志愿服务52次。")
    doc.add_comment(commented.runs, text="此处数字请核实，是否应为58次", author="科长")
    gone = doc.add_paragraph("这一段整段删除。")
    for run in gone._p.xpath("./w:r"):
        wrapper = OxmlElement("w:del")
        wrapper.set(qn("w:id"), "91")
        wrapper.set(qn("w:author"), "审核人")
        run.addprevious(wrapper)
        wrapper.append(run)
        for t in run.xpath("./w:t"):
            t.tag = qn("w:delText")
    r_pr = OxmlElement("w:rPr")
    mark = OxmlElement("w:del")
    mark.set(qn("w:id"), "92")
    mark.set(qn("w:author"), "审核人")
    r_pr.append(mark)
    gone._p.get_or_add_pPr().append(r_pr)
    doc.add_paragraph("下一步继续做好服务。")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "项目", "数量"
    table.cell(1, 0).text, table.cell(1, 1).text = "删除的行", "99个"
    tr_pr = table.rows[1]._tr.get_or_add_trPr()
    row_del = OxmlElement("w:del")
    row_del.set(qn("w:id"), "93")
    row_del.set(qn("w:author"), "审核人")
    tr_pr.append(row_del)
    doc.save(path)
    return path


def test_docx_with_tracked_changes_and_comments_reads_the_accepted_text(tmp_path: Path):
    loaded = load_path(_tracked_docx(tmp_path / "修订稿.docx"))
    assert isinstance(loaded, LoadedFile)
    assert loaded.text.split("\n") == [
        "东坡社区党委2020年工作总结",
        "全社区现有党员236名，党支部6个。",
        "活动开展情况良好",
        "全年开展志愿服务52次。",
        "下一步继续做好服务。",
        "项目\t数量",
    ]


def test_ofd_garbage_and_broken_files_are_skipped_with_reasons(tmp_path: Path):
    good = load_path(make_ofd(tmp_path / "好.ofd"))
    assert isinstance(good, LoadedFile) and good.encoding == "ofd"
    assert "全镇45个基层党组织全部参加活动，共开展主题党日活动216次，参与党员1290人次，" in good.text  # rejoined
    assert "— 1 —" not in good.text
    garbage = [("para", "".join(chr(0xE000 + (i * 7 + j) % 400) for j in range(30))) for i in range(20)]
    result = load_path(make_ofd(tmp_path / "乱码.ofd", garbage))
    assert isinstance(result, Skipped) and "OFD 文字提取失败" in result.reason and "私用区" in result.reason
    empty = load_path(make_ofd(tmp_path / "扫描件.ofd", []))
    assert isinstance(empty, Skipped) and "没有可提取的文字" in empty.reason
    (tmp_path / "坏.ofd").write_bytes(b"PK\x03\x04 not really a zip")
    broken = load_path(tmp_path / "坏.ofd")
    assert isinstance(broken, Skipped) and "不是有效的OFD 文件" in broken.reason


def test_upload_and_corpus_listing_know_the_formats(tmp_path: Path, capsys):
    settings = get_settings()
    sources = []
    for name in ("往年.doc", "往年.WPS", "往年.rtf", "往年.odt", "往年.ofd", "表格.xlsx"):
        (tmp_path / name).write_bytes(b"x")
        sources.append(tmp_path / name)
    result = webcorpus.save_uploads(settings, sources)
    assert [p.name for p in result.saved] == ["往年.doc", "往年.WPS", "往年.rtf", "往年.odt", "往年.ofd"]
    assert result.rejected == [("表格.xlsx", "不支持的文件类型“.xlsx”（支持 txt、md、docx、doc、wps、rtf、odt、pdf、ofd）")]
    assert {".doc", ".wps", ".rtf", ".odt", ".ofd", ".docx", ".pdf"} <= set(webcorpus.UPLOAD_TYPES)

    folder = tmp_path / "docs"
    folder.mkdir()
    make_ofd(folder / "柳河.ofd")
    (folder / "青溪.txt").write_bytes(("青溪镇党委2011年创先争优活动工作总结\n全镇现有基层党组织38个，党员1264名。现将有关情况总结如下：\n"
                                       "一、基本情况\n全镇38个基层党组织全部参加活动。\n二、存在问题\n一是学习不够深入；二是载体创新不足。\n"
                                       "中共青溪镇委员会\n2011年12月26日\n").encode("gbk"))
    CorpusStore().ingest([folder])
    assert cmd_corpus(argparse.Namespace(remove=None, db=None)) == 0
    out = capsys.readouterr().out
    assert "柳河.ofd · ofd" in out and "青溪.txt · txt（gb18030）" in out


def test_draft_exports_to_pdf_through_libreoffice(made: dict[str, Path], tmp_path: Path):
    from pypdf import PdfReader

    from vectorstore.convert import Converter

    pdf = Converter().to_pdf(made["docx"], tmp_path / "out" / "总结.pdf")
    text = PdfReader(str(pdf)).pages[0].extract_text()
    assert TITLE in text.replace(" ", "").replace("\n", "")
