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
from vectorstore.classify import SECTION_TYPES
from vectorstore.cli import demo_corpus_files
from vectorstore.search import dense_ranking
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


def test_ingest_reads_each_file_once(corpus: Path, monkeypatch: pytest.MonkeyPatch):
    import builtins
    import io

    from docx import Document

    docx = Document()
    docx.add_paragraph("关于2024年党建工作的总结")
    docx.save(corpus / "extra.docx")
    opened: list[str] = []
    original = io.open

    def counting(file, *args, **kwargs):
        if str(corpus) in str(file):
            opened.append(Path(file).name)
        return original(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", counting)
    monkeypatch.setattr(builtins, "open", counting)
    report = CorpusStore().ingest([corpus])
    assert report.files_seen == 7 and report.files_read == 5  # the pdf is broken, the docx too short
    assert sorted(opened) == sorted(p.name for p in corpus.rglob("*") if p.is_file())


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
    assert store.search("zzzz qqqq", mode="lexical") == []  # no term in the corpus: no hit, no error


def test_collection_reopens_with_registered_embedder(corpus: Path):
    store = CorpusStore()
    store.ingest([corpus])
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(get_settings().chroma_dir),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    for suffix in ("_sections", "_docs"):
        reopened = client.get_collection(get_settings().collection + suffix)  # no embedding_function passed
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


def test_filtered_dense_ranking_equals_chromas_own_filter():
    store = CorpusStore()
    store.ingest(demo_corpus_files())  # no text twice: no ties in distance
    index = store.side_index()
    assert index.vectors is not None and index.vectors.shape == (len(index.ids), 512)
    for query in ("存在的问题和不足", "党员公开承诺", "下一步工作打算"):
        for filters in ({"section_type": "存在问题"}, {"genre": "工作总结"}, {"section_type": "主要做法"}):
            mask = index.mask({**{"section_type": None, "genre": None, "unit_type": None}, **filters}, {})
            ours = dense_ranking(store, query, 10, index, mask)
            theirs = store.collection.query(query_texts=[query], n_results=min(10, int(mask.sum())),
                                            where=filters, include=["distances"])["ids"][0]
            assert ours == theirs, (query, filters)
            assert all(index.columns[k][index.position[rid]] == v for rid in ours for k, v in filters.items())
    reopened = CorpusStore().side_index()  # loaded from the cache: the same vectors
    assert reopened.ids == index.ids and (reopened.vectors == index.vectors).all()


def test_every_write_gives_a_new_version_and_a_fresh_side_index(corpus: Path):
    store = CorpusStore()
    store.ingest([corpus])
    first = store._version()
    assert CorpusStore().ingest([corpus]).records_written == 0 and store._version() == first  # nothing written
    cached = list((get_settings().chroma_dir / "lexical").glob("bm25-*")) if store.search("党建", k=1) else []
    assert [p.name for p in cached] == [f"bm25-{first}"]
    victim = sorted(corpus.glob("*.txt"))[0]
    assert store.remove(victim.name) == 1
    assert store._version() != first
    assert all(h.source != str(victim) for h in store.search("党建工作", k=20))
    assert all(rid.startswith(tuple(d.doc_id for d in store.documents())) for rid in store.side_index().ids)


def test_document_records_keep_the_whole_text_once(corpus: Path):
    store = CorpusStore()
    store.ingest([corpus])
    hits = store.search("党建工作总结", k=3, kind="document")
    assert hits and all(h.kind == "document" for h in hits)
    for hit in hits:
        assert len(hit.text) > 300 and hit.text.startswith(hit.title)  # the whole document, from its file
        assert "packed" not in hit.metadata
        assert store.get([hit.id])[0].text == hit.text
    record = store.docs.get(ids=[hits[0].id], include=["documents"])["documents"][0]
    assert len(record) < len(hits[0].text)  # the record itself holds the outline only


def test_a_store_of_the_earlier_layout_is_dropped_and_said(corpus: Path):
    store = CorpusStore()
    legacy = store.client.get_or_create_collection(get_settings().collection)
    legacy.add(ids=["old"], documents=["旧记录"], embeddings=[[0.0] * 512], metadatas=[{"kind": "document"}])
    report = store.ingest([corpus])
    assert report.legacy_dropped and "旧版格式" in report.summary()
    names = {c.name for c in store.client.list_collections()}
    assert get_settings().collection not in names
    assert not CorpusStore().ingest([corpus]).legacy_dropped


def test_auto_section_type_reads_the_query_text():
    store = CorpusStore()
    store.ingest(demo_corpus_files())
    problems = "个别党员理论学习不够深入，部分支部组织生活质量不高，与群众期盼还有差距。"
    plans = "下一步，我们将进一步完善制度，持续加大培训力度，力争明年实现全覆盖。"
    assert store.infer_section_type(problems) == "存在问题"
    assert store.infer_section_type(plans) == "下一步打算"
    for query, wanted in ((problems, "存在问题"), (plans, "下一步打算")):
        hits = store.search(query, k=5, section_type="auto")
        assert hits and {h.section_type for h in hits} == {wanted}
    assert store.infer_section_type("zzzz") in SECTION_TYPES  # no cue word: the nearest sections decide
    store.reset()
    assert store.infer_section_type(problems) == "存在问题"  # an empty store: the cue words alone
    assert store.search(problems, section_type="auto") == []


def test_concurrent_first_searches_build_and_save_the_side_index_safely():
    from concurrent.futures import ThreadPoolExecutor

    CorpusStore().ingest(demo_corpus_files())
    shared = CorpusStore()
    handles = [shared] * 4 + [CorpusStore() for _ in range(4)]  # one handle in many threads, and many handles
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda s: s.search("党员公开承诺", k=3, section_type="主要做法"), handles))
    assert all(r and r == results[0] for r in results)
    cache = get_settings().chroma_dir / "lexical"
    assert [p.name for p in cache.iterdir()] == [f"bm25-{shared._version()}"]  # one complete copy, no leftovers


