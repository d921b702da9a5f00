"""Embedders compared on the held-out retrieval figures (bench/heldout, test split) and on their cost.

Embedders, each measured in its own child process (so peak memory is its own):

- ``ngram``: the default — hashed character 1/2/3-grams (vectorstore/embedding.py), no model;
- ``qwen-0.5b``: the embedded GGUF model's own hidden states, mean-pooled (``LlamaEmbeddingFunction``, llama-cpp-python
  in process, n_ctx 512, ``--threads`` threads, default 1) — offline, nothing downloaded;
- ``qwen-1.5b``: the same with the 质量优先 model (drafter/llm/model_file.py QUALITY), when its file is assembled.

Quality, from ``bench_heldout.evaluate`` on the same store and queries: kind-of-work P@3 and nDCG@5 of the product
retriever (hybrid with BM25, filtered by the piece's section type) and of plain dense similarity, and section-type
P@5 of ``section_type="auto"``. Nothing was tuned on the test split (no embedder setting was chosen by looking at
it before this comparison; the choice below is the only use of these figures).

Cost: ingest of the split's documents (wall time, and the share spent embedding); the rate extrapolated to 10,000
documents as ``1 / (embed s/doc + rest s/doc)`` — embedding cost is per record, so linear in documents; the rest
(loading, splitting, Chroma, n-gram bookkeeping) is the n-gram run's non-embedding time per document; query
embedding latency (median, first embedding of each distinct query); peak RSS of the child process. The target for a
default: ≥ 50 docs/s at 10,000 documents (bench_corpus.py measures the n-gram's real 10,000-document figure).
Wall-clock figures move with other jobs on the machine; CPU seconds are printed beside them.

    .venv/bin/python bench/bench_embedders.py [--embedders ngram qwen-0.5b qwen-1.5b] [--split test]

The neural embedders take minutes (about 15 for the 0.5B model on a busy 2-core machine, three times that for 1.5B).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_DOCS_PER_S = 50.0
EMBEDDERS = ("ngram", "qwen-0.5b", "qwen-1.5b")
DEFAULT = "ngram"


def _timed(base: type):
    """A subclass of the embedder ``base`` that times its calls: batches (ingest) apart from single texts
    (queries), and answers a repeated query from a cache (the bench embeds each query for several modes)."""

    class Timed(base):
        ingest_s = 0.0
        ingest_cpu_s = 0.0
        query_ms: ClassVar[list[float]] = []
        _cache: ClassVar[dict[str, object]] = {}

        def __call__(self, input):
            if len(input) == 1 and input[0] in self._cache:
                return [self._cache[input[0]]]
            t, c = time.perf_counter(), time.process_time()
            out = super().__call__(input)
            dt, dc = time.perf_counter() - t, time.process_time() - c
            if len(input) == 1:
                self._cache[input[0]] = out[0]
                self.query_ms.append(dt * 1000)
                if len(self.query_ms) % 20 == 0:
                    print(f"  {len(self.query_ms)} queries embedded", file=sys.stderr, flush=True)
            else:
                print(f"  {len(input)} records embedded in {dt:.0f} s", file=sys.stderr, flush=True)
                type(self).ingest_s += dt
                type(self).ingest_cpu_s += dc
            return out

    return Timed


def _make(name: str, threads: int):
    from drafter.settings import Settings
    from vectorstore.embedding import LlamaEmbeddingFunction, NgramEmbeddingFunction

    if name == "ngram":
        return _timed(NgramEmbeddingFunction)(), None
    from drafter.llm.model_file import ensure_model_file

    path = ensure_model_file(Settings(local_model="speed" if name == "qwen-0.5b" else "quality"))
    return _timed(LlamaEmbeddingFunction)(str(path), n_ctx=512, n_threads=threads), path


def scale_sample(ef, docs: int) -> dict:
    """Ingest ``docs`` replicated demo-corpus documents (bench_corpus.replicate) with the n-gram embedder: the
    per-document cost of everything but embedding, at a size where fixed start-up costs no longer dominate."""
    import tempfile

    import bench_corpus

    from drafter.settings import Settings
    from vectorstore.store import CorpusStore

    type(ef).ingest_s = type(ef).ingest_cpu_s = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        bench_corpus.replicate(bench_corpus.load_templates(None), docs, Path(tmp) / "corpus")
        store = CorpusStore(Settings(home=Path(tmp) / "home"), embedding_function=ef)
        t, c = time.perf_counter(), time.process_time()
        report = store.ingest([Path(tmp) / "corpus"])
        wall, cpu = time.perf_counter() - t, time.process_time() - c
    return {"scale_docs": report.documents, "scale_wall_s": wall, "scale_embed_s": type(ef).ingest_s,
            "scale_cpu_s": cpu, "scale_embed_cpu_s": type(ef).ingest_cpu_s}


def measure(name: str, split: str, scale_docs: int = 0, threads: int = 1) -> dict:
    """One embedder's figures (runs in a child process)."""
    import bench_heldout

    ef, path = _make(name, threads)
    if path is not None:  # load the model before timing anything: its load is a one-off per process
        t = time.perf_counter()
        ef._model()
        load_s = time.perf_counter() - t
    else:
        load_s = 0.0
    started = time.perf_counter()
    cpu = time.process_time()
    ingest = {}
    orig_ingest = bench_heldout.CorpusStore.ingest

    def timed_ingest(self, *a, **kw):
        t, c = time.perf_counter(), time.process_time()
        report = orig_ingest(self, *a, **kw)
        ingest["wall_s"], ingest["cpu_s"] = time.perf_counter() - t, time.process_time() - c
        return report

    bench_heldout.CorpusStore.ingest = timed_ingest
    r = bench_heldout.evaluate(split, ef)
    r.update(
        name=name, split=split, threads=1 if path is None else threads, load_s=load_s, total_s=time.perf_counter() - started,
        total_cpu_s=time.process_time() - cpu, ingest_wall_s=ingest["wall_s"], ingest_cpu_s=ingest["cpu_s"],
        embed_ingest_s=type(ef).ingest_s, embed_ingest_cpu_s=type(ef).ingest_cpu_s,
        query_ms_median=statistics.median(type(ef).query_ms), queries_embedded=len(type(ef).query_ms),
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        model_mb=path.stat().st_size / 2**20 if path else 0.0,
    )
    if scale_docs:
        r.update(scale_sample(ef, scale_docs))
    return r


