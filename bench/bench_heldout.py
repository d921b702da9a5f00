"""Retrieval on the held-out set (bench/heldout): passages about the same kind of work, scored on data the
retriever was never tuned on.

For each split (dev, then test) a fresh Chroma store on a temp dir holds only that split's documents. Queries:
the split's ``queries.json`` entries (outline pieces as a clerk's facts produce them) and the bodies of its
labelled sub-section/paragraph passages (first 200 characters; their own document excluded). A hit is
relevant when its passage has the query's section type and kind of work (``labels.json``). Compared on the same
store and queries:

- ``product``: ``CorpusStore.search`` as the drafting engine calls it (hybrid, filtered by the piece's section type);
- ``dense``: plain Chroma dense similarity, no filter; ``bm25``: BM25 alone, no filter;
- section-type P@5 of ``section_type="auto"`` (passage bodies as queries) vs plain dense.

Prints P@3 and nDCG@5 of kind-of-work relevance and section-type P@5 per split; the last line is the test split:
``held-out: work P@3=… nDCG@5=… type P@5=… (dense …, bm25 …)``. Nothing in the product was tuned on the test
split (the dev split is for looking at; say so where figures are quoted).

    .venv/bin/python bench/bench_heldout.py                 # both splits; the last line is the test split
    .venv/bin/python bench/bench_heldout.py --split dev     # dev only: for choosing (test is not run)
    .venv/bin/python bench/bench_heldout.py --split dev -v  # and each dev query the product's top 3 misses
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.settings import Settings  # noqa: E402
from vectorstore.records import Hit  # noqa: E402
from vectorstore.store import CorpusStore  # noqa: E402

HELDOUT = ROOT / "bench" / "heldout"
# Dev documents written after the work lexicon (classify.py WORK_KINDS) was fitted to h01–h30: their wording was
# never looked at when cue words were chosen (h31–h34 were looked at once, for search.py's query vote; h35–h40 not).
# Their queries (passage bodies, and queries.json entries of their unit types) are reported apart as "fresh".
FRESH_DOCS = tuple(f"h{n}" for n in range(31, 41))
_MARKER = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|\d+[.、．])\s*")


@dataclass
class Query:
    text: str
    section_type: str
    work: str
    doc: str | None  # the passage's own document (excluded), None for queries.json entries
    fresh: bool = False  # of a document written after the lexicon (FRESH_DOCS)


def _bare(heading: str) -> str:
    return _MARKER.sub("", heading or "").strip()


def hit_label(hit: Hit, passages_by_doc: dict[str, list[dict]]) -> tuple[str, str] | None:
    """(section type, work) of the labelled passage a hit is: same heading, else the first passage start in it."""
    passages = passages_by_doc.get(Path(hit.source).name, [])
    # a hit's heading is a path ("主要做法 > 强化组织领导，确保活动有序推进"): its own heading is the last part
    # (compared as a whole path, a sub-section was taken for its container section, whose text it starts)
    heading = _bare(hit.heading.split(" > ")[-1])
    for p in passages:
        if heading and _bare(p["heading"]) == heading:
            return p["section_type"], p["work"]
    # a paragraph passage starts where its section's body does: a paragraph hit ("取得成效 > 第1段") is the
    # paragraph, a section hit the section
    paragraph_hit = bool(re.search(r"第\d+段$", hit.heading or ""))
    found = [(hit.text.find(p["start"]), (p["kind"] == "paragraph") != paragraph_hit, p)
             for p in passages if p["start"] and p["start"] in hit.text]
    if found:
        p = min(found, key=lambda x: x[:2])[2]
        return p["section_type"], p["work"]
    return None


def ndcg(rels: list[int], ideal_count: int, k: int = 5) -> float:
    dcg = sum(r / math.log2(i + 2) for i, r in enumerate(rels[:k]))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, ideal_count)))
    return dcg / ideal if ideal else 0.0


def evaluate(split: str, embedding_function=None, misses: list[str] | None = None) -> dict[str, float]:
    """Figures of one split; ``embedding_function``: the store's embedder (None: the one the settings name);
    ``misses``: when given, gets a line per query whose product top 3 holds an irrelevant hit."""
    labels = json.loads((HELDOUT / "labels.json").read_text(encoding="utf-8"))
    docs = [d["file"] for d in labels["documents"] if d["split"] == split]
    passages = [p for p in labels["passages"] if p["doc"] in docs]
    by_doc: dict[str, list[dict]] = {}
    for p in passages:
        by_doc.setdefault(p["doc"], []).append(p)
    fresh_units = {d["unit_type"] for d in labels["documents"] if d["file"].startswith(FRESH_DOCS)}
    queries = [Query(q["query"], q["section_type"], q["work"], None, q["unit_type"] in fresh_units)
               for q in json.loads((HELDOUT / "queries.json").read_text(encoding="utf-8")) if q["split"] == split]
    store_texts = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = CorpusStore(Settings(home=Path(tmp), chroma_path=Path(tmp) / "chroma"),
                            embedding_function=embedding_function)
        store.ingest([HELDOUT / d for d in docs])
        for hit_id in store.collection.get(include=["documents"])["ids"]:
            store_texts[hit_id] = True
        doc_ids = {}
        for p in passages:
            if p["kind"] != "section" and p["work"] != "综合":
                body = _passage_body(store, p)
                if body:
                    queries.append(Query(body[:200], p["section_type"], p["work"], p["doc"],
                                         p["doc"].startswith(FRESH_DOCS)))
        for h in store.search("党建", k=200, mode="lexical"):
            doc_ids[Path(h.source).name] = h.doc_id
        scores: dict[str, list[float]] = {f"{m}_{x}": [] for m in ("product", "dense", "bm25") for x in ("p3", "n5")}
        type_auto, type_dense, fresh = [], [], []
        for q in queries:
            exclude = [doc_ids[q.doc]] if q.doc in doc_ids else []
            relevant_total = sum(1 for p in passages if p["section_type"] == q.section_type and p["work"] == q.work
                                 and p["doc"] != q.doc)
            runs = {
                "product": store.search(q.text, k=5, section_type=q.section_type, exclude_doc_ids=exclude),
                "dense": store.search(q.text, k=5, mode="dense", exclude_doc_ids=exclude),
                "bm25": store.search(q.text, k=5, mode="lexical", exclude_doc_ids=exclude),
            }
            for name, hits in runs.items():
                rels = [int(hit_label(h, by_doc) == (q.section_type, q.work)) for h in hits]
                scores[f"{name}_p3"].append(sum(rels[:3]) / 3)
                if name == "product" and q.fresh:
                    fresh.append(sum(rels[:3]) / 3)
                scores[f"{name}_n5"].append(ndcg(rels, relevant_total))
                if name == "product" and misses is not None and sum(rels[:3]) < min(3, relevant_total):
                    got = " | ".join(f"{'+' if r else '-'}{'/'.join(hit_label(h, by_doc) or ('?', '?'))} "
                                     f"{h.heading.split(' > ')[-1][:24]}" for h, r in zip(hits[:3], rels, strict=False))
                    misses.append(f"[{q.section_type}/{q.work}] {q.text[:60]!r}\n    {got}")
            if q.doc is not None:
                auto = store.search(q.text, k=5, section_type="auto", exclude_doc_ids=exclude)
                type_auto.append(sum(h.section_type == q.section_type for h in auto) / 5)
                type_dense.append(sum(h.section_type == q.section_type for h in runs["dense"]) / 5)
    out = {key: sum(v) / len(v) for key, v in scores.items() if v}
    out["type_auto_p5"] = sum(type_auto) / len(type_auto)
    out["type_dense_p5"] = sum(type_dense) / len(type_dense)
    out["fresh_p3"] = sum(fresh) / len(fresh) if fresh else float("nan")
    out["fresh_queries"] = len(fresh)
    out["queries"] = len(queries)
    out["docs"] = len(docs)
    return out


def _passage_body(store: CorpusStore, passage: dict) -> str:
    hits = store.search(passage["start"], k=3, mode="lexical")
    for h in hits:
        if Path(h.source).name == passage["doc"] and passage["start"] in h.text:
            i = h.text.find(passage["start"])
            return h.text[i:]
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both",
                        help="dev: the split choices are made on (test is not run); default both")
    parser.add_argument("-v", "--verbose", action="store_true", help="list each dev query the product misses")
    args = parser.parse_args(argv)
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    results = {}
    for split in splits:
        misses: list[str] | None = [] if args.verbose and split == "dev" else None
        r = results[split] = evaluate(split, misses=misses)
        for line in misses or ():
            print(line)
        note = "（看过，可调）" if split == "dev" else "（未调参：产品的规则和权重从未在 test 上调整）"
        print(f"{split}{note}: {r['docs']} docs, {r['queries']} queries")
        for name in ("product", "dense", "bm25"):
            print(f"  {name:8} work P@3 {r[name + '_p3']:.3f}  nDCG@5 {r[name + '_n5']:.3f}")
        print(f"  section type P@5: auto {r['type_auto_p5']:.3f}  dense {r['type_dense_p5']:.3f}")
        if r["fresh_queries"]:
            print(f"  product work P@3 on the {r['fresh_queries']} queries of documents written after the lexicon "
                  f"({FRESH_DOCS[0]}–{FRESH_DOCS[-1]}): {r['fresh_p3']:.3f}")
    if "test" not in results:
        d = results["dev"]
        print(f"dev only: work P@3={d['product_p3']:.3f} nDCG@5={d['product_n5']:.3f} type P@5={d['type_auto_p5']:.3f} "
              f"(dense {d['dense_p3']:.3f}/{d['dense_n5']:.3f}/{d['type_dense_p5']:.3f}, "
              f"bm25 {d['bm25_p3']:.3f}/{d['bm25_n5']:.3f})")
        return 0
    t = results["test"]
    print(f"held-out: work P@3={t['product_p3']:.3f} nDCG@5={t['product_n5']:.3f} type P@5={t['type_auto_p5']:.3f} "
          f"(dense {t['dense_p3']:.3f}/{t['dense_n5']:.3f}/{t['type_dense_p5']:.3f}, "
          f"bm25 {t['bm25_p3']:.3f}/{t['bm25_n5']:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
