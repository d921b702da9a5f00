"""The side index of the section records: BM25 (bm25s) over character bigrams, the metadata columns the
filters need, and the records' unit vectors, for every section of the store.

Local Chroma has no sparse index, and its filtered dense queries cost 40–70 ms at 50,000 records (an
unfiltered one 4 ms); so the store keeps, beside Chroma, one in-memory index per corpus version: record ids,
BM25 over their texts, columns (section type, genre, unit type, doc id, source) from which a filter becomes
a boolean mask in microseconds, and the embeddings Chroma holds, for an exact masked ranking (one matrix
product, a few milliseconds). It is saved under ``<chroma dir>/lexical/bm25-<version>`` and loads in about
a second; a new corpus version gets a fresh one. Character bigrams need no segmenter and match Chinese terms
of any length (a 4-character term is 3 overlapping bigrams).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

_KEEP = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?")
COLUMNS = ("section_type", "genre", "unit_type", "doc_id", "source")

# (ids, texts, metadatas, embeddings) of every section record of the store.
FetchAll = Callable[[], tuple[list[str], list[str], list[dict], np.ndarray | None]]


def tokenize(text: str) -> list[str]:
    """CJK runs → overlapping bigrams (a lone character stays a unigram); Latin words and numbers whole."""
    tokens: list[str] = []
    for run in _KEEP.findall(text):
        if "\u4e00" <= run[0] <= "\u9fff":
            if len(run) == 1:
                tokens.append(run)
            else:
                tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run.lower())
    return tokens


def corpus_version(ids: Sequence[str]) -> str:
    """A version key from the record ids (for stores written before versions were stamped)."""
    h = hashlib.sha1()
    for rid in sorted(ids):
        h.update(rid.encode())
        h.update(b"\n")
    return h.hexdigest()[:16]


class LexicalIndex:
    """BM25 and filter columns over a fixed list of records, with per-query masking for filters."""

    def __init__(self, ids: list[str], texts: list[str], metas: Sequence[dict] = (), version: str = "",
                 vectors: np.ndarray | None = None) -> None:
        import bm25s
        from bm25s.tokenization import Tokenized

        self.ids = list(ids)
        self.position = {rid: i for i, rid in enumerate(self.ids)}
        self.version = version or corpus_version(self.ids)
        self.columns = _columns(metas, len(self.ids))
        self.vectors = _unit_rows(vectors) if vectors is not None and len(vectors) == len(self.ids) else None
        self._retriever = bm25s.BM25()
        if self.ids:
            # Token ids built text by text: the bigram strings of one text at a time, never of the whole corpus
            # (53,000 sections hold 35 million bigrams).
            vocab: dict[str, int] = {}
            token_ids = [[vocab.setdefault(t, len(vocab)) for t in tokenize(text)] for text in texts]
            self._retriever.index(Tokenized(ids=token_ids, vocab=vocab), show_progress=False)

    @classmethod
    def load_or_build(cls, cache_dir: Path | None, version: str, fetch_all: FetchAll,
                      expected: int | None = None) -> LexicalIndex:
        """The saved index of this corpus version (when it holds ``expected`` records), or a new one built
        from ``fetch_all()`` and saved. A damaged or partial cache is rebuilt."""
        target = cache_dir / f"bm25-{version}" if cache_dir else None
        if target is not None and (target / "columns.json").exists():
            loaded = cls._load(target, version)
            if loaded is not None and (expected is None or len(loaded.ids) == expected):
                return loaded
        ids, texts, metas, vectors = fetch_all()
        self = cls(ids, texts, metas, version, vectors)
        if target is not None and self.ids:
            self._save(target)
            for old in cache_dir.glob("bm25-*"):
                if old != target and old.is_dir() and ".partial-" not in old.name:
                    shutil.rmtree(old, ignore_errors=True)
        return self

    @classmethod
    def _load(cls, target: Path, version: str) -> LexicalIndex | None:
        import bm25s

        try:
            self = cls.__new__(cls)
            self.ids = json.loads((target / "ids.json").read_text(encoding="utf-8"))
            self.position = {rid: i for i, rid in enumerate(self.ids)}
            self.version = version
            raw = json.loads((target / "columns.json").read_text(encoding="utf-8"))
            self.columns = {key: np.array(raw[key], dtype=object) for key in COLUMNS}
            if any(len(col) != len(self.ids) for col in self.columns.values()):
                return None
            vectors = target / "vectors.npy"
            self.vectors = np.load(vectors) if vectors.exists() else None
            if self.vectors is not None and len(self.vectors) != len(self.ids):
                return None
            self._retriever = bm25s.BM25.load(str(target))
            return self
        except Exception:  # a damaged cache is rebuilt by the caller
            return None

    def _save(self, target: Path) -> None:
        """Write to a directory of this writer's own, then rename it into place: another process (or thread)
        saving the same version at the same time loses the race harmlessly, and a reader never sees half."""
        partial = target.with_name(f"{target.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        partial.mkdir(parents=True)
        self._retriever.save(str(partial))
        (partial / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        if self.vectors is not None:
            np.save(partial / "vectors.npy", self.vectors)
        # Written last: its presence marks a complete cache.
        (partial / "columns.json").write_text(
            json.dumps({k: v.tolist() for k, v in self.columns.items()}, ensure_ascii=False), encoding="utf-8")
        try:
            partial.rename(target)
        except OSError:  # the same version was saved meanwhile: theirs is as good as ours
            shutil.rmtree(partial, ignore_errors=True)

    def mask(self, equals: dict[str, str | None], excluded: dict[str, Sequence[str]]) -> np.ndarray | None:
        """Bool per record: every ``equals`` column has its value and no ``excluded`` column holds one of the
        listed values. None when nothing filters."""
        mask: np.ndarray | None = None
        for key, value in equals.items():
            if value:
                hit = self.columns[key] == value
                mask = hit if mask is None else mask & hit
        for key, values in excluded.items():
            if values:
                hit = ~np.isin(self.columns[key], list(values))
                mask = hit if mask is None else mask & hit
        return mask

    def nearest(self, query_vector: Sequence[float], k: int, mask: np.ndarray | None = None) -> list[str]:
        """The k records most similar (cosine) to the query vector among those the mask allows; exact."""
        if self.vectors is None or not len(self.ids) or k <= 0:
            return []
        q = np.asarray(query_vector, dtype=np.float32)
        norm = float(np.linalg.norm(q))
        sims = self.vectors @ (q / norm if norm else q)
        if mask is not None:
            sims = np.where(mask, sims, -np.inf)
        k = min(k, int(mask.sum()) if mask is not None else len(sims))
        if k <= 0:
            return []
        best = np.argpartition(-sims, k - 1)[:k]
        best = best[np.argsort(-sims[best], kind="stable")]
        return [self.ids[i] for i in best]

    def scores(self, query: str) -> np.ndarray:
        vocab = getattr(self._retriever, "vocab_dict", None) or {}  # none on an empty index
        tokens = [t for t in tokenize(query) if t in vocab]
        if not self.ids or not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)

    def top(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """The k best (id, score) with a positive score; ``mask`` (bool per record) restricts the candidates."""
        scores = self.scores(query)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        if not len(scores):
            return []
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in best if scores[i] > 0]


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    rows = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def _columns(metas: Sequence[dict], n: int) -> dict[str, np.ndarray]:
    metas = list(metas) or [{}] * n
    return {key: np.array([str((m or {}).get(key, "")) for m in metas], dtype=object) for key in COLUMNS}
