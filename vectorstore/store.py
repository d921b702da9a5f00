"""The corpus store: one handle on the Chroma collections of sections, documents and source files.

- ``PersistentClient`` on ``settings.chroma_dir`` by default, ``HttpClient`` when ``settings.chroma_url`` is set
  (a team sharing one ``chroma run`` server). Telemetry is off; the embedder is ours (see embedding.py).
- ``<name>_sections``: one record per top-level section (preamble included as 导语) and per passage, the
  retrieval units (text and metadata packed, not indexed by Chroma: records.STORED). ``<name>_docs``: one record per document (its outline as text, the whole text's embedding).
  ``<name>_sources``: one record per source file (hash, encoding). ``<name>_texts``: per source file, packed
  (zlib) in metadata, its raw text (provenance) and its documents' texts — kept once, not full-text indexed a
  second time. What the records hold: records.py.
- Every write stamps the sections collection with a new corpus version; the side index (lexical.py: BM25 and
  filter columns) is cached per version, so every process sees a changed corpus at its next search.
- A store of the layout before documents had their own collection is dropped at the next ingest.
- ``ingest`` (ingest.py), ``search`` and ``infer_section_type`` (search.py) are the store's methods for callers;
  their logic lives in those modules.
"""
from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from drafter.settings import Settings, get_settings
from vectorstore import index_repair
from vectorstore import ingest as ingesting
from vectorstore import search as searching
from vectorstore.embedding import NgramEmbeddingFunction, make_embedding_function
from vectorstore.ingest import IngestReport, Progress
from vectorstore.lexical import LexicalIndex
from vectorstore.records import (
    PACKED,
    Hit,
    Record,
    collection_pages,
    hit_from_record,
    read_record,
    stored_metadata,
    unpack,
)

