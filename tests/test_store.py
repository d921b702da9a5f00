"""The Chroma store for real, on a temp dir: ingest, idempotency, change, removal, filters, reopen, server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drafter.settings import get_settings
from vectorstore.cli import demo_corpus_files
from vectorstore.store import CorpusStore


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    (folder / "nested" / "deeper").mkdir(parents=True)
    files = demo_corpus_files()
    for f in files[:4]:
        shutil.copy(f, folder / f.name)
    shutil.copy(files[4], folder / "nested" / "deeper" / files[4].name)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    return folder


def test_ingest_is_idempotent_and_tracks_changes(corpus: Path):
    store = CorpusStore()
    first = store.ingest([corpus])
    assert first.files_read == 5 and first.documents == 5 and first.sections > 20
    assert [Path(p).name for p, _ in first.skipped] == ["broken.pdf"]
    count = store.count()
    assert count == first.documents + first.sections

    again = CorpusStore().ingest([corpus])  # a new handle, as a new process would have
    assert again.unchanged == 5 and again.records_written == 0 and CorpusStore().count() == count

    victim = sorted(corpus.glob("*.txt"))[0]
    victim.write_text(victim.read_text(encoding="utf-8").replace("现将", "特将", 1), encoding="utf-8")
    changed = store.ingest([corpus])
    assert changed.files_read == 1 and changed.unchanged == 4
    assert store.count() == count  # replaced, not duplicated

    (corpus / "nested" / "deeper").joinpath(demo_corpus_files()[4].name).unlink()
    removed = store.ingest([corpus])
    assert len(removed.removed_sources) == 1
    assert len(store.documents()) == 4


def test_remove_by_name_and_provenance(corpus: Path):
    store = CorpusStore()
    store.ingest([corpus])
    doc = store.documents()[0]
    original = store.original(doc.source)
    assert original and original == Path(doc.source).read_text(encoding="utf-8")
    assert store.remove(Path(doc.source).name) == 1
    assert doc.doc_id not in {d.doc_id for d in store.documents()}
    assert store.remove("no-such-file.txt") == 0


def test_search_filters_and_hybrid(corpus: Path):
    store = CorpusStore()
    store.ingest([corpus])
    hits = store.search("存在的问题和不足", k=5, section_type="存在问题")
    assert hits and all(h.section_type == "存在问题" for h in hits)
    assert all(h.dense_rank or h.lexical_rank for h in hits)
    genre_hits = store.search("党建工作", k=10, genre="工作总结", kind="document")
    assert genre_hits and all(h.kind == "document" and h.metadata["genre"] == "工作总结" for h in genre_hits)
    excluded = hits[0].doc_id
    assert excluded not in {h.doc_id for h in store.search("存在的问题和不足", k=5, section_type="存在问题",
                                                             exclude_doc_ids=[excluded])}
    assert store.search("   ") == []


def test_collection_reopens_with_registered_embedder(corpus: Path):
    store = CorpusStore()
    store.ingest([corpus])
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(get_settings().chroma_dir),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    reopened = client.get_collection(get_settings().collection)  # no embedding_function passed
    assert reopened.configuration["embedding_function"].name() == "drafter-ngram"
    res = reopened.query(query_texts=["存在问题"], n_results=1)
    assert res["ids"][0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_http_client_against_chroma_server(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    chroma = Path(sys.executable).with_name("chroma")
    port = _free_port()
    proc = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        monkeypatch.setenv("DRAFTER_CHROMA_URL", f"http://127.0.0.1:{port}")
        get_settings.cache_clear()
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    pytest.fail("chroma server did not start")
                time.sleep(0.3)
        store = CorpusStore()
        report = store.ingest([corpus])
        assert report.documents == 5
        assert store.search("基本情况", k=3, section_type="基本情况")
        assert not (get_settings().home / "chroma").exists()  # nothing written locally
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_search_survives_a_corpus_changed_by_another_handle(corpus: Path):
    reader = CorpusStore()
    reader.ingest([corpus])
    assert reader.search("党建工作", k=3, mode="lexical")
    victim = sorted(corpus.glob("*.txt"))[0]
    victim.write_text(victim.read_text(encoding="utf-8").replace("党委", "党组", 3), encoding="utf-8")
    writer = CorpusStore()
    assert writer.ingest([corpus]).files_read == 1
    assert writer.count() == reader.count()  # same record count: the reader's cache looks fresh
    for mode in ("lexical", "hybrid"):
        hits = reader.search("党建工作", k=5, mode=mode)
        assert hits and all(h.text for h in hits)
