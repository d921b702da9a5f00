"""Ingest: files and folders on disk → the store's records, with a report and per-file progress.

A file's content hash decides whether it changed (an unchanged file is skipped with no writes); a changed
file goes through the corpus pipeline (``pipeline.process_file``: load → clean → split → parse). A changed file's
records are replaced and a file gone from an ingested folder is removed. Records are written in batches;
a file's record is written after its sections and documents, so an interrupted ingest is redone cleanly next
time. The legacy word-processor files that changed are told to the ``Loader`` up front, so LibreOffice converts
them a chunk per run.

Reading, cleaning, parsing and embedding a file is Python work; writing it is Chroma's (which holds the GIL).
With many changed files and more than one core, files are prepared in worker processes (``prepare``) while the
main process writes the records of the files before them, so the two overlap.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vectorstore.embedding import NgramEmbeddingFunction
from vectorstore.loading import (
    SUPPORTED_SUFFIXES,
    Loader,
    file_digest,
    file_sha1,
    iter_files,
    needs_conversion,
    unsupported_reason,
)
from vectorstore.pipeline import process_file
from vectorstore.records import RECORDS_VERSION, Record, document_outline, document_records, file_record

if TYPE_CHECKING:
    from vectorstore.store import CorpusStore

Progress = Callable[[int, int, str], None]
PARALLEL_MIN_FILES = 24  # fewer changed files than this: starting worker processes costs more than it saves
MAX_WORKERS = 4
CHUNK_FILES = 8  # files a worker prepares and hands over at a time
CHUNKS_AHEAD = 64  # prepared chunks waiting for the writer, at most


@dataclass
class IngestReport:
    files_seen: int = 0
    files_read: int = 0
    unchanged: int = 0
    documents: int = 0
    sections: int = 0
    removed_sources: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)
    records_written: int = 0
    elapsed_s: float = 0.0
    legacy_dropped: bool = False  # a store of the earlier layout was found and dropped
    index_checked: bool = False  # the ingest before was interrupted: the dense index was checked for lost records
    index_repaired: int = 0  # records that no query reached, made reachable again by rebuilding the index

    def summary(self) -> str:
        lines = [
            f"文件 {self.files_seen} 个：读取 {self.files_read} 个，未变化 {self.unchanged} 个，跳过 {len(self.skipped)} 个；"
            f"新增文档 {self.documents} 篇、段落 {self.sections} 个；移除来源 {len(self.removed_sources)} 个；"
            f"用时 {self.elapsed_s:.1f} 秒"
        ]
        lines += [f"  跳过 {Path(p).name}：{reason}" for p, reason in self.skipped]
        if self.index_checked:
            lines.append("  上次导入中途中断：已检查向量索引" + (f"，{self.index_repaired} 条记录检索不到，已重建索引。"
                                                     if self.index_repaired else "，完好。"))
        if self.legacy_dropped:
            lines.append("  旧版格式的语料库已清除；此前导入的往年材料请重新导入（网页中可点“重建语料库”）。")
        return "\n".join(lines)


def source_name(path: Path) -> str:
    """The store's name for a file: its path, with name parts that are not valid UTF-8 (a GBK-encoded name from
    a zip made on Windows) decoded as GB18030 when they can be, else with the bytes shown as \\xNN. Chroma
    accepts only valid UTF-8, and a file must never be lost because of its name."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    parts = []
    for part in path.parts:
        try:
            part.encode("utf-8")
            parts.append(part)
        except UnicodeEncodeError:
            raw = os.fsencode(part)
            try:
                parts.append(raw.decode("gb18030"))
            except UnicodeDecodeError:
                parts.append(raw.decode("utf-8", errors="backslashreplace"))
    return str(Path(*parts))


@dataclass
class Prepared:
    """A changed file made ready to write: its records, and their vectors when the embedder is the built-in one
    (made where the file was prepared, so a worker process does that work too)."""

    source: str
    encoding: str = ""
    skipped: str | None = None
    sections: list[Record] = field(default_factory=list)
    docs: list[tuple[str, str, dict, str]] = field(default_factory=list)  # (id, outline, metadata, whole text)
    file: tuple[str, dict, str] | None = None  # (source, metadata, packed texts)
    section_vectors: list | None = None
    doc_vectors: list | None = None


