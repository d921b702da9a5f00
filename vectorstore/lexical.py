"""Lexical ranking: BM25 (bm25s) over character bigrams of the stored records.

Local Chroma has no sparse index, so the BM25 index is built from the collection's own documents, kept in
memory and saved next to the store under a version key (the sorted record ids' hash): a changed corpus
gets a fresh index, an unchanged one loads in milliseconds. Character bigrams need no segmenter and match
Chinese terms of any length (a 4-character term is 3 overlapping bigrams).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_KEEP = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?")


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
    h = hashlib.sha1()
    for rid in sorted(ids):
        h.update(rid.encode())
        h.update(b"\n")
    return h.hexdigest()[:16]


class LexicalIndex:
    """A BM25 index over a fixed list of records (ids, texts), with per-query masking for filters."""

    def __init__(self, ids: list[str], texts: list[str]) -> None:
        import bm25s

        self.ids = list(ids)
        self.position = {rid: i for i, rid in enumerate(self.ids)}
        self.version = corpus_version(self.ids)
        self._retriever = bm25s.BM25()
        if self.ids:
            self._retriever.index([tokenize(t) for t in texts], show_progress=False)

    @classmethod
    def load_or_build(cls, cache_dir: Path | None, ids: list[str], fetch_texts) -> LexicalIndex:
        """Load the saved index for exactly these ids, or build it (``fetch_texts(ids)``) and save it."""
        import bm25s

        version = corpus_version(ids)
        target = cache_dir / f"bm25-{version}" if cache_dir else None
        if target is not None and (target / "ids.json").exists():
            try:
                self = cls.__new__(cls)
                self.ids = json.loads((target / "ids.json").read_text(encoding="utf-8"))
                self.position = {rid: i for i, rid in enumerate(self.ids)}
                self.version = version
                self._retriever = bm25s.BM25.load(str(target))
                return self
            except Exception:  # a damaged cache is rebuilt below
                pass
        self = cls(ids, fetch_texts(ids))
        if target is not None and self.ids:
            target.mkdir(parents=True, exist_ok=True)
            self._retriever.save(str(target))
            (target / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
            for old in cache_dir.glob("bm25-*"):
                if old != target and old.is_dir():
                    import shutil

                    shutil.rmtree(old, ignore_errors=True)
        return self

    def scores(self, query: str) -> np.ndarray:
        tokens = [t for t in tokenize(query) if t in self._vocab()]
        if not self.ids or not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)

    def _vocab(self) -> dict:
        vocab = self._retriever.vocab_dict
        return vocab if vocab is not None else {}

    def top(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """The k best (id, score) with a positive score; ``mask`` (bool per record) restricts the candidates."""
        scores = self.scores(query)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        if not len(scores):
            return []
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best])]
        return [(self.ids[i], float(scores[i])) for i in best if scores[i] > 0]
