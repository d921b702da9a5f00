"""The corpus store: Chroma collections of documents and sections, content-hash ids, hybrid retrieval.

- ``PersistentClient`` on ``settings.chroma_dir`` by default, ``HttpClient`` when ``settings.chroma_url`` is set
  (a team sharing one ``chroma run`` server). Telemetry is off; the embedder is ours (see embedding.py).
- Collection ``<name>`` holds one record per document (kind=document) and one per top-level section
  (kind=section, preamble included as 导语). Ids derive from content hashes, so an unchanged corpus re-ingests
  with no writes; a changed file's records are replaced and a deleted file's removed.
- Collection ``<name>_files`` holds one record per source file: its hash, encoding and raw text (provenance).
  A file's record is written only after its documents, so an interrupted ingest is redone cleanly next time.
- ``search`` fuses Chroma's dense ranking with BM25 (lexical.py) by reciprocal rank fusion, with filters on
  kind, section type, genre and unit type and exclusions by document or source.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from drafter.settings import Settings, get_settings
from vectorstore.embedding import NgramEmbeddingFunction, make_embedding_function
from vectorstore.lexical import LexicalIndex
from vectorstore.loading import SUPPORTED_SUFFIXES, file_sha1, iter_files
from vectorstore.pipeline import FileResult, process_loaded
from vectorstore.structure import ParsedDocument

RRF_K = 60
_PAGE = 5000

Progress = Callable[[int, int, str], None]


@dataclass
class Hit:
    id: str
    doc_id: str
    kind: str
    title: str
    source: str
    section_type: str
    heading: str
    text: str
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    metadata: dict = field(default_factory=dict)

    @property
    def source_name(self) -> str:
        return Path(self.source).name


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

    def summary(self) -> str:
        lines = [
            f"文件 {self.files_seen} 个：读取 {self.files_read} 个，未变化 {self.unchanged} 个，跳过 {len(self.skipped)} 个；"
            f"新增文档 {self.documents} 篇、段落 {self.sections} 个；移除来源 {len(self.removed_sources)} 个；"
            f"用时 {self.elapsed_s:.1f} 秒"
        ]
        lines += [f"  跳过 {Path(p).name}：{reason}" for p, reason in self.skipped]
        return "\n".join(lines)


@dataclass
class DocumentInfo:
    doc_id: str
    title: str
    source: str
    genre: str
    unit_type: str
    year: int | None
    sections: int
    encoding: str


def _clean_meta(meta: dict) -> dict:
    """Chroma metadata values must be str/int/float/bool: drop None, JSON-encode lists."""
    out = {}
    for key, value in meta.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | dict):
            value = json.dumps(value, ensure_ascii=False)
        out[key] = value
    return out


def document_records(doc: ParsedDocument, file_hash: str) -> list[tuple[str, str, dict]]:
    """(id, text, metadata) for a document and each of its top-level sections (preamble included)."""
    base = {
        "doc_id": doc.doc_id, "source": doc.source, "source_name": Path(doc.source).name, "file_hash": file_hash,
        "title": doc.title, "genre": doc.genre, "unit_type": doc.unit_type, "year": doc.year,
    }
    records = [(doc.doc_id, doc.text, _clean_meta({
        **base, "kind": "document", "section_type": "全文", "n_sections": len(doc.top_sections()),
        "signature": doc.signature, "date": doc.date, "encoding": doc.encoding,
        "headings": [s.heading for s in doc.top_sections()],
    }))]
    for pos, sec in enumerate(doc.sections):
        text = sec.full_text()
        if not text.strip():
            continue
        figures = [f for node in sec.walk() for f in node.figures]
        records.append((f"{doc.doc_id}-s{pos:02d}", text, _clean_meta({
            **base, "kind": "section", "section_type": sec.section_type, "heading": sec.heading or "（导语）",
            "heading_path": " > ".join(sec.path) if sec.path else "导语", "position": pos, "level": sec.level,
            "subheadings": [c.heading for c in sec.children],
            "enumerations": len([e for node in sec.walk() for e in node.enumerations]),
            "figures": figures,
        })))
    return records


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


class CorpusStore:
    """One handle on the corpus; clients and collections are opened on first use, never at import."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._client = None
        self._collection = None
        self._files = None
        self._lex: LexicalIndex | None = None
        self._lex_meta: dict[str, np.ndarray] = {}
        self._lex_count = -1

    # ------------------------------------------------------------------ connections

    @property
    def client(self):
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False)
            if self.settings.chroma_url:
                url = urlparse(self.settings.chroma_url)
                self._client = chromadb.HttpClient(
                    host=url.hostname or "127.0.0.1", port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https", settings=chroma_settings,
                )
            else:
                path = self.settings.chroma_dir
                path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        return self._client

    @property
    def collection(self):
        if self._collection is None:
            self._collection = self.client.get_or_create_collection(
                self.settings.collection,
                embedding_function=make_embedding_function(self.settings),
                configuration={"hnsw": {"space": "cosine"}},
            )
        return self._collection

    @property
    def files(self):
        if self._files is None:
            self._files = self.client.get_or_create_collection(
                f"{self.settings.collection}_files", embedding_function=NgramEmbeddingFunction()
            )
        return self._files

    # ------------------------------------------------------------------ ingest

    def known_files(self) -> dict[str, dict]:
        """source → metadata of every file recorded in the store."""
        out: dict[str, dict] = {}
        for ids, metas in self._paged(self.files, include=["metadatas"]):
            for rid, meta in zip(ids, metas, strict=True):
                out[rid] = meta or {}
        return out

    def ingest(self, paths: Iterable[Path | str], progress: Progress | None = None,
               batch_records: int = 2000) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        paths = [Path(p).resolve() for p in paths]
        for p in paths:
            if not p.exists():
                report.skipped.append((source_name(p), "路径不存在"))
        # One entry per source: a symlink, or a file given both alone and inside its folder, is read once.
        by_source = {source_name(f): f for f in (f.resolve() for f in iter_files(p for p in paths if p.exists()))}
        files = list(by_source.values())
        known = self.known_files()
        current = set(by_source)
        report.files_seen = len(files)
        pending: list[tuple[str, str, dict]] = []
        pending_files: list[tuple[str, dict, str]] = []

        def flush() -> None:
            self._add(self.collection, pending)
            report.records_written += len(pending)
            if pending_files:
                self.files.upsert(
                    ids=[s for s, _, _ in pending_files], metadatas=[m for _, m, _ in pending_files],
                    documents=[t for _, _, t in pending_files], embeddings=[[0.0] for _ in pending_files],
                )
            pending.clear()
            pending_files.clear()

        for i, (source, path) in enumerate(by_source.items(), 1):
            if progress:
                progress(i, len(files), Path(source).name)
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                report.skipped.append((source, f"不支持的文件类型“{path.suffix or '无扩展名'}”（支持 txt、md、docx、pdf）"))
                continue
            try:
                data = path.read_bytes()
            except OSError as exc:
                report.skipped.append((source, f"无法打开（{exc.strerror or exc}）"))
                continue
            digest = file_sha1(data)
            if known.get(source, {}).get("file_hash") == digest:
                report.unchanged += 1
                continue
            result = self._process(path, source)
            if source in known:
                self._delete_source(source)
            if result.skipped:
                report.skipped.append((source, result.skipped))
                continue
            report.files_read += 1
            report.encodings[source] = result.encoding
            for doc in result.documents:
                records = document_records(doc, digest)
                pending.extend(records)
                report.documents += 1
                report.sections += len(records) - 1
            pending_files.append((source, _clean_meta({
                "file_hash": digest, "encoding": result.encoding, "documents": len(result.documents),
                "name": Path(source).name, "ingested_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            }), result.documents[0].original if result.documents else ""))
            if len(pending) >= batch_records:
                flush()
        flush()
        # Files that were under an ingested folder before and are gone now.
        folders = [source_name(p) + os.sep for p in paths if p.is_dir()]
        for source in known:
            if source not in current and any(source.startswith(f) for f in folders):
                self._delete_source(source)
                report.removed_sources.append(source)
        if report.records_written or report.removed_sources:
            self._lex = None
        report.elapsed_s = time.perf_counter() - started
        return report

    def _process(self, path: Path, source: str) -> FileResult:
        from vectorstore.loading import LoadedFile, load_path

        loaded = load_path(path)
        if not isinstance(loaded, LoadedFile):
            return FileResult(path, skipped=loaded.reason)
        return process_loaded(loaded, source)

    def _add(self, collection, records: Sequence[tuple[str, str, dict]]) -> None:
        if not records:
            return
        step = max(1, min(self.client.get_max_batch_size(), 1000))
        for start in range(0, len(records), step):
            chunk = records[start : start + step]
            collection.upsert(ids=[r[0] for r in chunk], documents=[r[1] for r in chunk],
                              metadatas=[r[2] for r in chunk])

    def _delete_source(self, source: str) -> None:
        self.collection.delete(where={"source": source})
        self.files.delete(ids=[source])
        self._lex = None

    def remove(self, source: str) -> int:
        """Remove a source file's records; ``source`` may be the full path or just the file name."""
        known = self.known_files()
        matches = [s for s in known if s == source or Path(s).name == source]
        if not matches and Path(source).exists():
            matches = [s for s in known if s == str(Path(source).resolve())]
        for s in matches:
            self._delete_source(s)
        return len(matches)

    def reset(self) -> None:
        """Drop both collections (a rebuild starts from an empty store)."""
        for name in (self.settings.collection, f"{self.settings.collection}_files"):
            with contextlib.suppress(Exception):  # absent already
                self.client.delete_collection(name)
        self._collection = self._files = None
        self._lex = None

    # ------------------------------------------------------------------ reading

    def _paged(self, collection, where: dict | None = None, include: list[str] | None = None):
        offset = 0
        while True:
            got = collection.get(where=where, include=include or [], limit=_PAGE, offset=offset)
            ids = got["ids"]
            if not ids:
                return
            yield ids, (got.get("metadatas") or [None] * len(ids))
            if len(ids) < _PAGE:
                return
            offset += _PAGE

    def documents(self) -> list[DocumentInfo]:
        files = self.known_files()
        out = []
        for ids, metas in self._paged(self.collection, where={"kind": "document"}, include=["metadatas"]):
            for rid, m in zip(ids, metas, strict=True):
                out.append(DocumentInfo(
                    doc_id=rid, title=m.get("title", ""), source=m.get("source", ""), genre=m.get("genre", ""),
                    unit_type=m.get("unit_type", ""), year=m.get("year"), sections=int(m.get("n_sections", 0)),
                    encoding=files.get(m.get("source", ""), {}).get("encoding", ""),
                ))
        return sorted(out, key=lambda d: (d.source, d.title))

    def get(self, ids: Sequence[str]) -> list[Hit]:
        if not ids:
            return []
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        by_id = {rid: (doc, meta) for rid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}
        return [self._hit(rid, *by_id[rid], 0.0) for rid in ids if rid in by_id]

    def original(self, source: str) -> str | None:
        got = self.files.get(ids=[source], include=["documents"])
        return got["documents"][0] if got["ids"] else None

    def count(self) -> int:
        return self.collection.count()

    # ------------------------------------------------------------------ search

    @staticmethod
    def _where(kind: str | None, section_type: str | None, genre: str | None, unit_type: str | None,
               exclude_doc_ids: Sequence[str], exclude_sources: Sequence[str]) -> dict | None:
        clauses: list[dict] = []
        if kind:
            clauses.append({"kind": kind})
        if section_type:
            clauses.append({"section_type": section_type})
        if genre:
            clauses.append({"genre": genre})
        if unit_type:
            clauses.append({"unit_type": unit_type})
        if exclude_doc_ids:
            clauses.append({"doc_id": {"$nin": list(exclude_doc_ids)}})
        if exclude_sources:
            clauses.append({"source": {"$nin": list(exclude_sources)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def _lexical(self) -> LexicalIndex:
        count = self.collection.count()
        if self._lex is not None and count == self._lex_count:
            return self._lex
        ids: list[str] = []
        metas: list[dict] = []
        # Sections only: a document record repeats its sections' text, and documents are ranked densely.
        for page_ids, page_meta in self._paged(self.collection, where={"kind": "section"}, include=["metadatas"]):
            ids.extend(page_ids)
            metas.extend(m or {} for m in page_meta)

        def fetch_texts(wanted: list[str]) -> list[str]:
            texts: dict[str, str] = {}
            for start in range(0, len(wanted), _PAGE):
                got = self.collection.get(ids=wanted[start : start + _PAGE], include=["documents"])
                texts.update(zip(got["ids"], got["documents"], strict=True))
            return [texts.get(rid, "") for rid in wanted]

        cache = None if self.settings.chroma_url else self.settings.chroma_dir / "lexical"
        self._lex = LexicalIndex.load_or_build(cache, ids, fetch_texts)
        order = {rid: i for i, rid in enumerate(ids)}
        ordered = [metas[order[rid]] for rid in self._lex.ids]
        self._lex_meta = {
            key: np.array([str(m.get(key, "")) for m in ordered], dtype=object)
            for key in ("kind", "section_type", "genre", "unit_type", "doc_id", "source")
        }
        self._lex_count = count
        return self._lex

    def _mask(self, kind, section_type, genre, unit_type, exclude_doc_ids, exclude_sources) -> np.ndarray:
        meta = self._lex_meta
        mask = np.ones(len(self._lex.ids) if self._lex else 0, dtype=bool)
        for key, value in (("kind", kind), ("section_type", section_type), ("genre", genre),
                           ("unit_type", unit_type)):
            if value:
                mask &= meta[key] == value
        if exclude_doc_ids:
            mask &= ~np.isin(meta["doc_id"], list(exclude_doc_ids))
        if exclude_sources:
            mask &= ~np.isin(meta["source"], list(exclude_sources))
        return mask

    def search(self, query: str, k: int = 5, *, kind: str | None = "section", section_type: str | None = None,
               genre: str | None = None, unit_type: str | None = None, exclude_doc_ids: Sequence[str] = (),
               exclude_sources: Sequence[str] = (), mode: str = "hybrid", fetch_k: int | None = None) -> list[Hit]:
        """Ranked hits for a query. ``mode``: hybrid (dense + BM25, RRF), dense, or lexical."""
        if not query.strip() or k <= 0:
            return []
        fetch_k = fetch_k or max(30, 4 * k)
        filters = (kind, section_type, genre, unit_type, tuple(exclude_doc_ids), tuple(exclude_sources))
        dense: list[tuple[str, str, dict, float]] = []
        if mode in ("hybrid", "dense"):
            total = self.collection.count()
            if total:
                res = self.collection.query(
                    query_texts=[query], n_results=min(fetch_k, total), where=self._where(*filters),
                    include=["documents", "metadatas", "distances"],
                )
                dense = list(zip(res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0],
                                 strict=True))
        lexical: list[tuple[str, float]] = []
        if mode in ("hybrid", "lexical"):
            index = self._lexical()
            lexical = index.top(query, fetch_k, self._mask(*filters))
        fused: dict[str, float] = {}
        dense_rank = {rid: r for r, (rid, *_rest) in enumerate(dense, 1)}
        lex_rank = {rid: r for r, (rid, _s) in enumerate(lexical, 1)}
        for rid, r in dense_rank.items():
            fused[rid] = fused.get(rid, 0.0) + 1.0 / (RRF_K + r)
        for rid, r in lex_rank.items():
            fused[rid] = fused.get(rid, 0.0) + 1.0 / (RRF_K + r)
        ranked = sorted(fused, key=lambda rid: (-fused[rid], rid))
        known = {rid: (doc, meta) for rid, doc, meta, _d in dense}
        missing = [rid for rid in ranked[: k + len(lex_rank)] if rid not in known]
        if missing:
            got = self.collection.get(ids=missing, include=["documents", "metadatas"])
            known.update({rid: (doc, meta) for rid, doc, meta in
                          zip(got["ids"], got["documents"], got["metadatas"], strict=True)})
            if len(got["ids"]) < len(missing):
                self._lex = None  # another process changed the corpus: rebuild the BM25 index next time
        hits = []
        for rid in [r for r in ranked if r in known][:k]:
            doc, meta = known[rid]
            hit = self._hit(rid, doc, meta, fused[rid])
            hit.dense_rank, hit.lexical_rank = dense_rank.get(rid), lex_rank.get(rid)
            hits.append(hit)
        return hits

    @staticmethod
    def _hit(rid: str, doc: str, meta: dict, score: float) -> Hit:
        meta = meta or {}
        return Hit(
            id=rid, doc_id=meta.get("doc_id", rid), kind=meta.get("kind", ""), title=meta.get("title", ""),
            source=meta.get("source", ""), section_type=meta.get("section_type", ""),
            heading=meta.get("heading_path", meta.get("heading", "")), text=doc or "", score=score, metadata=meta,
        )
