"""The corpus store: Chroma collections of sections, documents and source files; content-hash ids; hybrid
retrieval.

- ``PersistentClient`` on ``settings.chroma_dir`` by default, ``HttpClient`` when ``settings.chroma_url`` is set
  (a team sharing one ``chroma run`` server). Telemetry is off; the embedder is ours (see embedding.py).
- ``<name>_sections``: one record per top-level section (preamble included as 导语), the retrieval unit.
  ``<name>_docs``: one record per document (its outline as text, the whole text's embedding).
  ``<name>_sources``: one record per source file (hash, encoding). ``<name>_texts``: per source file, packed
  (zlib) in metadata, its raw text (provenance) and its documents' texts — kept once, not full-text indexed a
  second time.
  Ids derive from content hashes, so an unchanged corpus re-ingests with no writes; a changed file's records
  are replaced and a deleted file's removed. A file's record is written after its sections and documents, so
  an interrupted ingest is redone cleanly next time.
- Every write stamps the sections collection with a new corpus version; the side index (lexical.py: BM25 and
  filter columns) is cached per version, so every process sees a changed corpus at its next search.
- ``search`` fuses Chroma's dense ranking with BM25 by reciprocal rank fusion; filters (section type, genre,
  unit type, excluded documents or sources) are masks over the side index.
"""
from __future__ import annotations

import base64
import contextlib
import json
import os
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from drafter.settings import Settings, get_settings
from vectorstore.classify import SECTION_TYPES, classify_work, section_type_scores
from vectorstore.embedding import NgramEmbeddingFunction, make_embedding_function
from vectorstore.lexical import LexicalIndex
from vectorstore.loading import (
    SUPPORTED_SUFFIXES,
    Loader,
    file_digest,
    file_sha1,
    iter_files,
    needs_conversion,
    unsupported_reason,
)
from vectorstore.pipeline import FileResult, process_loaded
from vectorstore.structure import ParsedDocument

RRF_K = 60
_PAGE = 5000
SECTIONS, DOCS, FILES, TEXTS = "_sections", "_docs", "_sources", "_texts"  # collection name suffixes
PACKED = "packed"  # metadata key of a text record's packed texts
AUTO = "auto"  # section_type that means: the type the query text reads as
AUTO_NEIGHBOURS = 5  # nearest sections whose types vote (bench_retrieval.py: top 5 beat top 10)
AUTO_VOTE_WEIGHT = 0.15  # the vote against the text's own cue words (bench_retrieval.py: cues alone beat the vote)

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


WORK_BONUS = 1.0 / 61  # = a first rank in one of the two fused lists (RRF_K = 60)
PASSAGE_MIN_CHARS = 40  # shorter sub-sections are headings with a line, not passages worth retrieving


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
        # Passages: each sub-section (（一）…) of a top-level section is a record of its own too, so a piece of
        # the outline (one 做法 item) can retrieve the passage about the same kind of work, not a whole section.
        for ci, child in enumerate(sec.children):
            child_text = child.full_text()
            if len(child_text.strip()) < PASSAGE_MIN_CHARS:
                continue
            records.append((f"{doc.doc_id}-s{pos:02d}p{ci:02d}", child_text, _clean_meta({
                **base, "kind": "section", "section_type": sec.section_type, "heading": child.heading,
                "heading_path": " > ".join(child.path), "position": pos, "level": child.level,
                "subheadings": [], "enumerations": len([e for node in child.walk() for e in node.enumerations]),
                "figures": [f for node in child.walk() for f in node.figures], "parent": sec.heading or "",
            })))
    return records


def document_outline(doc: ParsedDocument) -> str:
    """A document record's text: its title and top-level headings (the whole text is packed with its file)."""
    return "\n".join([doc.title, *(s.heading for s in doc.top_sections() if s.heading)]).strip() or doc.title


def pack(data: dict) -> str:
    """JSON → zlib → base85: large texts kept in metadata without Chroma indexing them word by word."""
    raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return base64.b85encode(zlib.compress(raw, 6)).decode("ascii")