def _child(name: str, split: str, scale: int, threads: int) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, __file__, "--one", name, "--split", split, "--scale-docs", str(scale),
                           "--threads", str(threads)],
                          capture_output=True, text=True, env=env)
    if proc.returncode:
        raise SystemExit(f"{name}: child failed\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def extrapolate(results: dict[str, dict]) -> None:
    """docs/s at 10,000 documents: the embedder's per-document embedding cost on the held-out documents plus the
    non-embedding cost per document of the n-gram scale sample. Two figures: wall clock as measured (moves with
    the machine's other jobs) and an idle-machine estimate from CPU seconds (the embedding's CPU divided by the
    threads it runs on — perfect scaling, which flatters a multi-threaded run — plus the rest's CPU)."""
    base = results[DEFAULT]
    rest_wall = (base["scale_wall_s"] - base["scale_embed_s"]) / base["scale_docs"]
    rest_cpu = (base["scale_cpu_s"] - base["scale_embed_cpu_s"]) / base["scale_docs"]
    for r in results.values():
        docs = r["docs"]
        threads = r["threads"]
        r["embed_per_doc_s"] = r["embed_ingest_s"] / docs
        r["embed_cpu_per_doc_s"] = r["embed_ingest_cpu_s"] / docs
        r["rest_per_doc_s"], r["rest_cpu_per_doc_s"] = rest_wall, rest_cpu
        r["docs_per_s_10k_wall"] = 1 / (r["embed_per_doc_s"] + rest_wall)
        r["docs_per_s_10k"] = 1 / (r["embed_cpu_per_doc_s"] / threads + rest_cpu)
        r["hours_10k"] = 10_000 / r["docs_per_s_10k"] / 3600
        r["ceiling_docs_per_s"] = threads / r["embed_cpu_per_doc_s"]  # embedding alone, the rest of ingest free


def choose(results: dict[str, dict]) -> tuple[str, str]:
    """The default: best product work P@3 (nDCG@5 breaking ties) among embedders meeting the cost bar (idle
    estimate at 10,000 documents); the n-gram embedder when none does."""
    def key(n: str) -> tuple[float, float]:
        return results[n]["product_p3"], results[n]["product_n5"]

    ok = [n for n, r in results.items() if r["docs_per_s_10k"] >= TARGET_DOCS_PER_S]
    best = max(results, key=key)
    pick = max(ok, key=key) if ok else DEFAULT
    r = results[pick]
    reasons = []
    if pick == best:
        reasons.append("best product work P@3")
    else:
        b = results[best]
        reasons.append(f"{best} scores higher (work P@3 {b['product_p3']:.3f} vs {r['product_p3']:.3f}) but ingests "
                       f"{b['docs_per_s_10k']:.2f} docs/s at 10,000 docs, below {TARGET_DOCS_PER_S:.0f}")
    reasons.append(f"{pick} ingests {r['docs_per_s_10k']:.0f} docs/s at 10,000 docs (idle estimate)"
                   + ("" if pick in ok else f", itself below {TARGET_DOCS_PER_S:.0f}"))
    others = [n for n in results if n != pick]
    if others:
        reasons.append(", ".join(f"{n} {r['docs_per_s_10k'] / results[n]['docs_per_s_10k']:.0f}× slower to ingest "
                                 f"and {results[n]['query_ms_median'] / max(r['query_ms_median'], 1e-3):.0f}× "
                                 f"per query" for n in others))
    return pick, "; ".join(reasons)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embedders", nargs="*", choices=EMBEDDERS, default=["ngram", "qwen-0.5b"])
    ap.add_argument("--split", choices=("dev", "test"), default="test")
    ap.add_argument("--scale-docs", type=int, default=500,
                    help="documents of the n-gram ingest sample behind the 10,000-document extrapolation")
    ap.add_argument("--reuse", type=Path, help="folder of per-embedder results (<name>.json): read when there, "
                    "written after a run (so the long neural runs can be made one at a time)")
    ap.add_argument("--threads", type=int, default=1, help="llama.cpp threads of a neural embedder (1 is the most "
                    "work per CPU second when the machine has other jobs)")
    ap.add_argument("--one", choices=EMBEDDERS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.split, args.scale_docs if args.one == DEFAULT else 0, args.threads)))
        return 0
    names = [DEFAULT, *(n for n in args.embedders if n != DEFAULT)]
    results = {}
    for name in names:
        cached = args.reuse / f"{name}.json" if args.reuse else None
        if cached and cached.is_file() and cached.stat().st_size:
            results[name] = json.loads(cached.read_text(encoding="utf-8").strip().splitlines()[-1])
            continue
        print(f"… {name}", file=sys.stderr, flush=True)
        results[name] = _child(name, args.split, args.scale_docs, args.threads)
        if cached:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps(results[name]), encoding="utf-8")
    extrapolate(results)
    base = results[DEFAULT]
    note = "（未调参：产品从未在 test 上调整）" if args.split == "test" else "（dev：看过，可调）"
    print(f"held-out {args.split}{note}: {base['docs']} docs, {base['queries']} queries; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"{'embedder':10} {'product P@3':>11} {'nDCG@5':>6} {'dense P@3':>9} {'nDCG@5':>6} {'type P@5':>8} "
          f"{'dense':>5} | {'embed s/doc':>11} {'CPU s/doc':>9} {'10k docs/s':>10} {'(wall)':>7} {'10k h':>6} {'ceiling':>8} "
          f"{'query ms':>8} {'load s':>6} {'RSS MB':>6} {'model MB':>8}")
    for n, r in results.items():
        print(f"{n:10} {r['product_p3']:11.3f} {r['product_n5']:6.3f} {r['dense_p3']:9.3f} {r['dense_n5']:6.3f} "
              f"{r['type_auto_p5']:8.3f} {r['type_dense_p5']:5.3f} | {r['embed_per_doc_s']:11.4f} "
              f"{r['embed_cpu_per_doc_s']:9.4f} {r['docs_per_s_10k']:10.2f} {r['docs_per_s_10k_wall']:7.2f} "
              f"{r['hours_10k']:6.2f} {r['ceiling_docs_per_s']:8.2f} {r['query_ms_median']:8.1f} {r['load_s']:6.1f} {r['peak_rss_mb']:6.0f} "
              f"{r['model_mb']:8.0f}")
    print(f"product = hybrid with BM25 filtered by section type; dense = plain Chroma similarity; type P@5 = "
          f"section_type=\"auto\", dense = plain dense. BM25 alone (no embedder): work P@3 {base['bm25_p3']:.3f} "
          f"nDCG@5 {base['bm25_n5']:.3f}")
    print(f"10k docs/s = 1 / (embedding CPU s/doc ÷ threads + {base['rest_cpu_per_doc_s'] * 1000:.1f} ms CPU/doc "
          f"for the rest of ingest, from {base['scale_docs']} replicated documents ingested with n-gram: "
          f"{base['scale_docs'] / base['scale_wall_s']:.1f} docs/s wall, "
          f"{base['scale_docs'] / base['scale_cpu_s']:.1f} per CPU s); (wall) = the same from wall clock now; "
          f"ceiling = threads ÷ embedding CPU s/doc (the embedding alone, the rest of ingest free). "
          f"bench_corpus.py measures the n-gram's real 10,000-document figure")
    pick, why = choose(results)
    print("embedders: " + "; ".join(
        f"{n} work P@3={r['product_p3']:.3f} nDCG@5={r['product_n5']:.3f} type P@5={r['type_auto_p5']:.3f} "
        f"ingest {r['docs_per_s_10k']:.2f}docs/s" for n, r in results.items()) + f"  → default: {pick} ({why})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
