"""Ingest: files and folders on disk → the store's records, with a report and per-file progress.

Each file is read once: its bytes give the content hash (an unchanged file is skipped with no writes) and are
handed to the corpus pipeline (``pipeline.process_file``: load → clean → split → parse). A changed file's
records are replaced and a file gone from an ingested folder is removed. Records are written in batches;
a file's record is written after its sections and documents, so an interrupted ingest is redone cleanly next
time. The legacy word-processor files that changed are told to the ``Loader`` up front, so LibreOffice converts
them a chunk per run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

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

    def summary(self) -> str:
        lines = [
            f"文件 {self.files_seen} 个：读取 {self.files_read} 个，未变化 {self.unchanged} 个，跳过 {len(self.skipped)} 个；"
            f"新增文档 {self.documents} 篇、段落 {self.sections} 个；移除来源 {len(self.removed_sources)} 个；"
            f"用时 {self.elapsed_s:.1f} 秒"
        ]
        lines += [f"  跳过 {Path(p).name}：{reason}" for p, reason in self.skipped]
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


class _Batch:
    """Records waiting to be written; the corpus gets a new version before the first write of an ingest."""

    def __init__(self, store: CorpusStore, report: IngestReport) -> None:
        self.store, self.report = store, report
        self.sections: list[Record] = []
        self.docs: list[tuple[str, str, dict, str]] = []  # (id, outline, metadata, whole text to embed)
        self.files: list[tuple[str, dict, str]] = []  # (source, metadata, packed texts)
        self.stamped = False

    def __len__(self) -> int:
        return len(self.sections) + len(self.docs)

    def stamp_once(self) -> None:
        """Before the first write: an index built from a half-written corpus is stale."""
        if not self.stamped:
            self.store.stamp()
            self.stamped = True

    def flush(self) -> None:
        if not (self.sections or self.docs or self.files):
            return
        self.stamp_once()
        self.store.write(self.sections, self.docs, self.files)
        self.report.records_written += len(self)
        self.sections.clear()
        self.docs.clear()
        self.files.clear()


def ingest(store: CorpusStore, paths: Iterable[Path | str], progress: Progress | None = None,
           batch_records: int = 2000) -> IngestReport:
    """Bring the store up to date with ``paths`` (files and folders); ``progress(i, n, file name)`` per file."""
    started = time.perf_counter()
    report = IngestReport()
    report.legacy_dropped = store.drop_legacy()
    paths = [Path(p).resolve() for p in paths]
    for p in paths:
        if not p.exists():
            report.skipped.append((source_name(p), "路径不存在"))
    # One entry per source: a symlink, or a file given both alone and inside its folder, is read once.
    by_source = {source_name(f): f for f in (f.resolve() for f in iter_files(p for p in paths if p.exists()))}
    known = store.known_files()
    report.files_seen = len(by_source)
    batch = _Batch(store, report)
    # The .doc/.wps/.rtf/.odt files that changed: LibreOffice converts them a chunk per run.
    loader = Loader(expect=[p for s, p in by_source.items()
                            if needs_conversion(p) and known.get(s, {}).get("file_hash") != file_digest(p)])
    for i, (source, path) in enumerate(by_source.items(), 1):
        if progress:
            progress(i, len(by_source), Path(source).name)
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            report.skipped.append((source, unsupported_reason(path.suffix)))
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.skipped.append((source, f"无法打开（{exc.strerror or exc}）"))
            continue
        digest = file_sha1(data)
        seen = known.get(source, {})
        if seen.get("file_hash") == digest and seen.get("records_version") == RECORDS_VERSION:
            report.unchanged += 1
            continue
        result = process_file(path, source, loader=loader, data=data)
        if source in known:
            batch.stamp_once()
            store.delete_source(source)
        if result.skipped:
            report.skipped.append((source, result.skipped))
            continue
        report.files_read += 1
        report.encodings[source] = result.encoding
        texts: dict[str, str] = {}
        for doc in result.documents:
            (doc_id, text, meta), *section_records = document_records(doc, digest)
            batch.docs.append((doc_id, document_outline(doc), meta, text))
            texts[doc_id] = text
            batch.sections.extend(section_records)
            report.documents += 1
            report.sections += len(section_records)
        batch.files.append(file_record(source, digest, result.encoding, result.documents, texts))
        if len(batch) >= batch_records:
            batch.flush()
    batch.flush()
    # Files that were under an ingested folder before and are gone now.
    folders = [source_name(p) + os.sep for p in paths if p.is_dir()]
    gone = [s for s in known if s not in by_source and any(s.startswith(f) for f in folders)]
    for source in gone:
        store.delete_source(source)
        report.removed_sources.append(source)
    if batch.stamped or gone:
        store.stamp()  # the final version: what a reader caches from now on
    report.elapsed_s = time.perf_counter() - started
    return report
