"""Record packing: parsed documents → the (id, text, metadata) records the store's collections hold, and
records read back → ``Hit``.

- A document's record: its outline as text (title and top-level headings), its metadata; its whole text is
  packed with its file's record (``pack``: JSON → zlib → base85 in metadata, never full-text indexed twice).
- A section's record: one per top-level section (preamble included as 导语), plus one per sub-section
  (``（一）…``) long enough to be a passage worth retrieving on its own, or, for a 做法/成效/体会 section
  written as paragraphs, one per paragraph.
- A file's record: its hash, encoding and number of documents.
Ids derive from the document's content hash (``ParsedDocument.doc_id``), so unchanged content keeps its ids.
"""

from __future__ import annotations

import base64
import json
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from vectorstore.structure import ParsedDocument

PAGE_RECORDS = 5000  # records asked of Chroma per get() when reading a whole collection


def collection_pages(collection, include: list[str] | None = None, where: dict | None = None,
                     size: int = PAGE_RECORDS):
    """A collection's records a page at a time: the ``get`` answers (ids and what ``include`` asks for)."""
    offset = 0
    while True:
        got = collection.get(where=where, include=include or [], limit=size, offset=offset)
        if not len(got["ids"]):
            return
        yield got
        if len(got["ids"]) < size:
            return
        offset += size


PACKED = "packed"  # metadata key of a text record's packed texts
# A section record as Chroma keeps it: the metadata keys Chroma itself filters on, and one packed blob of the
# text and the whole metadata (``STORED``). Chroma's local store indexes every document for full-text search
# (trigram FTS) and every metadata value, which search never uses (filters are masks over the side index,
# lexical ranking is BM25 over jieba tokens: lexical.py); that indexing took about 60 % of ingest time
# (bench/bench_corpus.py).
STORED = "record"
FILTER_KEYS = ("source", "doc_id", "section_type", "genre", "unit_type")
# What the records of a file look like; a file indexed under an earlier version is indexed again at the next
# ingest even when unchanged (2: paragraph passages of 做法/成效/体会 sections without sub-headings;
# 3: a section record counts its paragraph passages, "paragraph_passages"; 4: a section's text and metadata
# packed, ``STORED``).
RECORDS_VERSION = 4
PARAGRAPH_TYPES = ("主要做法", "取得成效", "经验体会")  # sections whose paragraphs are passages of their own
PASSAGE_MIN_CHARS = 40  # shorter sub-sections are headings with a line, not passages worth retrieving

Record = tuple[str, str, dict]  # (id, text, metadata)


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


def stored_metadata(text: str, meta: dict) -> dict:
    """A section record's metadata as written to Chroma (``STORED``)."""
    return {**{key: meta[key] for key in FILTER_KEYS if key in meta}, STORED: pack({"text": text, "meta": meta})}


def read_record(doc: str | None, stored: dict | None) -> tuple[str, dict]:
    """(text, metadata) of a record as read from Chroma: a section's from its packed blob; a document's (and a
    section's in a store ingested before version 4) as Chroma holds them."""
    stored = stored or {}
    if STORED in stored:
        record = unpack(stored[STORED])
        return record["text"], record["meta"]
    return doc or "", stored


def hit_from_record(rid: str, doc: str | None, stored: dict | None, score: float) -> Hit:
    return make_hit(rid, *read_record(doc, stored), score)


def make_hit(rid: str, text: str, meta: dict, score: float) -> Hit:
    return Hit(
        id=rid, doc_id=meta.get("doc_id", rid), kind=meta.get("kind", ""), title=meta.get("title", ""),
        source=meta.get("source", ""), section_type=meta.get("section_type", ""),
        heading=meta.get("heading_path", meta.get("heading", "")), text=text, score=score, metadata=meta,
    )


def clean_meta(meta: dict) -> dict:
    """Chroma metadata values must be str/int/float/bool: drop None, JSON-encode lists."""
    out = {}
    for key, value in meta.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | dict):
            value = json.dumps(value, ensure_ascii=False)
        out[key] = value
    return out


