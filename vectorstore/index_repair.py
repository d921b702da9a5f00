"""Repair of a dense index left incomplete by an interrupted ingest.

An ingest killed while Chroma persists its HNSW index can leave a record that ``get`` returns but no query
reaches (the record is stored, its point in the graph lost its links; the same symptom as upstream
chroma-core/chroma#7758 on 1.5.9). Seen once in 12 killed-and-resumed test ingests (tests/test_reliability_kill.py). The ingest that
follows an interrupted one (ingest.py knows from the sections collection's ``ingest_state``) asks every
vector-indexed collection for all its records with one query; if some are missing it rebuilds that collection
from its stored records and vectors: under a temporary name first, then renamed into place, so a kill during
the rebuild loses nothing (``finish_rebuild`` completes a rename that was cut short).
"""

from __future__ import annotations

from vectorstore.records import collection_pages

REBUILD_SUFFIX = "_rebuild"


def unreachable_ids(collection) -> list[str]:
    """Stored records that a query asking for all of them does not return (sorted)."""
    ids = [rid for got in collection_pages(collection) for rid in got["ids"]]
    if not ids:
        return []
    probe = collection.get(ids=[ids[0]], include=["embeddings"])["embeddings"][0]
    found = collection.query(query_embeddings=[probe], n_results=len(ids), include=[])["ids"][0]
    return sorted(set(ids) - set(found))


def finish_rebuild(client, name: str) -> None:
    """A rebuild cut short between dropping ``name`` and renaming its copy: rename the copy now. A copy left
    beside an intact collection (cut short before the drop) is dropped."""
    names = {getattr(c, "name", c) for c in client.list_collections()}
    copy = name + REBUILD_SUFFIX
    if copy not in names:
        return
    if name in names:
        client.delete_collection(copy)
    else:
        client.get_collection(copy).modify(name=name)


def rebuild(client, name: str, open_collection, batch: int = 1000) -> int:
    """Rebuild collection ``name`` from its stored ids, vectors, metadata and documents, returning the number
    of records. ``open_collection(name)`` opens (creating) a collection with the store's configuration."""
    old = client.get_collection(name)
    metadata = dict(old.metadata or {})
    copy_name = name + REBUILD_SUFFIX
    if copy_name in {getattr(c, "name", c) for c in client.list_collections()}:
        client.delete_collection(copy_name)
    copy = open_collection(copy_name)
    n = 0
    for got in collection_pages(old, ["embeddings", "metadatas", "documents"], size=batch):
        documents = got.get("documents")
        copy.add(ids=got["ids"], embeddings=got["embeddings"], metadatas=got["metadatas"],
                 documents=documents if documents is not None and any(d is not None for d in documents) else None)
        n += len(got["ids"])
    if metadata:
        copy.modify(metadata=metadata)
    client.delete_collection(name)
    copy.modify(name=name)
    return n
