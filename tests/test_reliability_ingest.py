"""Ingestion under bad input, for real (Chroma on a temp dir): a folder of 70+ malformed files generated at
test time (tests/data/malformed/generate.py) beside good ones. Every file is read or skipped with a Chinese
reason, everything readable is stored with its text decoded correctly, the store stays consistent and a
second ingest writes nothing. Plus one regression test per loader/store bug these files found.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from drafter.settings import Settings
from vectorstore.decoding import decode_text
from vectorstore.ingest import source_name
from vectorstore.loading import LoadedFile, Skipped, load_path
from vectorstore.store import CorpusStore

CJK = re.compile(r"[\u4e00-\u9fff]")
GENERATOR = Path(__file__).resolve().parent / "data" / "malformed" / "generate.py"


def load_generator():
    """tests/data/malformed/generate.py as a module (it lives among data, not on the import path)."""
    if "malformed_generate" not in sys.modules:
        spec = importlib.util.spec_from_file_location("malformed_generate", GENERATOR)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules["malformed_generate"] = module
        spec.loader.exec_module(module)
    return sys.modules["malformed_generate"]


@pytest.fixture(scope="module")
def malformed(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("malformed")
    return folder, load_generator().build(folder)


def _stored(store: CorpusStore) -> dict[str, dict]:
    """id → (document text, metadata) of every section and document record."""
    out = {rid: {"text": text, "meta": meta} for rid, text, meta in store.section_records()}
    # A document's whole text is kept with its file; get() puts it back in the hit.
    out.update({h.id: {"text": h.text, "meta": h.metadata} for h in store.get(store.docs.get()["ids"])})
    return out


def test_every_malformed_file_is_read_or_skipped_with_a_reason(malformed) -> None:
    folder, plan = malformed
    assert sum(p.malformed for p in plan) >= 50
    assert max(len(Path(p.rel).parts) for p in plan) > 30  # deeply nested folders
    store = CorpusStore()
    report = store.ingest([folder])
    skipped = dict(report.skipped)
    read = report.encodings
    assert len(skipped) == len(report.skipped), "a file is reported once"
    records = _stored(store)
    by_source: dict[str, list[str]] = {}
    for rec in records.values():
        by_source.setdefault(rec["meta"]["source"], []).append(rec["text"])

    for p in plan:
        source = source_name((folder / p.rel).resolve()) if p.expect != "unseen" else source_name(folder / p.rel)
        where = f"{p.kind}: {p.rel!r}"
        if p.expect == "unseen":
            assert source not in skipped and source not in read, where
            continue
        assert (source in read) != (source in skipped), f"{where} must be read or skipped, exactly once"
        if source in skipped:
            reason = skipped[source]
            assert CJK.search(reason), (where, reason)
            assert str(folder) not in reason, f"{where}: the reason must not show server paths: {reason}"
            assert not re.search(r"[A-Z][a-z]+Error|Exception|Traceback", reason), (where, reason)
            assert p.expect in ("skip", "either"), f"{where} was skipped: {reason}"
            assert p.reason in reason, (where, reason)
        else:
            assert p.expect in ("read", "either"), f"{where} was read ({read[source]}) but should be skipped"
            texts = by_source.get(source)
            assert texts, f"{where} was read but nothing was stored"
            if p.contains:
                assert any(p.contains in t for t in texts), f"{where}: {p.contains!r} not in the stored text"
            assert not any("\x00" in t for t in texts), where
    assert report.files_seen == len(read) + len(skipped)
    assert not any(s.startswith(str(folder)) and "路径不存在" in r for s, r in report.skipped)


def test_store_is_consistent_and_a_second_ingest_writes_nothing(malformed) -> None:
    folder, _ = malformed
    store = CorpusStore()
    first = store.ingest([folder])
    records = _stored(store)
    assert store.count() == len(records) == first.documents + first.sections == first.records_written
    documents = [r for r in records.values() if r["meta"]["kind"] == "document"]
    assert len(documents) == first.documents
    sources = {r["meta"]["source"] for r in records.values()}
    assert sources == set(first.encodings), "records only for files that were read, for every one of them"
    assert set(store.known_files()) == set(first.encodings)
    for rid, rec in records.items():
        assert rec["text"].strip(), rid
        json_safe = rec["meta"]["source"].encode("utf-8")  # Chroma holds valid UTF-8 only
        assert json_safe
        if rec["meta"]["kind"] == "section":
            assert rid.startswith(rec["meta"]["doc_id"] + "-s")
            assert rec["meta"]["doc_id"] in records
    assert {d.source for d in store.documents()} == set(first.encodings)

    again = CorpusStore().ingest([folder])  # a new handle, as a new process would have
    assert again.records_written == 0 and again.files_read == 0 and again.documents == 0
    assert again.unchanged == len(first.encodings)
    assert dict(again.skipped) == dict(first.skipped), "the same files are skipped for the same reasons"
    assert _stored(CorpusStore()) == records


# --- regressions: each failed before its fix ------------------------------------------------------------


def test_the_same_file_twice_is_ingested_once(tmp_path: Path) -> None:
    """A symlink to a file of the folder, or a file named both alone and inside its folder, made the whole
    ingest fail with Chroma's DuplicateIDError; nothing was stored."""
    good = load_generator().demo_texts()[0]
    (tmp_path / "a.txt").write_text(good, encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    store = CorpusStore()
    report = store.ingest([tmp_path, tmp_path / "a.txt"])
    assert report.files_read == 1 and report.documents == 1
    assert store.count() == report.documents + report.sections


def test_a_file_name_that_is_not_utf8_is_read(tmp_path: Path) -> None:
    """A GBK-encoded name (a zip made on Windows, unpacked on Linux) made Chroma refuse the record: the file was
    skipped as '解析失败（UnicodeEncodeError …）'."""
    good = load_generator().demo_texts()[1]
    path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/" + "工作总结".encode("gbk") + b".txt"))
    path.write_text(good, encoding="utf-8")
    store = CorpusStore()
    report = store.ingest([tmp_path])
    assert report.files_read == 1, report.skipped
    (doc,) = store.documents()
    assert Path(doc.source).name == "工作总结.txt"
    assert [Path(s).name for s in report.encodings] == ["工作总结.txt"]
    assert CorpusStore().ingest([tmp_path]).unchanged == 1
    path.unlink()
    assert CorpusStore().ingest([tmp_path]).removed_sources == [doc.source]


def test_docx_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    """A .docx of 100 KB inflating to 64 MB of empty paragraphs was unpacked and parsed: minutes of CPU and
    gigabytes of memory for a file far below the 20 MB upload limit."""
    gen = load_generator()
    path = tmp_path / "bomb.docx"
    path.write_bytes(gen._zip_bomb(gen._docx_bytes(["文字"]), megabytes=64))
    assert path.stat().st_size < 1024 * 1024
    result = load_path(path)
    assert isinstance(result, Skipped) and "解压后过大" in result.reason


def test_docx_style_lookups_are_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every paragraph looked its style up again (python-docx scans all styles for the default one): an
    8,000-paragraph report took 13 s to read. Now once per style."""
    from docx.text.paragraph import Paragraph

    gen = load_generator()
    path = tmp_path / "long.docx"
    path.write_bytes(gen._docx_bytes([f"第{i}段，开展党员教育。" for i in range(300)]))
    calls = []
    original = Paragraph.style.fget
    monkeypatch.setattr(Paragraph, "style", property(lambda self: calls.append(1) or original(self)))
    result = load_path(path)
    assert isinstance(result, LoadedFile) and result.text.count("\n") == 299
    assert len(calls) <= 2


@pytest.mark.parametrize(
    ("name", "make", "encoding"),
    [
        ("utf8 then gbk at a line break", lambda t, i: t[:i].encode() + t[i:].encode("gbk"), "utf-8+gb18030"),
        ("gbk then utf8", lambda t, i: t[:i].encode("gbk") + t[i:].encode(), "utf-8+gb18030"),
        ("utf8 then gbk mid-line", lambda t, i: t[: i - 5].encode() + t[i - 5:].encode("gbk"), "utf-8+gb18030"),
        ("one damaged byte", lambda t, i: t[:i].encode() + b"\xff" + t[i:].encode(), "utf-8（有损坏字节）"),
        ("cut in the last character", lambda t, i: t.encode() + "党".encode()[:2], "utf-8（有损坏字节）"),
        ("bom and a damaged byte", lambda t, i: b"\xef\xbb\xbf" + t[:i].encode() + b"\xff" + t[i:].encode(),
         "utf-8（有损坏字节）"),
        ("utf-32", lambda t, i: t.encode("utf-32"), "utf-32"),
    ],
)
def test_mixed_and_damaged_encodings_are_decoded(name: str, make, encoding: str) -> None:
    """Files mixing UTF-8 and GBK, or UTF-8 with one bad byte, were skipped whole as '无法识别文本编码（可能是二进制
    文件）'; UTF-32 was read as UTF-16 with a NUL between every two characters."""
    text = load_generator().demo_texts()[2]
    cut = text.index("\n", len(text) // 2)
    decoded, got = decode_text(make(text, cut))
    assert got == encoding, name
    assert "\x00" not in decoded
    lost = sum(1 for a, b in zip(decoded, text, strict=False) if a != b)
    assert decoded.replace("\ufffd", "") in (text, text.replace(text[cut], "", 1)) or lost <= 3, name
    assert decoded.count("\ufffd") <= 3


def test_broken_docx_and_pdf_reasons_are_plain_chinese(tmp_path: Path) -> None:
    """Reasons were Python exception texts with the server path, e.g. '无法读取（PackageNotFoundError：Package not
    found at '/srv/…/x.docx'）'."""
    for name, data in (("x.docx", b"PK\x03\x04 broken"), ("y.docx", b"plain text"), ("z.pdf", b"%PDF-1.4 junk"),
                       ("w.pdf", "这不是PDF".encode())):
        path = tmp_path / name
        path.write_bytes(data)
        result = load_path(path)
        assert isinstance(result, Skipped), name
        assert "不是有效的" in result.reason and str(tmp_path) not in result.reason, result.reason
        assert "Error" not in result.reason


def test_a_docx_that_is_a_zip_of_junk(tmp_path: Path) -> None:
    path = tmp_path / "junk.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "不是 Word 文档")
    result = load_path(path)
    assert isinstance(result, Skipped) and "Word" in result.reason


def test_files_prepared_in_worker_processes_are_stored_as_prepared_here(malformed, tmp_path: Path) -> None:
    """The parallel path (files read, parsed and embedded in spawned workers, written here) stores exactly what
    the serial one does: the same records, texts, metadata and vectors, and the same files skipped for the same
    reasons."""
    folder, _plan = malformed
    stores, reports = [], []
    for workers in (0, 1):
        home = tmp_path / f"w{workers}"
        store = CorpusStore(Settings(home=home, chroma_path=home / "chroma"))
        reports.append(store.ingest([folder], workers=workers))
        stores.append(store)
    serial, parallel = reports
    assert serial.files_read > 20 and serial.skipped
    assert (parallel.files_read, parallel.documents, parallel.sections, sorted(parallel.skipped)) == (
        serial.files_read, serial.documents, serial.sections, sorted(serial.skipped))

    def snapshot(store: CorpusStore) -> dict:
        got = store.collection.get(include=["embeddings"])
        vectors = {rid: [round(float(x), 6) for x in v] for rid, v in zip(got["ids"], got["embeddings"], strict=True)}
        return {rid: (text, meta, vectors[rid]) for rid, text, meta in store.section_records()}

    assert snapshot(stores[1]) == snapshot(stores[0])
    assert [h.text for h in stores[1].search("党支部 主题党日", k=5)] == [h.text for h in stores[0].search("党支部 主题党日", k=5)]


UNGUARDED = """
import sys
from pathlib import Path
from drafter.settings import Settings
from vectorstore.cli import demo_corpus_files
from vectorstore.store import CorpusStore
report = CorpusStore(Settings(home=Path(sys.argv[1]))).ingest(demo_corpus_files(), workers=1)
print("RESULT", report.files_read, report.documents, report.sections, len(report.skipped))
"""


def test_an_unguarded_script_still_ingests_everything(tmp_path: Path) -> None:
    """A script without ``if __name__ == "__main__"`` breaks the spawned worker (it re-runs the script): the
    files are then prepared in the main process and nothing is lost."""
    from vectorstore.cli import demo_corpus_files

    script = tmp_path / "ingest_script.py"
    script.write_text(UNGUARDED, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    run = subprocess.run([sys.executable, str(script), str(tmp_path / "home")], capture_output=True, text=True,
                         env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "bootstrapping phase" in run.stderr  # the worker did break
    serial = CorpusStore(Settings(home=tmp_path / "serial")).ingest(demo_corpus_files(), workers=0)
    expected = f"RESULT {serial.files_read} {serial.documents} {serial.sections} {len(serial.skipped)}"
    assert expected in run.stdout.splitlines()


def test_the_stores_own_embedder_makes_the_vectors_on_either_path(tmp_path: Path) -> None:
    """Vectors made while files are prepared come from the store's embedder, not a default one: a 1,024-dim
    n-gram embedder (rebuilt from its config in a worker) and a subclass (kept in process) alike."""
    import numpy as np

    from vectorstore.cli import demo_corpus_files
    from vectorstore.embedding import NgramEmbeddingFunction

    class Doubled(NgramEmbeddingFunction):
        def embed_one(self, text: str) -> np.ndarray:
            return super().embed_one(text + text[:10])

    for n, (embedder, workers) in enumerate([(NgramEmbeddingFunction(dim=1024), 1), (Doubled(), 1),
                                             (NgramEmbeddingFunction(dim=1024), 0)]):
        home = tmp_path / f"s{n}"
        store = CorpusStore(Settings(home=home, chroma_path=home / "chroma"), embedding_function=embedder)
        store.ingest(demo_corpus_files()[:3], workers=workers)
        got = store.collection.get(include=["embeddings"])
        texts = {rid: text for rid, text, _ in store.section_records()}
        for rid, vector in zip(got["ids"][:5], got["embeddings"][:5], strict=True):
            assert np.allclose(vector, embedder([texts[rid]])[0], atol=1e-6), (type(embedder).__name__, workers)