def test_records_already_stored_as_given_are_not_written_again(corpus: Path, monkeypatch: pytest.MonkeyPatch):
    """An ingest killed after its records landed and before its file records reads those files again: the same
    records are not upserted a second time (an HNSW point updated in place can lose its links — one record of a
    killed-and-resumed store of 2,100 became unreachable for a query asking for all of them)."""
    store = CorpusStore()
    store.ingest([corpus])
    sources = list(store.known_files())
    store.files.delete(ids=sources)  # the state the kill leaves: records there, file records not
    store.texts.delete(ids=sources)
    written: list[int] = []
    for collection in (store.collection, store.docs):
        upsert = collection.upsert
        monkeypatch.setattr(collection, "upsert", lambda *a, _u=upsert, **k: (written.append(len(k["ids"])), _u(*a, **k)))
    again = store.ingest([corpus])
    assert again.files_read == 5 and written == []
    assert sorted(store.known_files()) == sorted(sources)
    # a record that differs is written
    path = next(corpus.glob("*.txt"))
    path.write_text(path.read_text(encoding="utf-8") + "\n新增一段：党支部开展主题党日活动12次。", encoding="utf-8")
    store.ingest([corpus])
    assert sum(written) > 0


def _stop_after_first_write(store: CorpusStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next ingest die right after its first batch is written (as a kill would)."""
    write = store.write

    def write_then_die(*args, **kwargs):
        write(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "write", write_then_die)


def test_an_ingest_after_an_interrupted_one_checks_the_dense_index(corpus: Path, monkeypatch: pytest.MonkeyPatch):
    store = CorpusStore()
    assert not store.ingest_interrupted()
    with monkeypatch.context() as m:
        _stop_after_first_write(store, m)
        with pytest.raises(KeyboardInterrupt):
            store.ingest([corpus], batch_records=50)
    assert CorpusStore().ingest_interrupted()  # any process sees it
    report = store.ingest([corpus])
    assert report.index_checked and report.index_repaired == 0
    assert "上次导入中途中断：已检查向量索引，完好。" in report.summary()
    assert not store.ingest_interrupted()
    assert not store.ingest([corpus]).index_checked  # a clean ingest before: nothing to check


def _dense_ids(store: CorpusStore) -> list[str]:
    return sorted(rid for c in (store.collection, store.docs)
                  for rid in c.query(query_texts=["党建工作"], n_results=c.count(), include=[])["ids"][0])


def test_records_no_query_reaches_are_made_reachable_by_a_rebuild(corpus: Path, monkeypatch: pytest.MonkeyPatch):
    """The upstream symptom (a stored record no query returns, chroma-core/chroma#7758) is simulated in the
    check's query; the rebuild is Chroma's for real and must keep every record, vector and the corpus version."""
    store = CorpusStore()
    store.ingest([corpus])
    before = {rid: (text, meta) for rid, text, meta in store.section_records()}
    dense_before = _dense_ids(store)
    version = store.collection.metadata["corpus_version"]
    assert store.repair_dense_index() == 0  # a healthy index: nothing rebuilt
    old_id = store.collection.id
    lost = sorted(before)[3]
    query = type(store.collection).query

    def losing_query(self, *args, **kwargs):
        got = query(self, *args, **kwargs)
        got["ids"] = [[rid for rid in ids if rid != lost] for ids in got["ids"]]
        return got

    with monkeypatch.context() as m:
        m.setattr(type(store.collection), "query", losing_query)
        assert store.repair_dense_index() == 1
    assert store.collection.id != old_id  # rebuilt
    fresh = CorpusStore()
    assert {rid: (text, meta) for rid, text, meta in fresh.section_records()} == before
    assert fresh.collection.metadata["corpus_version"] == version
    assert _dense_ids(fresh) == dense_before
    assert fresh.search("党员示范岗", k=3)  # searchable as before
    names = {c.name for c in fresh.client.list_collections()}
    assert not any(n.endswith("_rebuild") for n in names)


def test_a_rebuild_cut_short_before_its_rename_is_finished_on_open(corpus: Path):
    store = CorpusStore()
    store.ingest([corpus])
    name = store.collection.name
    records = store.section_records()
    # the state a kill between dropping the old collection and renaming the copy leaves
    store.client.get_collection(name).modify(name=name + "_rebuild")
    fresh = CorpusStore()
    assert fresh.section_records() == records
    assert name + "_rebuild" not in {c.name for c in fresh.client.list_collections()}