SECTIONS, DOCS, FILES, TEXTS = "_sections", "_docs", "_sources", "_texts"  # collection name suffixes
INGEST_STATE = "ingest_state"  # sections collection metadata: "open" while an ingest writes


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
        name = self.settings.collection + suffix
        index_repair.finish_rebuild(self.client, name)
        return self._open_named(name)

    def _open_named(self, name: str):
        return self.client.get_or_create_collection(
            name, embedding_function=self.embedder, configuration={"hnsw": {"space": "cosine"}},
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

    def stamp(self, *, ingest_open: bool = False) -> None:
        """Give the corpus a new version: every side index built before is stale (in any process).
        ``ingest_open``: an ingest is writing (the first stamp of an ingest); its last stamp closes it, so the
        next ingest knows whether the one before it was interrupted."""
        self.collection.modify(metadata={"corpus_version": uuid.uuid4().hex[:16],
                                         INGEST_STATE: "open" if ingest_open else "closed"})
        self._lex = None

    def ingest_interrupted(self) -> bool:
        """Whether the last ingest into this store stopped before its last write (killed, or crashed)."""
        from chromadb.errors import NotFoundError

        try:
            fresh = self.client.get_collection(self.settings.collection + SECTIONS, embedding_function=self.embedder)
        except NotFoundError:
            return False
        return (fresh.metadata or {}).get(INGEST_STATE) == "open"

    def repair_dense_index(self) -> int:
        """Rebuild each vector-indexed collection in which a query for all records misses some
        (index_repair.py); returns the number of records that were unreachable."""
        missing = 0
        for suffix in (SECTIONS, DOCS):
            lost = index_repair.unreachable_ids(self._open(suffix))
            if lost:
                missing += len(lost)
                index_repair.rebuild(self.client, self.settings.collection + suffix, self._open_named)
        if missing:
            self._collection = self._docs = None
            self._lex = None
        return missing

    def _version(self) -> str:
        from chromadb.errors import NotFoundError

        try:
            fresh = self.client.get_collection(self.settings.collection + SECTIONS, embedding_function=self.embedder)
        except NotFoundError:  # dropped (a reset here or in another process): start from empty collections
            self._collection = self._docs = self._files = self._texts = None
            fresh = self.collection
        return str((fresh.metadata or {}).get("corpus_version") or f"unstamped-{fresh.count()}")

    def drop_legacy(self) -> bool:
        """Drop the collections of the layout before documents had their own (one mixed collection)."""
        names = {getattr(c, "name", c) for c in self.client.list_collections()}
        legacy = [n for n in (self.settings.collection, f"{self.settings.collection}_files") if n in names]
        for name in legacy:
            self.client.delete_collection(name)
        return bool(legacy)

    # ------------------------------------------------------------------ writing

    def known_files(self) -> dict[str, dict]:
        """source → metadata of every file recorded in the store (packed texts left out)."""
        out: dict[str, dict] = {}
        for ids, metas, _ in self._paged(self.files, include=["metadatas"]):
            for rid, meta in zip(ids, metas, strict=True):
                out[rid] = meta or {}
        return out

    def ingest(self, paths: Iterable[Path | str], progress: Progress | None = None,
               batch_records: int = 1000, workers: int | None = None) -> IngestReport:
        """Bring the store up to date with files and folders (ingest.py)."""
        return ingesting.ingest(self, paths, progress, batch_records, workers)

    def write(self, sections: Sequence[Record], docs: Sequence[tuple[str, str, dict, str]],
              files: Sequence[tuple[str, dict, str]], section_vectors: Sequence | None = None,
              doc_vectors: Sequence | None = None) -> None:
        """Write a batch of records: sections, documents (id, outline, metadata, whole text to embed), then the
        files' records (source, metadata, packed texts) — last, so a file cut short is read again next time.
        Vectors made with the records are written as given; otherwise the store's embedder makes them."""
        self._add(self.collection, sections, section_vectors)
        fresh = self._not_stored(self.docs, [d[0] for d in docs], [d[2] for d in docs], [d[1] for d in docs]) \
            if docs else []
        if fresh:
            vectors = [doc_vectors[i] for i in fresh] if doc_vectors is not None else \
                self.embedder([docs[i][3] for i in fresh])
            self.docs.upsert(ids=[docs[i][0] for i in fresh], documents=[docs[i][1] for i in fresh],
                             metadatas=[docs[i][2] for i in fresh], embeddings=vectors)
        if files:
            ids, zero = [s for s, _, _ in files], [[0.0] for _ in files]
            self.texts.upsert(ids=ids, metadatas=[{PACKED: p} for _, _, p in files], embeddings=zero)
            self.files.upsert(ids=ids, metadatas=[m for _, m, _ in files], embeddings=zero)

    def _add(self, collection, records: Sequence[Record], vectors: Sequence | None = None) -> None:
        if not records:
            return
        step = max(1, min(self.client.get_max_batch_size(), 1000))
        for start in range(0, len(records), step):
            chunk = records[start : start + step]
            # The text is packed in metadata (records.STORED): its vectors are made here when none were given.
            metadatas = [stored_metadata(r[1], r[2]) for r in chunk]
            fresh = self._not_stored(collection, [r[0] for r in chunk], metadatas)
            if not fresh:
                continue
            embeddings = self.embedder([chunk[i][1] for i in fresh]) if vectors is None else \
                [vectors[start + i] for i in fresh]
            collection.upsert(ids=[chunk[i][0] for i in fresh], metadatas=[metadatas[i] for i in fresh],
                              embeddings=embeddings)

    @staticmethod
    def _not_stored(collection, ids: list[str], metadatas: list[dict], documents: list[str] | None = None) -> list[int]:
        """Positions of the records not already stored exactly as given. An ingest killed after its records landed
        but before its file records writes the same records again when resumed; upserting them again makes the
        HNSW index update those points in place, and once in a killed-and-resumed test store of 2,100 records a
        query for all of them no longer reached one (a point updated in place can lose its links)."""
        got = collection.get(ids=ids, include=["metadatas", "documents"] if documents is not None else ["metadatas"])
        docs = got.get("documents") or [None] * len(got["ids"])
        stored = {rid: (meta, doc) for rid, meta, doc in zip(got["ids"], got["metadatas"], docs, strict=True)}
        return [i for i, rid in enumerate(ids)
                if rid not in stored or stored[rid][0] != metadatas[i]
                or (documents is not None and stored[rid][1] != documents[i])]

    def delete_source(self, source: str) -> None:
        """Every record of a source file (the corpus version is the caller's to stamp)."""
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
            self.delete_source(s)
        if matches:
            self.stamp()
        return len(matches)

    def reset(self) -> None:
        """Drop every collection (a rebuild starts from an empty store)."""
        name = self.settings.collection
        for full in (name + SECTIONS, name + DOCS, name + FILES, name + TEXTS, name, f"{name}_files",
                     *(name + s + index_repair.REBUILD_SUFFIX for s in (SECTIONS, DOCS))):
            with contextlib.suppress(Exception):  # absent already
                self.client.delete_collection(full)
        self._collection = self._docs = self._files = self._texts = None
        self._lex = None

    # ------------------------------------------------------------------ reading

    def _paged(self, collection, where: dict | None = None, include: list[str] | None = None,
               vectors: bool = False):
        """Pages of (ids, metadatas, documents[, embeddings]) of a collection."""
        for got in collection_pages(collection, include, where):
            ids = got["ids"]
            page = (ids, got.get("metadatas") or [None] * len(ids), got.get("documents") or [None] * len(ids))
            yield (*page, got["embeddings"]) if vectors else page

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

    def section_records(self) -> list[Record]:
        """Every section and passage record as (id, text, metadata)."""
        out: list[Record] = []
        for ids, metas, docs in self._paged(self.collection, include=["documents", "metadatas"]):
            out += [(rid, *read_record(doc, stored)) for rid, stored, doc in zip(ids, metas, docs, strict=True)]
        return out

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
                found[rid] = hit_from_record(rid, doc, meta, 0.0)
        self.fill_document_texts([h for h in found.values() if h.kind == "document"])
        return [found[rid] for rid in ids if rid in found]

    def _packed(self, source: str) -> dict | None:
        got = self.texts.get(ids=[source], include=["metadatas"])
        meta = got["metadatas"][0] if got["ids"] else None
        return unpack(meta[PACKED]) if meta and PACKED in meta else None

    def fill_document_texts(self, hits: Sequence[Hit]) -> None:
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

    def side_index(self) -> LexicalIndex:
        """The side index of the current corpus version (built, loaded from the cache, or kept in memory)."""
        version = self._version()
        if self._lex is not None and self._lex.version == version:
            return self._lex
        with self._index_lock:  # concurrent searches of one handle (app sessions) build it once
            if self._lex is not None and self._lex.version == version:
                return self._lex
            return self._build_index(version)

    def invalidate_index(self) -> None:
        """Forget the side index: the next search builds or loads the current version's."""
        self._lex = None

    def _build_index(self, version: str) -> LexicalIndex:
        def fetch_all() -> tuple[list[str], list[str], list[dict], np.ndarray | None]:
            ids: list[str] = []
            texts: list[str] = []
            metas: list[dict] = []
            vectors: list[np.ndarray] = []
            for page_ids, page_meta, page_docs, page_vectors in self._paged(
                    self.collection, include=["documents", "metadatas", "embeddings"], vectors=True):
                ids.extend(page_ids)
                for doc, stored in zip(page_docs, page_meta, strict=True):
                    text, meta = read_record(doc, stored)
                    texts.append(text)
                    metas.append(meta)
                vectors.append(np.asarray(page_vectors, dtype=np.float32))
            return ids, texts, metas, np.concatenate(vectors) if vectors else None

        cache = None if self.settings.chroma_url else self.settings.chroma_dir / "lexical"
        self._lex = LexicalIndex.load_or_build(cache, version, fetch_all, expected=self.collection.count())
        return self._lex

    def infer_section_type(self, query: str, *, genre: str | None = None, unit_type: str | None = None,
                           exclude_doc_ids: Sequence[str] = (), exclude_sources: Sequence[str] = ()) -> str | None:
        """The section type a query text reads as (search.py)."""
        return searching.infer_section_type(self, query, genre=genre, unit_type=unit_type,
                                            exclude_doc_ids=exclude_doc_ids, exclude_sources=exclude_sources)

    def search(self, query: str, k: int = 5, *, kind: str = "section", section_type: str | None = None,
               genre: str | None = None, unit_type: str | None = None, exclude_doc_ids: Sequence[str] = (),
               exclude_sources: Sequence[str] = (), mode: str = "hybrid", fetch_k: int | None = None) -> list[Hit]:
        """Ranked hits for a query (search.py): sections by ``mode`` hybrid (dense + BM25, RRF), dense or
        lexical, ``section_type="auto"`` the type the query reads as; documents (``kind="document"``) dense."""
        return searching.search(self, query, k, kind=kind, section_type=section_type, genre=genre,
                                unit_type=unit_type, exclude_doc_ids=exclude_doc_ids,
                                exclude_sources=exclude_sources, mode=mode, fetch_k=fetch_k)