def unpack(blob: str) -> dict:
    return json.loads(zlib.decompress(base64.b85decode(blob)).decode("utf-8"))


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

    def __init__(self, settings: Settings | None = None, embedding_function=None) -> None:
        self.settings = settings or get_settings()
        self._embedder = embedding_function  # None: the one the settings name (embedding.py)
        self._client = None
        self._collection = None
        self._docs = None
        self._files = None
        self._texts = None
        self._lex: LexicalIndex | None = None
        self._index_lock = threading.Lock()

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
    def embedder(self):
        if self._embedder is None:
            self._embedder = make_embedding_function(self.settings)
        return self._embedder

    def _open(self, suffix: str):
        return self.client.get_or_create_collection(
            self.settings.collection + suffix, embedding_function=self.embedder,
            configuration={"hnsw": {"space": "cosine"}},
        )

    @property
    def collection(self):
        """The section records (the retrieval units)."""
        if self._collection is None:
            self._collection = self._open(SECTIONS)
        return self._collection

    @property
    def docs(self):
        """One record per document: its outline as text, the whole document's embedding."""
        if self._docs is None:
            self._docs = self._open(DOCS)
        return self._docs

    def _records_only(self, suffix: str):
        """A collection of bookkeeping records (no search over them: a one-number placeholder embedding)."""
        return self.client.get_or_create_collection(self.settings.collection + suffix,
                                                    embedding_function=NgramEmbeddingFunction())

    @property
    def files(self):
        """One record per source file: hash, encoding, number of documents."""
        if self._files is None:
            self._files = self._records_only(FILES)
        return self._files

    @property
    def texts(self):
        """One record per source file: its raw text (provenance) and its documents' texts, packed."""
        if self._texts is None:
            self._texts = self._records_only(TEXTS)
        return self._texts

    def _stamp(self) -> None:
        """Give the corpus a new version: every side index built before is stale (in any process)."""
        self.collection.modify(metadata={"corpus_version": uuid.uuid4().hex[:16]})
        self._lex = None

    def _version(self) -> str:
        from chromadb.errors import NotFoundError

        try:
            fresh = self.client.get_collection(self.settings.collection + SECTIONS, embedding_function=self.embedder)
        except NotFoundError:  # dropped (a reset here or in another process): start from empty collections
            self._collection = self._docs = self._files = self._texts = None
            fresh = self.collection
        return str((fresh.metadata or {}).get("corpus_version") or f"unstamped-{fresh.count()}")

    def _drop_legacy(self) -> bool:
        """Drop the collections of the layout before documents had their own (one mixed collection)."""
        names = {getattr(c, "name", c) for c in self.client.list_collections()}
        legacy = [n for n in (self.settings.collection, f"{self.settings.collection}_files") if n in names]
        for name in legacy:
            self.client.delete_collection(name)
        return bool(legacy)

    # ------------------------------------------------------------------ ingest

    def known_files(self) -> dict[str, dict]:
        """source → metadata of every file recorded in the store (packed texts left out)."""
        out: dict[str, dict] = {}
        for ids, metas, _ in self._paged(self.files, include=["metadatas"]):
            for rid, meta in zip(ids, metas, strict=True):
                out[rid] = meta or {}
        return out

    def ingest(self, paths: Iterable[Path | str], progress: Progress | None = None,
               batch_records: int = 2000) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        report.legacy_dropped = self._drop_legacy()
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
        sections: list[tuple[str, str, dict]] = []
        docs: list[tuple[str, str, dict, str]] = []
        file_records: list[tuple[str, dict, str]] = []
        stamped = False
        # The .doc/.wps/.rtf/.odt files that changed: LibreOffice converts them a chunk per run.
        loader = Loader(expect=[p for s, p in by_source.items()
                                if needs_conversion(p) and known.get(s, {}).get("file_hash") != file_digest(p)])

        def flush() -> None:
            nonlocal stamped
            if not (sections or docs or file_records):
                return
            if not stamped:  # before the first write: an index built from a half-written corpus is stale
                self._stamp()
                stamped = True
            self._add(self.collection, sections)
            if docs:
                self.docs.upsert(ids=[d[0] for d in docs], documents=[d[1] for d in docs],
                                 metadatas=[d[2] for d in docs], embeddings=self.embedder([d[3] for d in docs]))
            # File records last: a file whose records were cut short is read again next time.
            if file_records:
                ids, zero = [s for s, _, _ in file_records], [[0.0] for _ in file_records]
                self.texts.upsert(ids=ids, metadatas=[{PACKED: p} for _, _, p in file_records], embeddings=zero)
                self.files.upsert(ids=ids, metadatas=[m for _, m, _ in file_records], embeddings=zero)
            report.records_written += len(sections) + len(docs)
            sections.clear()
            docs.clear()
            file_records.clear()

        for i, (source, path) in enumerate(by_source.items(), 1):
            if progress:
                progress(i, len(files), Path(source).name)
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                report.skipped.append((source, unsupported_reason(path.suffix)))
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
            result = self._process(path, source, loader)
            if source in known:
                if not stamped:
                    self._stamp()
                    stamped = True
                self._delete_source(source)
            if result.skipped:
                report.skipped.append((source, result.skipped))
                continue
            report.files_read += 1
            report.encodings[source] = result.encoding
            texts: dict[str, str] = {}
            for doc in result.documents:
                (doc_id, text, meta), *section_records = document_records(doc, digest)
                docs.append((doc_id, document_outline(doc), meta, text))
                texts[doc_id] = text
                sections.extend(section_records)
                report.documents += 1
                report.sections += len(section_records)
            file_records.append((source, _clean_meta({
                "file_hash": digest, "encoding": result.encoding, "documents": len(result.documents),
                "name": Path(source).name, "ingested_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            }), pack({"original": result.documents[0].original if result.documents else "", "docs": texts})))
            if len(sections) + len(docs) >= batch_records:
                flush()
        flush()
        # Files that were under an ingested folder before and are gone now.
        folders = [source_name(p) + os.sep for p in paths if p.is_dir()]
        gone = [s for s in known if s not in current and any(s.startswith(f) for f in folders)]
        for source in gone:
            self._delete_source(source)
            report.removed_sources.append(source)
        if stamped or gone:
            self._stamp()  # the final version: what a reader caches from now on
        report.elapsed_s = time.perf_counter() - started
        return report

    def _process(self, path: Path, source: str, loader: Loader | None = None) -> FileResult:
        from vectorstore.loading import LoadedFile

        loaded = (loader or Loader()).load(path)
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
        self.docs.delete(where={"source": source})
        self.texts.delete(ids=[source])
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
        if matches:
            self._stamp()
        return len(matches)

    def reset(self) -> None:
        """Drop every collection (a rebuild starts from an empty store)."""
        name = self.settings.collection
        for full in (name + SECTIONS, name + DOCS, name + FILES, name + TEXTS, name, f"{name}_files"):
            with contextlib.suppress(Exception):  # absent already
                self.client.delete_collection(full)
        self._collection = self._docs = self._files = self._texts = None
        self._lex = None

    # ------------------------------------------------------------------ reading

    def _paged(self, collection, where: dict | None = None, include: list[str] | None = None,
               vectors: bool = False):
        """Pages of (ids, metadatas, documents[, embeddings]) of a collection."""
        offset = 0
        while True:
            got = collection.get(where=where, include=include or [], limit=_PAGE, offset=offset)
            ids = got["ids"]
            if not ids:
                return
            page = (ids, got.get("metadatas") or [None] * len(ids), got.get("documents") or [None] * len(ids))
            yield (*page, got["embeddings"]) if vectors else page
            if len(ids) < _PAGE:
                return
            offset += _PAGE

    def documents(self) -> list[DocumentInfo]:
        files = self.known_files()
        out = []
        for ids, metas, _ in self._paged(self.docs, include=["metadatas"]):
            for rid, m in zip(ids, metas, strict=True):
                out.append(DocumentInfo(
                    doc_id=rid, title=m.get("title", ""), source=m.get("source", ""), genre=m.get("genre", ""),
                    unit_type=m.get("unit_type", ""), year=m.get("year"), sections=int(m.get("n_sections", 0)),
                    encoding=files.get(m.get("source", ""), {}).get("encoding", ""),
                ))
        return sorted(out, key=lambda d: (d.source, d.title))

    def get(self, ids: Sequence[str]) -> list[Hit]:
        """Records by id, sections and documents alike, in the order asked (unknown ids left out)."""
        if not ids:
            return []
        found: dict[str, Hit] = {}
        for collection in (self.collection, self.docs):
            wanted = [rid for rid in ids if rid not in found]
            if not wanted:
                break
            got = collection.get(ids=wanted, include=["documents", "metadatas"])
            for rid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                found[rid] = self._hit(rid, doc, meta, 0.0)
        self._fill_document_texts([h for h in found.values() if h.kind == "document"])
        return [found[rid] for rid in ids if rid in found]

    def _packed(self, source: str) -> dict | None:
        got = self.texts.get(ids=[source], include=["metadatas"])
        meta = got["metadatas"][0] if got["ids"] else None
        return unpack(meta[PACKED]) if meta and PACKED in meta else None

    def _fill_document_texts(self, hits: Sequence[Hit]) -> None:
        """A document's text is kept once, packed in its file's record (not indexed a second time)."""
        packed: dict[str, dict | None] = {}
        for hit in hits:
            if hit.source not in packed:
                packed[hit.source] = self._packed(hit.source)
            texts = (packed[hit.source] or {}).get("docs", {})
            hit.text = texts.get(hit.doc_id, hit.text)

    def original(self, source: str) -> str | None:
        """The raw text of a source file as it was read (provenance)."""
        packed = self._packed(source)
        return packed.get("original") if packed else None

    def count(self) -> int:
        """Records: sections and documents."""
        return self.collection.count() + self.docs.count()

    # ------------------------------------------------------------------ search

    @staticmethod
    def _where(genre: str | None, unit_type: str | None, exclude_doc_ids: Sequence[str],
               exclude_sources: Sequence[str]) -> dict | None:
        """Chroma's filter for a document query (section queries filter by mask, see ``_index``)."""
        clauses: list[dict] = []
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

    def _index(self) -> LexicalIndex:
        """The side index of the current corpus version (built, loaded from the cache, or kept in memory)."""
        version = self._version()
        if self._lex is not None and self._lex.version == version:
            return self._lex
        with self._index_lock:  # concurrent searches of one handle (app sessions) build it once
            if self._lex is not None and self._lex.version == version:
                return self._lex
            return self._build_index(version)

    def _build_index(self, version: str) -> LexicalIndex:
        def fetch_all() -> tuple[list[str], list[str], list[dict], np.ndarray | None]:
            ids: list[str] = []
            texts: list[str] = []
            metas: list[dict] = []
            vectors: list[np.ndarray] = []
            for page_ids, page_meta, page_docs, page_vectors in self._paged(
                    self.collection, include=["documents", "metadatas", "embeddings"], vectors=True):
                ids.extend(page_ids)
                metas.extend(m or {} for m in page_meta)
                texts.extend(d or "" for d in page_docs)
                vectors.append(np.asarray(page_vectors, dtype=np.float32))
            return ids, texts, metas, np.concatenate(vectors) if vectors else None

        cache = None if self.settings.chroma_url else self.settings.chroma_dir / "lexical"
        self._lex = LexicalIndex.load_or_build(cache, version, fetch_all, expected=self.collection.count())
        return self._lex

    def _dense(self, query: str, fetch_k: int, index: LexicalIndex, mask: np.ndarray | None) -> list[str]:
        """Section ids by dense similarity: Chroma's HNSW query when nothing filters; with a filter, an exact
        ranking of the side index's vectors under the mask (Chroma's own filtered query costs 40–70 ms at
        50,000 records, the masked matrix product a few)."""
        total = len(index.ids)
        if not total:
            return []
        if mask is None:
            res = self.collection.query(query_texts=[query], n_results=min(fetch_k, total), include=["distances"])
            return res["ids"][0]
        return index.nearest(self.embedder([query])[0], fetch_k, mask)

    def infer_section_type(self, query: str, *, genre: str | None = None, unit_type: str | None = None,
                           exclude_doc_ids: Sequence[str] = (), exclude_sources: Sequence[str] = ()) -> str | None:
        """The section type a query text reads as: the types of its nearest sections (hybrid top
        ``AUTO_NEIGHBOURS``, weighted by fused score) break near-ties of the cue words of the text itself."""
        neighbours = self.search(query, AUTO_NEIGHBOURS, genre=genre, unit_type=unit_type,
                                 exclude_doc_ids=exclude_doc_ids, exclude_sources=exclude_sources)
        votes: dict[str, float] = {}
        for hit in neighbours:
            if hit.section_type in SECTION_TYPES:
                votes[hit.section_type] = votes.get(hit.section_type, 0.0) + hit.score
        total = sum(votes.values())
        cues = section_type_scores(query)
        combined = {t: AUTO_VOTE_WEIGHT * (votes.get(t, 0.0) / total if total else 0.0) + cues.get(t, 0.0)
                    for t in SECTION_TYPES}
        best = max(combined, key=lambda t: (combined[t], t))
        return best if combined[best] > 0 else None

    def search(self, query: str, k: int = 5, *, kind: str = "section", section_type: str | None = None,
               genre: str | None = None, unit_type: str | None = None, exclude_doc_ids: Sequence[str] = (),
               exclude_sources: Sequence[str] = (), mode: str = "hybrid", fetch_k: int | None = None) -> list[Hit]:
        """Ranked hits for a query. Sections: ``mode`` hybrid (dense + BM25, RRF), dense, or lexical;
        ``section_type="auto"`` takes the type the query reads as (``infer_section_type``).
        Documents (``kind="document"``): dense over whole-document embeddings."""
        if kind not in ("section", "document"):
            raise ValueError(f"kind must be 'section' or 'document', not {kind!r}")
        if not query.strip() or k <= 0:
            return []
        if section_type == AUTO and kind == "section":
            section_type = self.infer_section_type(query, genre=genre, unit_type=unit_type,
                                                   exclude_doc_ids=exclude_doc_ids, exclude_sources=exclude_sources)
        if kind == "document":
            return self._search_documents(query, k, genre, unit_type, exclude_doc_ids, exclude_sources)
        fetch_k = fetch_k or max(30, 4 * k)
        index = self._index()
        mask = index.mask({"section_type": section_type, "genre": genre, "unit_type": unit_type},
                          {"doc_id": exclude_doc_ids, "source": exclude_sources})
        if mask is not None and not mask.any():
            return []
        dense = self._dense(query, fetch_k, index, mask) if mode in ("hybrid", "dense") else []
        lexical = index.top(query, fetch_k, mask) if mode in ("hybrid", "lexical") else []
        dense_rank = {rid: r for r, rid in enumerate(dense, 1)}
        lex_rank = {rid: r for r, (rid, _s) in enumerate(lexical, 1)}
        fused: dict[str, float] = {}
        for ranks in (dense_rank, lex_rank):
            for rid, r in ranks.items():
                fused[rid] = fused.get(rid, 0.0) + 1.0 / (RRF_K + r)
        ranked = sorted(fused, key=lambda rid: (-fused[rid], rid))
        work = classify_work(query) if mode == "hybrid" else None
        top = ranked[: (3 * k + 5) if work else k + 5]  # spares: another process may have removed some
        if not top:
            return []
        got = self.collection.get(ids=top, include=["documents", "metadatas"])
        known = {rid: (doc, meta) for rid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"],
                                                             strict=True)}
        if len(known) < len(top):
            self._lex = None  # the corpus changed under us: rebuild the side index next time
        if work:  # a passage about the same kind of work as the query ranks as if one list had put it first
            for rid, (doc, _meta) in known.items():
                if classify_work(doc[:400]) == work:
                    fused[rid] += WORK_BONUS
            top = sorted(top, key=lambda rid: (-fused[rid], rid))
        hits = []
        for rid in [r for r in top if r in known][:k]:
            hit = self._hit(rid, *known[rid], fused[rid])
            hit.dense_rank, hit.lexical_rank = dense_rank.get(rid), lex_rank.get(rid)
            hits.append(hit)
        return hits

    def _search_documents(self, query: str, k: int, genre: str | None, unit_type: str | None,
                          exclude_doc_ids: Sequence[str], exclude_sources: Sequence[str]) -> list[Hit]:
        total = self.docs.count()
        if not total:
            return []
        res = self.docs.query(query_texts=[query], n_results=min(k, total),
                              where=self._where(genre, unit_type, exclude_doc_ids, exclude_sources),
                              include=["documents", "metadatas"])
        hits = []
        for rank, (rid, doc, meta) in enumerate(zip(res["ids"][0], res["documents"][0], res["metadatas"][0],
                                                    strict=True), 1):
            hit = self._hit(rid, doc, meta, 1.0 / (RRF_K + rank))
            hit.dense_rank = rank
            hits.append(hit)
        self._fill_document_texts(hits)
        return hits

    @staticmethod
    def _hit(rid: str, doc: str, meta: dict, score: float) -> Hit:
        meta = meta or {}
        return Hit(
            id=rid, doc_id=meta.get("doc_id", rid), kind=meta.get("kind", ""), title=meta.get("title", ""),
            source=meta.get("source", ""), section_type=meta.get("section_type", ""),
            heading=meta.get("heading_path", meta.get("heading", "")), text=doc or "", score=score, metadata=meta,
        )
