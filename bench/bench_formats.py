"""Throughput and heading fidelity of the LibreOffice path (.doc/.wps/.rtf/.odt → .docx → text) against the
.docx path in the same process.

    .venv/bin/python bench/bench_formats.py [--files 200] [--chunk 20]

Makes a multi-page summary .docx whose headings are Word auto-numbering (一、 / （一）) plus typed ones (1.),
has LibreOffice save it as .doc, .rtf and .odt (and a .wps copy of the .doc), copies those to --files files,
loads them all through one ``Loader`` (a chunk per soffice run), and prints files/s, pages/s, soffice runs,
the ratio to the .docx path, one-file-per-run for comparison, and per format how many headings match the
.docx path's.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # docx_numbering, shared with the tests

from docx import Document
from docx_numbering import chinese_numbering, number_paragraph

from vectorstore.convert import Converter
from vectorstore.loading import LoadedFile, Loader, load_path
from vectorstore.pipeline import process_loaded

FORMATS = ("doc", "wps", "rtf", "odt")


def make_docx(path: Path) -> None:
    doc = Document()
    num_id = chinese_numbering(doc)

    def numbered(text: str, level: int) -> None:
        number_paragraph(doc.add_paragraph(text), num_id, level)

    body = ("镇党委坚持把创先争优活动与中心工作紧密结合，全年召开专题会议{n}次，开展主题党日活动{m}次，"
            "参与党员{k}人次，办结群众实事{j}件，群众满意度持续提升，基层党组织的战斗堡垒作用进一步增强。")
    doc.add_paragraph("柳河镇党委2019年度创先争优活动工作总结")
    doc.add_paragraph("全镇现有基层党组织45个，党员1372名。现将有关情况总结如下：")
    for i, top in enumerate(("基本情况", "主要做法", "取得成效", "存在问题", "下一步工作打算")):
        numbered(top, 0)
        for j, sub in enumerate(("强化组织领导", "创新活动载体", "严格考核督导")):
            numbered(f"{sub}", 1)
            for k in range(3):
                doc.add_paragraph(f"{k + 1}.{'坚持问题导向' if k == 0 else '注重工作实效'}。" + body.format(
                    n=i + j + 3, m=20 + i * 7 + j, k=300 + 11 * i + j, j=40 + i + 3 * k))
    doc.add_paragraph("中共柳河镇委员会")
    doc.add_paragraph("2019年12月20日")
    doc.save(path)


def headings(path: Path, loader: Loader | None = None) -> list[str]:
    loaded = (loader or Loader()).load(path)
    assert isinstance(loaded, LoadedFile), getattr(loaded, "reason", loaded)
    return [s.heading for d in process_loaded(loaded, "b").documents for top in d.sections for s in top.walk()
            if s.heading]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--chunk", type=int, default=20)
    ap.add_argument("--single", type=int, default=8, help="files converted one soffice run each, for the ratio")
    args = ap.parse_args()
    conv = Converter(chunk=args.chunk)
    if not conv.available:
        print("LibreOffice 未安装：apt-get install libreoffice-writer")
        return 1
    work = Path(tempfile.mkdtemp(prefix="bench-formats-"))
    try:
        base = work / "base.docx"
        make_docx(base)
        made = {"docx": base}
        for fmt in ("doc", "rtf", "odt"):
            subprocess.run([conv.soffice, f"-env:UserInstallation={(work / 'p').as_uri()}", "--headless",
                            "--convert-to", fmt, "--outdir", str(work), str(base)], check=True, capture_output=True)
            made[fmt] = work / f"base.{fmt}"
        made["wps"] = work / "base.wps"
        shutil.copyfile(made["doc"], made["wps"])
        pages = len(__import__("pypdf").PdfReader(str(conv.to_pdf(base, work / "base.pdf"))).pages)

        files = []
        for n in range(args.files):
            fmt = FORMATS[n % len(FORMATS)]
            target = work / "corpus" / f"{n:04d}.{fmt}"
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(made[fmt], target)
            files.append(target)
        docx_copies = []
        for n in range(args.files):
            target = work / "docx" / f"{n:04d}.docx"
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(base, target)
            docx_copies.append(target)

        t0 = time.perf_counter()
        for f in docx_copies:
            assert isinstance(load_path(f), LoadedFile)
        docx_s = time.perf_counter() - t0

        loader = Loader(expect=files, converter=conv)
        runs0 = conv.runs
        t0 = time.perf_counter()
        ok = sum(isinstance(loader.load(f), LoadedFile) for f in files)
        batch_s = time.perf_counter() - t0
        batch_runs = conv.runs - runs0

        single = Converter(chunk=1)
        t0 = time.perf_counter()
        for f in files[: args.single]:
            assert isinstance(Loader(converter=single).load(f), LoadedFile)
        single_s = (time.perf_counter() - t0) / max(1, args.single)

        print(f"document: {pages} pages (LibreOffice PDF export); {args.files} files, {args.files // len(FORMATS)} "
              f"each of {', '.join(FORMATS)}")
        print(f".docx path:        {args.files / docx_s:8.1f} files/s  {args.files * pages / docx_s:8.1f} pages/s")
        print(f"LibreOffice batch: {args.files / batch_s:8.1f} files/s  {args.files * pages / batch_s:8.1f} pages/s  "
              f"({ok}/{args.files} read, {batch_runs} soffice runs of {args.chunk}, {batch_s:.1f} s)")
        print(f"one file per run:  {1 / single_s:8.2f} files/s  ({args.single} files, {single_s:.2f} s each)")
        print(f"ratios: batch / docx path = {docx_s / batch_s:.3f}; batch / one-per-run = {single_s * args.files / batch_s:.1f}x")

        want = headings(base)
        auto = [h for h in want if h[:1] in "一二三四五六七八九十（"]
        print(f"headings in the .docx path: {len(want)} ({len(auto)} from auto-numbering 一、/（一）, "
              f"{len(want) - len(auto)} typed 1.)")
        for fmt in FORMATS:
            got = headings(made[fmt], Loader(converter=conv))
            same = sum(1 for a, b in zip(want, got, strict=False) if a == b)
            print(f"  {fmt}: {same}/{len(want)} headings identical (got {len(got)})"
                  + ("" if got == want else f"; first difference: {next(((a, b) for a, b in zip(want, got, strict=False) if a != b), None)}"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