def document_records(doc: ParsedDocument, file_hash: str) -> list[Record]:
    """(id, text, metadata) for a document and each of its top-level sections (preamble included)."""
    base = {
        "doc_id": doc.doc_id, "source": doc.source, "source_name": Path(doc.source).name, "file_hash": file_hash,
        "title": doc.title, "genre": doc.genre, "unit_type": doc.unit_type, "year": doc.year,
    }
    records = [(doc.doc_id, doc.text, clean_meta({
        **base, "kind": "document", "section_type": "全文", "n_sections": len(doc.top_sections()),
        "signature": doc.signature, "date": doc.date, "encoding": doc.encoding,
        "headings": [s.heading for s in doc.top_sections()],
    }))]
    for pos, sec in enumerate(doc.sections):
        text = sec.full_text()
        if not text.strip():
            continue
        figures = [f for node in sec.walk() for f in node.figures]
        # A 做法/成效/体会 section written as paragraphs, without sub-headings: each paragraph is a passage
        # ("群众满意度明显提升。……" is about one kind of work, the section about several).
        paragraphs: list[str] = []
        if not sec.children and sec.section_type in PARAGRAPH_TYPES:
            paragraphs = [line.strip() for line in sec.text.split("\n") if len(line.strip()) >= PASSAGE_MIN_CHARS]
            paragraphs = paragraphs if len(paragraphs) > 1 else []
        records.append((f"{doc.doc_id}-s{pos:02d}", text, clean_meta({
            **base, "kind": "section", "section_type": sec.section_type, "heading": sec.heading or "（导语）",
            "heading_path": " > ".join(sec.path) if sec.path else "导语", "position": pos, "level": sec.level,
            "subheadings": [c.heading for c in sec.children],
            "enumerations": len([e for node in sec.walk() for e in node.enumerations]),
            "figures": figures, "paragraph_passages": len(paragraphs),
        })))
        # Passages: each sub-section (（一）…) of a top-level section is a record of its own too, so a piece of
        # the outline (one 做法 item) can retrieve the passage about the same kind of work, not a whole section.
        for ci, child in enumerate(sec.children):
            child_text = child.full_text()
            if len(child_text.strip()) < PASSAGE_MIN_CHARS:
                continue
            records.append((f"{doc.doc_id}-s{pos:02d}p{ci:02d}", child_text, clean_meta({
                **base, "kind": "section", "section_type": sec.section_type, "heading": child.heading,
                "heading_path": " > ".join(child.path), "position": pos, "level": child.level,
                "subheadings": [], "enumerations": len([e for node in child.walk() for e in node.enumerations]),
                "figures": [f for node in child.walk() for f in node.figures], "parent": sec.heading or "",
            })))
        for pi, paragraph in enumerate(paragraphs):
            records.append((f"{doc.doc_id}-s{pos:02d}g{pi:02d}", paragraph, clean_meta({
                **base, "kind": "section", "section_type": sec.section_type, "heading": sec.heading,
                "heading_path": f"{' > '.join(sec.path)} > 第{pi + 1}段", "position": pos, "level": sec.level + 1,
                "subheadings": [], "enumerations": 0, "figures": [f for f in sec.figures if f in paragraph],
                "parent": sec.heading or "",
                "paragraph": pi + 1,
            })))
    return records


def document_outline(doc: ParsedDocument) -> str:
    """A document record's text: its title and top-level headings (the whole text is packed with its file)."""
    return "\n".join([doc.title, *(s.heading for s in doc.top_sections() if s.heading)]).strip() or doc.title


def file_record(source: str, file_hash: str, encoding: str, docs: list[ParsedDocument],
                texts: dict[str, str]) -> tuple[str, dict, str]:
    """(source, metadata, packed texts) of a source file: its raw text (provenance) and its documents' texts."""
    meta = clean_meta({
        "file_hash": file_hash, "encoding": encoding, "documents": len(docs),
        "name": Path(source).name, "ingested_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "records_version": RECORDS_VERSION,
    })
    return source, meta, pack({"original": docs[0].original if docs else "", "docs": texts})


_B64 = "b64:"  # what a blob packed with base64 starts with (":" is not a base85 character)


def pack(data: dict) -> str:
    """JSON → zlib → base64: large texts kept in metadata without Chroma indexing them word by word. (base64, not
    the denser base85 used before, whose pure-Python decoding of a search's candidate records cost more than the
    search itself at 140,000 records.)"""
    raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return _B64 + base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


def unpack(blob: str) -> dict:
    """What ``pack`` packed; also a blob of a store written before, in base85."""
    raw = base64.b64decode(blob[len(_B64):]) if blob.startswith(_B64) else base64.b85decode(blob)
    return json.loads(zlib.decompress(raw).decode("utf-8"))
