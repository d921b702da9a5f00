"""Retrieval-quality benchmark: P@5 of same-type sections, per embedder and retrieval mode, side by side.

Every typed top-level section (基本情况, 主要做法, 取得成效, 经验体会, 存在问题, 下一步打算) of the demo corpus
(and of ``../shared/corpus`` when present) becomes a query: its text with the heading removed, first 300
characters. P@5 is the share of the top 5 section hits — the query's own document excluded — whose section type
is the query's. Compared in one process on the same records:

- modes: plain Chroma dense similarity (``dense``), BM25 only (``lexical``), the product's RRF fusion
  (``hybrid``);
- embedders, one temp store each: the default character n-gram hashing embedder, variants of it, and a jieba
  word-hashing embedder defined here;
- for the default embedder: the heading added to the query, and other fusion weightings (recomputed from the
  dense and lexical rankings, the product's own fusion reproduced as a check).

Figures are printed (macro over section types, micro over queries, per type); nothing is asserted.

    .venv/bin/python bench/bench_retrieval.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chromadb.utils.embedding_functions import register_embedding_function  # noqa: E402

from drafter.settings import Settings  # noqa: E402
from vectorstore.classify import section_type_scores  # noqa: E402
from vectorstore.cli import demo_corpus_files  # noqa: E402
from vectorstore.embedding import NgramEmbeddingFunction  # noqa: E402
from vectorstore.search import AUTO_NEIGHBOURS, RRF_K  # noqa: E402
from vectorstore.store import CorpusStore  # noqa: E402

SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
TYPED = ("基本情况", "主要做法", "取得成效", "经验体会", "存在问题", "下一步打算")
MODES = ("dense", "lexical", "hybrid")
K = 5
QUERY_CHARS = 300
TARGET_P5 = 0.8


@register_embedding_function
class JiebaHashingEmbeddingFunction(NgramEmbeddingFunction):
    """jieba words (stop characters and punctuation dropped) with sublinear counts, feature-hashed (signed)
    into a dense vector; optionally character bigrams too. A bench-only alternative to the n-gram embedder."""

    def __init__(self, dim: int = 512, bigram_weight: float = 0.0) -> None:
        super().__init__(dim=dim)
        self.bigram_weight = float(bigram_weight)

    def embed_one(self, text: str) -> np.ndarray:
        import jieba

        words = [w for w in jieba.lcut("".join(text.split())) if _is_word(w)]
        feats: Counter[str] = Counter(words)
        vec = np.zeros(self.dim, dtype=np.float64)
        for feat, count in feats.items():
            self._add(vec, "w" + feat, 1.0 + np.log(count))
        if self.bigram_weight:
            chars = "".join(words)
            for gram, count in Counter(chars[i : i + 2] for i in range(len(chars) - 1)).items():
                self._add(vec, "b" + gram, self.bigram_weight * (1.0 + np.log(count)))
        norm = np.linalg.norm(vec)
        return (vec / norm if norm else vec).astype(np.float32)

    def _add(self, vec: np.ndarray, feat: str, value: float) -> None:
        h = zlib.crc32(feat.encode("utf-8"))
        vec[h % self.dim] += value if (h >> 20) & 1 else -value

    @staticmethod
    def name() -> str:
        return "bench-jieba-hash"

    def get_config(self) -> dict:
        return {"dim": self.dim, "bigram_weight": self.bigram_weight}

    @staticmethod
    def build_from_config(config: dict) -> JiebaHashingEmbeddingFunction:
        return JiebaHashingEmbeddingFunction(config.get("dim", 512), config.get("bigram_weight", 0.0))


_STOP = set("的了和是在与及对为以把将从等并也要有这其之于各中上下个们而或被所")


def _is_word(w: str) -> bool:
    if not any("\u4e00" <= ch <= "\u9fff" or ch.isalnum() for ch in w):
        return False
    return not (len(w) == 1 and w in _STOP)


EMBEDDERS: dict[str, Callable[[], object]] = {
    "ngram d512 o123 (default)": lambda: NgramEmbeddingFunction(),
    "ngram d1024 o123": lambda: NgramEmbeddingFunction(dim=1024),
    "ngram d2048 o123": lambda: NgramEmbeddingFunction(dim=2048),
    "ngram d512 o23": lambda: NgramEmbeddingFunction(orders=(2, 3), weights=(1.0, 0.6)),
    "ngram d512 o2": lambda: NgramEmbeddingFunction(orders=(2,), weights=(1.0,)),
    "jieba words d512": lambda: JiebaHashingEmbeddingFunction(512),
    "jieba words+bigrams d1024": lambda: JiebaHashingEmbeddingFunction(1024, bigram_weight=0.5),
}
DEFAULT = "ngram d512 o123 (default)"


@dataclass
class Query:
    rid: str
    doc_id: str
    section_type: str
    heading: str
    body: str
    shared: bool  # from the real corpus (else the demo corpus)


def corpus_files(shared: Path | None) -> list[Path]:
    files = list(demo_corpus_files())
    if shared and shared.is_dir():
        files += sorted(shared.glob("*.txt"))
    return files


def build_store(root: Path, name: str, ef, files: list[Path]) -> tuple[CorpusStore, float]:
    settings = Settings(home=root / name.split()[0] / str(abs(hash(name))))
    store = CorpusStore(settings, embedding_function=ef)
    t = time.perf_counter()
    report = store.ingest(files)
    if report.skipped:
        print(f"  [{name}] skipped: {report.skipped}")
    return store, time.perf_counter() - t


def queries_from(store: CorpusStore, shared: Path | None) -> list[Query]:
    out = []
    for rid, text, meta in store.section_records():
        if meta.get("section_type") not in TYPED:
            continue
        heading = meta.get("heading", "")
        lines = text.split("\n")
        body = "\n".join(lines[1:] if lines and lines[0].strip() == heading.strip() else lines).strip()
        src = Path(meta.get("source", ""))
        out.append(Query(rid, meta["doc_id"], meta["section_type"], heading, body,
                         bool(shared) and src.is_relative_to(shared.resolve())))
    return sorted(out, key=lambda q: q.rid)


def p_at_k(types: list[str], wanted: str) -> float:
    return sum(t == wanted for t in types[:K]) / K


def summarise(scores: list[tuple[Query, float]]) -> dict[str, float]:
    by_type: dict[str, list[float]] = defaultdict(list)
    for q, s in scores:
        by_type[q.section_type].append(s)
    out = {t: statistics.fmean(v) for t, v in by_type.items()}
    out["macro"] = statistics.fmean(out[t] for t in TYPED if t in by_type)
    out["micro"] = statistics.fmean(s for _, s in scores)
    demo = [s for q, s in scores if not q.shared]
    real = [s for q, s in scores if q.shared]
    out["demo"] = statistics.fmean(demo) if demo else float("nan")
    out["shared"] = statistics.fmean(real) if real else float("nan")
    return out


def run_mode(store: CorpusStore, queries: list[Query], mode: str, with_heading: bool = False) -> dict[str, float]:
    scores = []
    for q in queries:
        text = (f"{q.heading}\n{q.body}" if with_heading else q.body)[: QUERY_CHARS + (len(q.heading) + 1) * with_heading]
        hits = store.search(text, k=K, kind="section", exclude_doc_ids=[q.doc_id], mode=mode)
        scores.append((q, p_at_k([h.section_type for h in hits], q.section_type)))
    return summarise(scores)


def rankings(store: CorpusStore, queries: list[Query], depth: int = 30,
             with_heading: bool = False) -> list[tuple[Query, list, list]]:
    """Per query: the dense and the lexical top ``depth`` as (id, section_type) — what hybrid fuses."""
    out = []
    for q in queries:
        text = f"{q.heading}\n{q.body[:QUERY_CHARS]}" if with_heading else q.body[:QUERY_CHARS]
        dense = store.search(text, k=depth, kind="section", exclude_doc_ids=[q.doc_id], mode="dense", fetch_k=depth)
        lex = store.search(text, k=depth, kind="section", exclude_doc_ids=[q.doc_id], mode="lexical", fetch_k=depth)
        out.append((q, [(h.id, h.section_type) for h in dense], [(h.id, h.section_type) for h in lex]))
    return out


def fuse(dense: list, lex: list, w_dense: float, w_lex: float, rrf_k: int, vote: int = 0) -> list[str]:
    """Section types of the fused top K, ties broken by id as the store does. ``vote`` > 0: the fused top
    ``vote`` elect a section type (by fused score) and the top K are taken from that type only — what a
    second query with ``section_type=`` the elected type returns."""
    score: dict[str, float] = defaultdict(float)
    types = {}
    for weight, ranked in ((w_dense, dense), (w_lex, lex)):
        for r, (rid, st) in enumerate(ranked, 1):
            score[rid] += weight / (rrf_k + r)
            types[rid] = st
    ordered = sorted(score, key=lambda rid: (-score[rid], rid))
    if vote:
        ballot: dict[str, float] = defaultdict(float)
        for rid in ordered[:vote]:
            ballot[types[rid]] += score[rid]
        if ballot:  # nothing ranked (an empty query or store): no election, nothing to return
            elected = max(ballot, key=lambda t: (ballot[t], t))
            ordered = [rid for rid in ordered if types[rid] == elected]
    return [types[rid] for rid in ordered[:K]]


def _best(scores: dict[str, float]) -> str | None:
    return max(scores, key=lambda t: (scores[t], t)) if scores else None


def _vote(store: CorpusStore, text: str, q: Query) -> str | None:
    votes: dict[str, float] = defaultdict(float)
    for hit in store.search(text, k=AUTO_NEIGHBOURS, exclude_doc_ids=[q.doc_id]):
        votes[hit.section_type] += hit.score
    return _best({t: v for t, v in votes.items() if t in TYPED})


def baselines(store: CorpusStore, queries: list[Query]) -> list[tuple[str, dict[str, float]]]:
    """Chance (a random pick among the candidate sections) and ceiling (min(5, same-type candidates) / 5)."""
    got = store.collection.get(include=["metadatas"])
    by_doc = Counter((m["doc_id"], m.get("section_type", "")) for m in got["metadatas"])
    total_type = Counter(m.get("section_type", "") for m in got["metadatas"])
    total_doc = Counter(m["doc_id"] for m in got["metadatas"])
    n = len(got["ids"])
    chance, ceiling = [], []
    for q in queries:
        same = total_type[q.section_type] - by_doc[(q.doc_id, q.section_type)]
        pool = n - total_doc[q.doc_id]
        chance.append((q, same / pool))
        ceiling.append((q, min(K, same) / K))
    return [("chance (random section of another document)", summarise(chance)),
            ("ceiling (same-type sections available)", summarise(ceiling))]


def fmt(v: float) -> str:
    return "  -  " if v != v else f"{v:.3f}"


def print_table(title: str, rows: list[tuple[str, dict[str, float]]], types: bool = False) -> None:
    print(f"\n{title}")
    cols = ["macro", "micro", "demo", "shared"] + (list(TYPED) if types else [])
    head = "".join(f"{c:>8}" if c.isascii() else f"{c:>6}" for c in cols)
    width = max(len(r[0]) for r in rows) + 2
    print(f"{'':{width}}{head}")
    for name, s in rows:
        print(f"{name:{width}}" + "".join(f"{fmt(s.get(c, float('nan'))):>8}" for c in cols))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=SHARED_CORPUS, help="real corpus folder (used when present)")
    ap.add_argument("--no-shared", action="store_true", help="demo corpus only")
    ap.add_argument("--embedders", nargs="*", choices=list(EMBEDDERS), default=list(EMBEDDERS))
    args = ap.parse_args(argv)
    shared = None if args.no_shared or not args.shared.is_dir() else args.shared
    files = corpus_files(shared)
    names = [DEFAULT, *(n for n in args.embedders if n != DEFAULT)]
    started = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="drafter-bench-retrieval-") as tmp:
        stores = {}
        for name in names:
            stores[name], secs = build_store(Path(tmp), name, EMBEDDERS[name](), files)
            print(f"store [{name}]: {stores[name].count()} records, ingest {secs:.1f} s")
        base = stores[DEFAULT]
        queries = queries_from(base, shared)
        docs = len({q.doc_id for q in queries})
        counts = Counter(q.section_type for q in queries)
        print(f"\ncorpus: {len(files)} files ({'demo + shared' if shared else 'demo only'}); "
              f"{len(queries)} query sections from {docs} documents "
              f"({sum(not q.shared for q in queries)} demo, {sum(q.shared for q in queries)} shared)")
        print("queries per type: " + ", ".join(f"{t} {counts.get(t, 0)}" for t in TYPED))
        print(f"P@{K}: share of the top {K} section hits (own document excluded) of the query's type; "
              f"query = section body without heading, first {QUERY_CHARS} chars; macro = mean over types")

        results: dict[tuple[str, str], dict[str, float]] = {}
        for name in names:
            for mode in MODES:
                if mode == "lexical" and name != DEFAULT:
                    continue  # BM25 does not depend on the embedder
                results[(name, mode)] = run_mode(stores[name], queries, mode)

        rows = baselines(base, queries) + [(f"{name} · {mode}", results[(name, mode)]) for name in names
                                           for mode in MODES if (name, mode) in results]
        print_table("== P@5 by embedder × mode (lexical = BM25 over character bigrams, same for every embedder)",
                    rows)
        print_table("== P@5 per section type", rows, types=True)

        print("\n== hybrid vs plain dense (same embedder)")
        for name in names:
            d, h = results[(name, "dense")], results[(name, "hybrid")]
            print(f"{name:30} macro {d['macro']:.3f} → {h['macro']:.3f} ({h['macro'] - d['macro']:+.3f}), "
                  f"micro {d['micro']:.3f} → {h['micro']:.3f} ({h['micro'] - d['micro']:+.3f}); "
                  f"target P@5 ≥ {TARGET_P5}: hybrid macro at {h['macro'] / TARGET_P5:.2f}× target")

        heading_rows = [(f"{DEFAULT} · {mode} · heading + body", run_mode(base, queries, mode, with_heading=True))
                        for mode in MODES]
        print_table("== query with the heading line added (default embedder)",
                    [(f"{DEFAULT} · {mode} · body only", results[(DEFAULT, mode)]) for mode in MODES] + heading_rows,
                    types=True)

        # Fusion variants, recomputed from the dense and lexical top 30 (what the store fuses at k=5).
        fusion_rows = []
        for name in names:
            ranked = rankings(stores[name], queries)
            variants = [(1.0, 1.0, RRF_K)] if name != DEFAULT else [
                (1.0, 1.0, RRF_K), (1.0, 1.0, 10), (1.0, 1.0, 120), (2.0, 1.0, RRF_K), (1.0, 2.0, RRF_K),
                (3.0, 1.0, RRF_K), (1.0, 3.0, RRF_K), (1.0, 0.5, 10), (1.0, 2.0, 10),
            ]
            for wd, wl, kk in variants:
                scores = [(q, p_at_k(fuse(dense, lex, wd, wl, kk), q.section_type)) for q, dense, lex in ranked]
                fusion_rows.append((f"{name} · RRF dense×{wd:g} lex×{wl:g} k={kk}", summarise(scores)))
        print_table("== fusion variants (recomputed offline; dense×1 lex×1 k=60 is the product's hybrid — it "
                    "should equal the hybrid rows above)", fusion_rows, types=True)

        # Type vote: the fused top N elect a section type, then the top 5 of that type (a second, filtered
        # query in the product). Body-only queries and heading + body queries, every embedder.
        vote_rows = []
        for with_heading in (False, True):
            for name in names:
                ranked = rankings(stores[name], queries, with_heading=with_heading)
                for vote in (5, 10):
                    scores = [(q, p_at_k(fuse(d, lx, 1.0, 1.0, RRF_K, vote=vote), q.section_type))
                              for q, d, lx in ranked]
                    label = "heading + body" if with_heading else "body only"
                    vote_rows.append((f"{name} · hybrid + type vote top{vote} · {label}", summarise(scores)))
        print_table("== type vote: hybrid top N elect a section type, the top 5 are taken from that type",
                    vote_rows, types=True)

        # The product's own type inference (store.search(section_type="auto")): the query's nearest sections
        # vote, plus the cue words of the query text; each half measured alone as well.
        auto_rows = []
        for label, infer in (("cue words only", lambda s, text, q: _best(section_type_scores(text))),
                             ("neighbour vote only", lambda s, text, q: _vote(s, text, q)),
                             ("cues + vote (product)", lambda s, text, q: s.infer_section_type(
                                 text, exclude_doc_ids=[q.doc_id]))):
            for name in names:
                scores, right = [], 0
                for q in queries:
                    text = q.body[:QUERY_CHARS]
                    guess = infer(stores[name], text, q)
                    right += guess == q.section_type
                    hits = stores[name].search(text, k=K, section_type=guess, exclude_doc_ids=[q.doc_id])
                    scores.append((q, p_at_k([h.section_type for h in hits], q.section_type)))
                row = summarise(scores)
                auto_rows.append((f"{name} · hybrid + inferred type · {label}", row))
                print(f"  [{name} · {label}] type inferred right for {right}/{len(queries)} queries")
        print_table("== inferred section type (search(section_type='auto')): body-only queries", auto_rows,
                    types=True)
        product = next(r for label, r in auto_rows if label.startswith(DEFAULT) and "product" in label)
        print(f"product retriever (hybrid + inferred type): macro P@5 {product['macro']:.3f}, micro "
              f"{product['micro']:.3f} vs plain Chroma dense {results[(DEFAULT, 'dense')]['macro']:.3f} / "
              f"{results[(DEFAULT, 'dense')]['micro']:.3f}; target ≥ {TARGET_P5}: "
              f"{product['macro'] / TARGET_P5:.2f}× target")

        best = max(results.items(), key=lambda kv: kv[1]["macro"])
        best_fusion = max(fusion_rows, key=lambda r: r[1]["macro"])
        print(f"\nbest embedder × mode by macro P@5: {best[0][0]} · {best[0][1]} = {best[1]['macro']:.3f} "
              f"(micro {best[1]['micro']:.3f})")
        print(f"best fusion variant by macro P@5: {best_fusion[0]} = {best_fusion[1]['macro']:.3f} "
              f"(micro {best_fusion[1]['micro']:.3f})")
        print(f"default (hybrid): macro {results[(DEFAULT, 'hybrid')]['macro']:.3f}, "
              f"micro {results[(DEFAULT, 'hybrid')]['micro']:.3f}; total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