def prepare(path: Path, source: str, loader: Loader | None = None, embedder=None) -> Prepared:
    """Read → clean → split → parse a file and pack its records, with their vectors when ``embedder`` is given."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Prepared(source, skipped=f"无法打开（{exc.strerror or exc}）")
    digest = file_sha1(data)
    result = process_file(path, source, loader=loader, data=data)
    out = Prepared(source, result.encoding, result.skipped)
    if result.skipped:
        return out
    texts: dict[str, str] = {}
    for doc in result.documents:
        (doc_id, text, meta), *section_records = document_records(doc, digest)
        out.docs.append((doc_id, document_outline(doc), meta, text))
        texts[doc_id] = text
        out.sections.extend(section_records)
    out.file = file_record(source, digest, result.encoding, result.documents, texts)
    if embedder is not None:
        out.section_vectors = embedder([r[1] for r in out.sections])
        out.doc_vectors = embedder([d[3] for d in out.docs])
    return out


PARENT_POLL_S = 0.5  # how often a worker looks whether its writer is still there
_WRITING = threading.Lock()  # in a worker: held while a chunk's file is written (``_watch_parent``)


def _watch_parent(parent: int, out_dir: str) -> None:
    """A worker's initializer: a thread that ends the worker, and removes its results folder, once its writer
    (``parent``, its pid) is gone. A writer killed outright cleans nothing up, and the pool's workers wait on a
    queue they hold both ends of, for ever: the test suite's killed ingests left workers and folders behind."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        with _WRITING:  # not while a chunk is being written: it would land in the folder after it was emptied
            shutil.rmtree(out_dir, ignore_errors=True)
            os._exit(0)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _prepare_share(tasks: list[tuple[int, list[tuple[Path, str]]]], out_dir: str, embedder_config: dict) -> None:
    """In a worker: prepare its share of the chunks, each pickled to ``<out_dir>/<chunk no>.pkl`` (written, then
    renamed), staying at most ``CHUNKS_AHEAD`` files ahead of the writer, which deletes each file it reads.
    Results go through files, not the pool's pipe: that pipe is drained by a thread of the parent that needs the
    GIL, which Chroma holds while it writes, and the worker would stall exactly when it should be working."""
    embedder = NgramEmbeddingFunction.build_from_config(embedder_config)
    try:
        for number, jobs in tasks:
            while len(os.listdir(out_dir)) >= CHUNKS_AHEAD:
                time.sleep(0.02)
            items = [prepare(path, source, embedder=embedder) for path, source in jobs]
            part = os.path.join(out_dir, f"{number:07d}.part")
            with _WRITING:
                with open(part, "wb") as fh:
                    pickle.dump(items, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(part, os.path.join(out_dir, f"{number:07d}.pkl"))
    except FileNotFoundError:
        return  # the writer stopped (an error, or the ingest was interrupted) and removed the folder


def _prepared(jobs: list[tuple[Path, str]], loader: Loader, workers: int, embedder) -> Iterator[Prepared]:
    """The jobs prepared, in order, with ``embedder``'s vectors: by ``workers`` processes, a chunk of files at a
    time (a file LibreOffice converts is prepared here, where the loader batches conversions), or all here when
    ``workers`` is 0 or the embedder is not the built-in one (a worker rebuilds that one from its config)."""
    if not workers or type(embedder) is not NgramEmbeddingFunction:
        for path, source in jobs:
            yield prepare(path, source, loader, embedder)
        return
    chunks: list[list[tuple[Path, str]]] = []  # consecutive files of a chunk; a file to convert alone
    for job in jobs:
        if chunks and len(chunks[-1]) < CHUNK_FILES and not needs_conversion(job[0]) \
                and not needs_conversion(chunks[-1][0][0]):
            chunks[-1].append(job)
        else:
            chunks.append([job])
    remote = [(no, chunk) for no, chunk in enumerate(chunks) if not needs_conversion(chunk[0][0])]
    out_dir = tempfile.TemporaryDirectory(prefix="drafter-ingest-")
    # spawn: the parent may run threads (Chroma's, the web server's), which a forked child must not inherit.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_watch_parent, initargs=(os.getpid(), out_dir.name))
    shares = [pool.submit(_prepare_share, remote[w::workers], out_dir.name, embedder.get_config())
              for w in range(workers)]
    share_of = {no: shares[i % workers] for i, (no, _) in enumerate(remote)}
    done = False
    try:
        for no, chunk in enumerate(chunks):
            if needs_conversion(chunk[0][0]):
                yield prepare(*chunk[0], loader, embedder)
                continue
            path = Path(out_dir.name) / f"{no:07d}.pkl"
            while not path.exists():
                if share_of[no].done() and not path.exists():
                    # Its worker ended without it: it died (out of memory; or a caller's script, unguarded,
                    # re-run by the spawned child) or failed. The rest is prepared here, nothing is lost.
                    for rest in chunks[no:]:
                        for job in rest:
                            yield prepare(*job, loader, embedder)
                    return
                time.sleep(0.005)
            with open(path, "rb") as fh:
                items = pickle.load(fh)
            path.unlink()
            yield from items
        done = True
    finally:
        out_dir.cleanup()  # a worker still at work stops at its next chunk (``_prepare_share``)
        pool.shutdown(wait=done, cancel_futures=True)


def parallel_workers(changed: int) -> int:
    """Worker processes for an ingest of ``changed`` files: none for few files or one core."""
    cores = os.cpu_count() or 1
    return 0 if changed < PARALLEL_MIN_FILES or cores < 2 else min(MAX_WORKERS, cores - 1)


class _Batch:
    """Records waiting to be written; the corpus gets a new version before the first write of an ingest."""

    def __init__(self, store: CorpusStore, report: IngestReport) -> None:
        self.store, self.report = store, report
        self.sections: list[Record] = []
        self.docs: list[tuple[str, str, dict, str]] = []  # (id, outline, metadata, whole text to embed)
        self.files: list[tuple[str, dict, str]] = []  # (source, metadata, packed texts)
        self.section_vectors: list | None = None  # vectors made with the records, else the store embeds
        self.doc_vectors: list | None = None
        self.stamped = False

    def __len__(self) -> int:
        return len(self.sections) + len(self.docs)

    def stamp_once(self) -> None:
        """Before the first write: an index built from a half-written corpus is stale."""
        if not self.stamped:
            self.store.stamp(ingest_open=True)
            self.stamped = True

    def add(self, item: Prepared) -> None:
        self.sections.extend(item.sections)
        self.docs.extend(item.docs)
        if item.file:
            self.files.append(item.file)
        if item.section_vectors is not None:
            self.section_vectors = self.section_vectors or []
            self.doc_vectors = self.doc_vectors or []
            self.section_vectors.extend(item.section_vectors)
            self.doc_vectors.extend(item.doc_vectors or [])

    def flush(self) -> None:
        if not (self.sections or self.docs or self.files):
            return
        self.stamp_once()
        self.store.write(self.sections, self.docs, self.files, self.section_vectors, self.doc_vectors)
        self.report.records_written += len(self)
        self.sections.clear()
        self.docs.clear()
        self.files.clear()
        self.section_vectors = self.doc_vectors = None


def ingest(store: CorpusStore, paths: Iterable[Path | str], progress: Progress | None = None,
           batch_records: int = 1000, workers: int | None = None) -> IngestReport:
    """Bring the store up to date with ``paths`` (files and folders); ``progress(i, n, file name)`` per file
    as it is read; ``workers``: processes preparing files (default: ``parallel_workers``; 0: none)."""
    started = time.perf_counter()
    report = IngestReport()
    report.legacy_dropped = store.drop_legacy()
    paths = [Path(p).resolve() for p in paths]
    for p in paths:
        if not p.exists():
            report.skipped.append((source_name(p), "路径不存在"))
    # One entry per source: a symlink, or a file given both alone and inside its folder, is read once.
    by_source = {source_name(f): f for f in (f.resolve() for f in iter_files(p for p in paths if p.exists()))}
    interrupted = store.ingest_interrupted()
    known = store.known_files()
    report.files_seen = len(by_source)
    batch = _Batch(store, report)
    jobs: list[tuple[Path, str]] = []
    for source, path in by_source.items():
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            report.skipped.append((source, unsupported_reason(path.suffix)))
            continue
        seen = known.get(source, {})
        if seen.get("records_version") == RECORDS_VERSION and seen.get("file_hash") == file_digest(path):
            report.unchanged += 1
            continue
        jobs.append((path, source))
    # The .doc/.wps/.rtf/.odt files that changed: LibreOffice converts them a chunk per run.
    loader = Loader(expect=[path for path, _ in jobs if needs_conversion(path)])
    workers = parallel_workers(len(jobs)) if workers is None else workers
    queued = {source for _, source in jobs}
    results = _prepared(jobs, loader, workers, store.embedder)
    for i, source in enumerate(by_source, 1):
        if progress:
            progress(i, len(by_source), Path(source).name)
        if source not in queued:
            continue
        item = next(results)
        if item.source in known:
            batch.stamp_once()
            store.delete_source(item.source)
        if item.skipped:
            report.skipped.append((item.source, item.skipped))
            continue
        report.files_read += 1
        report.encodings[item.source] = item.encoding
        report.documents += len(item.docs)
        report.sections += len(item.sections)
        batch.add(item)
        if len(batch) >= batch_records:
            batch.flush()
    batch.flush()
    # Files that were under an ingested folder before and are gone now.
    folders = [source_name(p) + os.sep for p in paths if p.is_dir()]
    gone = [s for s in known if s not in by_source and any(s.startswith(f) for f in folders)]
    for source in gone:
        store.delete_source(source)
        report.removed_sources.append(source)
    if interrupted:  # the ingest before this one was killed: its index writes may have been cut short
        report.index_checked = True
        report.index_repaired = store.repair_dense_index()
    if batch.stamped or gone or interrupted:
        store.stamp()  # the final version (closes the ingest): what a reader caches from now on
    report.elapsed_s = time.perf_counter() - started
    return report
