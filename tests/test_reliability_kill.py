"""An ingest killed mid-way (``drafter ingest`` in a subprocess, SIGKILL) and run again ends with a store
identical to an uninterrupted ingest into a fresh store: same ids, same documents, same metadata, every
vector searchable.

The corpus is 300 files (about 2,100 records), so the CLI's ingest writes in two batches. The kill is timed by
watching the store's SQLite file read-only: once right after the first records land but before any file
record (documents without their ``_files`` entry: the case the write order is there for), and once after the
first batch's file records landed (a resumed ingest must skip those files and add the rest).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vectorstore.cli import demo_corpus_files

N_FILES = 300
DRAFTER = Path(sys.executable).with_name("drafter")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kill_corpus")
    texts = [p.read_text(encoding="utf-8") for p in demo_corpus_files()]
    for i in range(N_FILES):
        text = texts[i % len(texts)].replace("\n", f"\n（第{i}份材料）", 1)  # every file a distinct document
        (folder / f"材料{i:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTER_")}
    env["DRAFTER_HOME"] = str(home)
    return env


def _ingest(home: Path, corpus: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(DRAFTER), "ingest", str(corpus), "-q"], env=_env(home), capture_output=True,
                          text=True, timeout=600)


def _counts(home: Path) -> dict[str, int]:
    """Records per collection, read from Chroma's SQLite file without taking a write lock."""
    db = home / "chroma" / "chroma.sqlite3"
    if not db.exists():
        return {}
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as con:
            queued = con.execute(
                "SELECT c.name, COUNT(*) FROM embeddings_queue q JOIN collections c ON q.topic LIKE '%' || c.id "
                "GROUP BY c.name").fetchall()
            applied = con.execute(
                "SELECT c.name, COUNT(*) FROM embeddings e JOIN segments s ON e.segment_id = s.id "
                "JOIN collections c ON s.collection = c.id GROUP BY c.name").fetchall()
    except sqlite3.Error:
        return {}
    # the write log (queue) is purged once applied: a record is in one or the other, or both for a while
    counts: dict[str, int] = {}
    for name, n in [*queued, *applied]:
        counts[name] = max(counts.get(name, 0), n)
    return counts


def _processes_of(home: Path) -> list[int]:
    """Live processes started for the store at ``home`` (its ``DRAFTER_HOME``): an ingest's worker processes."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        if f"DRAFTER_HOME={home}".encode() in environ and (proc / "cmdline").exists():
            found.append(int(proc.name))
    return found


def _kill_when(home: Path, corpus: Path, ready) -> dict[str, int]:
    proc = subprocess.Popen([str(DRAFTER), "ingest", str(corpus), "-q"], env=_env(home),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            counts = _counts(home)
            if ready(counts):
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)
                return counts
            if proc.poll() is not None:
                pytest.fail(f"the ingest finished (rc {proc.returncode}) before the kill point: {counts}")
            time.sleep(0.02)
        pytest.fail("the kill point never came")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    raise AssertionError("unreachable")


SNAPSHOT = """
import json
from drafter.settings import get_settings
from vectorstore.store import CorpusStore
store = CorpusStore(get_settings())
records = {}
for collection in (store.collection, store.docs):
    got = collection.get(include=["documents", "metadatas"])
    records.update({rid: [doc, meta] for rid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])})
files = store.files.get(include=["metadatas"])
packed = store.texts.get(include=["metadatas"])
texts = dict(zip(packed["ids"], packed["metadatas"]))
file_records = {rid: [texts.get(rid), {k: v for k, v in meta.items() if k != "ingested_at"}]
                for rid, meta in zip(files["ids"], files["metadatas"])}
found = [rid for c in (store.collection, store.docs)
         for rid in c.query(query_texts=["党建工作"], n_results=max(1, c.count()), include=[])["ids"][0]]
print(json.dumps({"records": records, "files": file_records, "dense": sorted(found)}, ensure_ascii=False))
"""


def _snapshot(home: Path) -> dict:
    """The store as a new process sees it (a Chroma client opened earlier in this process would not see
    vectors another process added): every record, every file record, and which ids a dense query asking for
    all of them gets back (every vector is in the index)."""
    done = subprocess.run([sys.executable, "-c", SNAPSHOT], env=_env(home), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    home = tmp_path_factory.mktemp("reference_home")
    done = _ingest(home, corpus)
    assert done.returncode == 0, done.stderr
    snap = _snapshot(home)
    assert len(snap["files"]) == N_FILES and len(snap["records"]) > 2000
    return snap


@pytest.mark.parametrize("point", ["documents_before_file_records", "after_first_batch"])
def test_killed_ingest_resumes_to_an_identical_store(point: str, corpus: Path, reference, tmp_path: Path) -> None:
    home = tmp_path / "home"
    if point == "documents_before_file_records":
        at_kill = _kill_when(home, corpus, lambda c: c.get("summaries_sections", 0) > 0)
    else:
        at_kill = _kill_when(home, corpus, lambda c: c.get("summaries_sources", 0) > 0)
    assert 0 < at_kill.get("summaries_sections", 0) < len(reference["records"])
    # the killed ingest's worker processes end too: they waited for their writer for ever
    deadline = time.monotonic() + 20
    while _processes_of(home) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _processes_of(home), "worker processes of the killed ingest are still running"

    interrupted = _snapshot(home)
    known = len(interrupted["files"])
    assert interrupted["records"]
    if point == "documents_before_file_records":
        assert known == 0, "records landed, file records not yet: the state an interrupted first batch leaves"
    else:
        assert 0 < known < N_FILES, "the kill cut the ingest short after its first batch"
    done = _ingest(home, corpus)
    assert done.returncode == 0, done.stderr
    assert "跳过 0 个" in done.stdout
    assert "上次导入中途中断：已检查向量索引" in done.stdout  # and rebuilt it if a record was lost
    snap = _snapshot(home)
    assert snap["records"].keys() == reference["records"].keys()
    assert snap["records"] == reference["records"]
    assert snap["files"] == reference["files"]
    assert snap["dense"] == reference["dense"] == sorted(reference["records"])
    again = _ingest(home, corpus)
    assert f"未变化 {N_FILES} 个" in again.stdout
