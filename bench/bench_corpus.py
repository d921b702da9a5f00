"""Corpus benchmark: ingest throughput, unchanged re-ingest and query latency at ≥ 10,000 documents.

The demo corpus (and ``../shared/corpus`` when present) is replicated into a temp dir as distinct files: each
copy gets generated place names in place of the unit's own and perturbed figures, so every copy is a different
document. The copies are ingested into a fresh temp store (docs/s), re-ingested unchanged (time and ratio
against the first ingest), then queried with ≥ 200 varied queries in hybrid mode, with and without a
section-type filter (p50/p95; the first, cold query — which builds or loads the BM25 index — reported apart).
Figures are printed with their ratio to the issue's targets; nothing is asserted.

    .venv/bin/python bench/bench_corpus.py            # 10,000 documents
    .venv/bin/python bench/bench_corpus.py --quick    # 1,000 documents
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.settings import Settings  # noqa: E402
from vectorstore.cli import demo_corpus_files  # noqa: E402
from vectorstore.loading import LoadedFile, load_path  # noqa: E402
from vectorstore.pipeline import parse_path  # noqa: E402

SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
TARGET_DOCS_PER_S = 50.0
TARGET_REINGEST_SPEEDUP = 20.0
TARGET_P95_MS = 50.0
TYPED = ("基本情况", "主要做法", "取得成效", "经验体会", "存在问题", "下一步打算")

# Place-name syllables for generated unit names (two characters each, 40 × 40 combinations).
_SYL_A = "青松桂柳云临澜东西南北金银石玉龙凤华兴安平和新丰永宁清河山湖泉林峰岭江海明阳春秋"
_SYL_B = "溪林香塘岭湾港桥坪岗坝洲源川沟集营庄堡口店台园亭苑阁城关门屯渡滩湖山田峪川溪岩"
# A place name before one of these is a unit name worth replacing ("青溪镇", "松林街道").
_PLACE = re.compile(r"([\u4e00-\u9fff]{2})(?=镇|县|街道|社区|乡|村|区|市)")
_GENERIC = set("全我各本该乡城市县区镇村街社在于关和及的了中共第党工委员会领导活动开展教育系统")
_NUMBER = re.compile(r"(?<![\d.])(\d{1,7})(?![\d])")


@dataclass
class Template:
    path: Path
    text: str
    docs: int  # documents the file yields
    names: list[tuple[str, ...]]  # place names to replace in copies, each with its Traditional form
    titles: list[str]  # titles (as written in the raw text) of documents that name no place: prefixed in copies


def _to_traditional():
    try:
        import opencc

        return opencc.OpenCC("s2t").convert
    except Exception:  # pragma: no cover - opencc is a dependency
        return lambda s: s


def load_templates(shared: Path | None) -> list[Template]:
    files = list(demo_corpus_files())
    if shared and shared.is_dir():
        files += sorted(shared.glob("*.txt"))
    to_trad = _to_traditional()
    templates = []
    for path in files:
        loaded = load_path(path)
        if not isinstance(loaded, LoadedFile):
            continue
        docs = parse_path(path)
        if not docs:
            continue
        names: set[str] = set()
        for doc in docs:
            for m in _PLACE.finditer(f"{doc.title}\n{doc.signature or ''}"):
                name = m.group(1)
                if not any(ch in _GENERIC for ch in name):
                    names.add(name)
        # Raw text may be Traditional (cleaning converts it): replace both forms by the same new name.
        groups = [tuple(dict.fromkeys((n, to_trad(n)))) for n in sorted(names)]
        titles = []
        for doc in docs:
            if doc.title and not any(n in doc.title for n in names):
                titles += [form for form in dict.fromkeys((doc.title, to_trad(doc.title))) if form in loaded.text]
        templates.append(Template(path, loaded.text, len(docs), groups, titles))
    return templates


def perturb(text: str, names: list[tuple[str, ...]], copy_no: int, rng: random.Random,
            titles: list[str] = ()) -> str:
    """A distinct variant: place names replaced by generated ones (a title naming no place gets a generated
    county prefixed), each figure moved (the same figure the same way throughout the copy), heading numbers
    kept."""
    a, b = divmod(copy_no, len(_SYL_B))
    for title in titles:
        text = text.replace(title, f"{_SYL_B[b]}{_SYL_A[a % len(_SYL_A)]}县{title}")
    for i, forms in enumerate(names):
        new = _SYL_A[(a + 7 * i) % len(_SYL_A)] + _SYL_B[(b + 11 * i) % len(_SYL_B)]
        for form in forms:
            text = text.replace(form, new)
    moved: dict[str, str] = {}

    def repl(m: re.Match) -> str:
        start = m.start()
        line_start = text.rfind("\n", 0, start) + 1
        before = text[line_start:start].strip()
        after = text[m.end() : m.end() + 1]
        # Heading markers (1. / 1、 / （1）) keep their numbers so the structure survives.
        if before in ("", "（", "(") and after in (".", "、", "．", "）", ")"):
            return m.group(0)
        raw = m.group(1)
        if raw not in moved:
            n = int(raw)
            if 1950 <= n <= 2035:
                value = n + rng.randint(-3, 3)
            elif n < 10:
                value = max(1, n + rng.randint(-1, 3))
            else:
                value = max(1, round(n * rng.uniform(0.7, 1.4)))
                if after in ("%", "％"):
                    value = min(value, 100)
            moved[raw] = str(value)
        return moved[raw]

    return _NUMBER.sub(repl, text)


def replicate(templates: list[Template], target_docs: int, out: Path, seed: int = 7) -> tuple[int, int]:
    """Write copies round-robin until they hold ≥ target_docs documents; returns (files, documents)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    files = docs = copy_no = 0
    seen: set[str] = set()
    while docs < target_docs:
        for t_no, tpl in enumerate(templates):
            if docs >= target_docs:
                break
            text = perturb(tpl.text, tpl.names, copy_no, rng, tpl.titles)
            digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
            if digest in seen:  # never seen in practice; a duplicate would not be a new document
                continue
            seen.add(digest)
            (out / f"t{t_no:02d}_c{copy_no:05d}.txt").write_text(text, encoding="utf-8")
            files += 1
            docs += tpl.docs
        copy_no += 1
    return files, docs


def distinct_sample(corpus: Path, templates: list[Template], per_template: int = 12) -> tuple[int, int]:
    """Parse a sample of copies: how many of their documents' texts are distinct (doc ids include the
    source path, so this checks the content itself)."""
    texts: list[str] = []
    for t_no in range(len(templates)):
        for path in sorted(corpus.glob(f"t{t_no:02d}_c*.txt"))[:per_template]:
            texts += [d.text for d in parse_path(path)]
    return len(set(texts)), len(texts)


def build_queries(templates: list[Template], n: int, seed: int = 11) -> list[tuple[str, str | None]]:
    """(query, section_type filter or None): headings, snippets and keyword phrases, half of them filtered."""
    rng = random.Random(seed)
    headings: list[str] = []
    snippets: list[str] = []
    for tpl in templates:
        for doc in parse_path(tpl.path):
            for sec in doc.sections:
                for node in sec.walk():
                    if node.title and 4 <= len(node.title) <= 40:
                        headings.append(node.title)
                    body = node.text.replace("\n", "")
                    if len(body) > 40:
                        start = rng.randrange(0, len(body) - 30)
                        snippets.append(body[start : start + rng.randint(12, 40)])
    keywords = [
        "党员公开承诺", "基层党组织 书记 述职", "群众满意度", "创先争优 活动 载体", "存在的问题和不足",
        "下一步 工作打算", "党建引领 乡村振兴", "志愿服务 社区", "主题教育 学习 研讨", "党风廉政建设",
        "组织生活会 批评与自我批评", "发展党员 入党积极分子", "软弱涣散 整顿", "服务型党组织", "民主评议党员",
        "三会一课", "党务公开", "结对帮扶 困难群众", "典型示范 先进事迹", "考核评价 督查",
    ]
    pool = list(dict.fromkeys(headings)) + list(dict.fromkeys(snippets))
    rng.shuffle(pool)
    queries = [*keywords, *pool][: max(n, len(keywords))]
    while len(queries) < n:
        queries.append(rng.choice(pool))
    return [(q, rng.choice(TYPED) if i % 2 else None) for i, q in enumerate(queries)]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def cpu_seconds() -> float:
    """User + system CPU time of this process, all threads (Chroma's Rust threads included), and of its children
    that have ended (the ingest's worker processes)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ratio(value: float, target: float, higher_is_better: bool = True) -> str:
    r = value / target if higher_is_better else target / value if value else float("inf")
    return f"{r:.2f}× target ({'met' if r >= 1 else 'MISSED'})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10_000, help="documents to replicate the corpus to")
    ap.add_argument("--quick", action="store_true", help="1,000 documents")
    ap.add_argument("--queries", type=int, default=240)
    ap.add_argument("--shared", type=Path, default=SHARED_CORPUS, help="real corpus folder (used when present)")
    ap.add_argument("--no-shared", action="store_true", help="replicate the demo corpus only")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (printed) for inspection")
    ap.add_argument("--no-baseline", action="store_true",
                    help="skip the baseline ingest with files prepared in the main process only")
    args = ap.parse_args(argv)
    target = 1000 if args.quick else args.docs

    from vectorstore.store import CorpusStore

    templates = load_templates(None if args.no_shared else args.shared)
    tmp = tempfile.TemporaryDirectory(prefix="drafter-bench-corpus-")
    work = Path(tmp.name)
    corpus = work / "corpus"
    print(f"templates: {len(templates)} files, {sum(t.docs for t in templates)} documents "
          f"({'demo + shared' if any(t.path.is_relative_to(args.shared) for t in templates) else 'demo only'})")
    t0 = time.perf_counter()
    n_files, n_docs = replicate(templates, target, corpus)
    size_mb = sum(p.stat().st_size for p in corpus.iterdir()) / 1e6
    distinct, sampled = distinct_sample(corpus, templates)
    print(f"replicated: {n_files} files, {n_docs} documents, {size_mb:.1f} MB in {time.perf_counter() - t0:.1f} s "
          f"(sample: {distinct}/{sampled} documents distinct)")

    settings = Settings(home=work / "home")
    store = CorpusStore(settings)
    step = max(1, n_files // 10)

    def progress(i: int, total: int, name: str) -> None:
        if i % step == 0 or i == total:
            print(f"  … {i}/{total} files, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

    print(f"load average before ingest: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs; other jobs on the machine slow every wall-clock figure)")
    started = time.perf_counter()
    cpu0 = cpu_seconds()
    first = store.ingest([corpus], progress=progress)
    cpu_ingest = cpu_seconds() - cpu0
    records = store.count()
    docs_per_s = first.documents / first.elapsed_s
    print("\n== ingest (fresh store)")
    print(f"files read {first.files_read}, skipped {len(first.skipped)}, documents {first.documents}, "
          f"sections {first.sections}, records {records}")
    print(f"time {first.elapsed_s:.1f} s → {docs_per_s:.1f} docs/s, {first.files_read / first.elapsed_s:.1f} files/s, "
          f"{records / first.elapsed_s:.0f} records/s   [target ≥ {TARGET_DOCS_PER_S:.0f} docs/s: "
          f"{ratio(docs_per_s, TARGET_DOCS_PER_S)}]")
    print(f"process CPU time {cpu_ingest:.1f} s ({first.documents / cpu_ingest:.1f} docs per CPU-second; "
          f"wall/CPU {first.elapsed_s / cpu_ingest:.2f}), load average after: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for path, reason in first.skipped[:5]:
        print(f"  skipped {Path(path).name}: {reason}")
    if not args.no_baseline:  # the same files into another fresh store, prepared in this process only
        serial = CorpusStore(Settings(home=work / "home-serial")).ingest([corpus], workers=0)
        print(f"baseline, files prepared in this process (workers=0): {serial.elapsed_s:.1f} s → "
              f"{serial.documents / serial.elapsed_s:.1f} docs/s; with workers "
              f"{serial.elapsed_s / first.elapsed_s:.2f}× as fast")

    started = time.perf_counter()
    again = store.ingest([corpus])
    speedup = first.elapsed_s / again.elapsed_s if again.elapsed_s else float("inf")
    print("\n== re-ingest (unchanged)")
    print(f"unchanged {again.unchanged}/{again.files_seen} files, records written {again.records_written}, "
          f"time {again.elapsed_s:.2f} s → {speedup:.0f}× faster than the first ingest   "
          f"[target ≥ {TARGET_REINGEST_SPEEDUP:.0f}×: {ratio(speedup, TARGET_REINGEST_SPEEDUP)}]")

    queries = build_queries(templates, args.queries)
    print(f"\n== query latency ({len(queries)} queries, k=5, hybrid; {records} records)")
    rss_before_bm25 = peak_rss_mib()
    t = time.perf_counter()
    store.search("党员公开承诺践诺", k=5)
    cold_build = (time.perf_counter() - t) * 1000
    reopened = CorpusStore(settings)
    t = time.perf_counter()
    reopened.search("党员公开承诺践诺", k=5)
    cold_load = (time.perf_counter() - t) * 1000
    print(f"cold query, BM25 index built from the store: {cold_build:.0f} ms "
          f"(peak RSS {rss_before_bm25:.0f} → {peak_rss_mib():.0f} MiB)")
    print(f"cold query, new store handle (opens Chroma, loads the saved BM25 index): {cold_load:.0f} ms")
    t = time.perf_counter()
    ids = [rid for page, _, _ in reopened._paged(reopened.collection, include=[]) for rid in page]
    ids_s = time.perf_counter() - t
    t = time.perf_counter()
    sum(len(page) for page, _, _ in reopened._paged(reopened.collection, include=["metadatas"]))
    print(f"  of which Chroma paging: all {len(ids)} ids {ids_s * 1000:.0f} ms, all metadata "
          f"{(time.perf_counter() - t) * 1000:.0f} ms")

    results: dict[str, list[float]] = {}
    cpu_ms: dict[str, list[float]] = {}
    for mode in ("hybrid", "dense", "lexical"):
        # Every query in hybrid (the product's mode); a third of them in the single modes, to locate the cost.
        for q, section_type in queries if mode == "hybrid" else queries[: max(60, len(queries) // 3)]:
            t, c = time.perf_counter(), cpu_seconds()
            hits = store.search(q, k=5, section_type=section_type, mode=mode)
            ms = (time.perf_counter() - t) * 1000
            cpu_ms.setdefault(mode, []).append((cpu_seconds() - c) * 1000)
            if section_type and any(h.section_type != section_type for h in hits):
                print(f"  filter ignored for {q!r}", file=sys.stderr)
            results.setdefault(f"{mode} all", []).append(ms)
            results.setdefault(f"{mode} {'section_type filter' if section_type else 'no filter'}", []).append(ms)
        if mode == "hybrid":
            # The product's other typical call: exclude the query's own document (as the evals do).
            some_doc = store.search("基本情况", k=1)[0].doc_id
            for q, section_type in queries[:60]:
                t = time.perf_counter()
                store.search(q, k=5, section_type=section_type, exclude_doc_ids=[some_doc])
                results.setdefault("hybrid + exclude_doc_ids", []).append((time.perf_counter() - t) * 1000)
    print(f"{'':32}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'mean':>8}{'max':>8}")
    for name, values in results.items():
        print(f"{name:32}{len(values):>5}{pct(values, 50):>9.1f}{pct(values, 95):>9.1f}"
              f"{statistics.fmean(values):>8.1f}{max(values):>8.1f}")
    print("process CPU time per query (robust to other jobs on the machine): " + ", ".join(
        f"{mode} p50 {pct(v, 50):.1f} / p95 {pct(v, 95):.1f} ms" for mode, v in cpu_ms.items()))
    p95 = pct(results["hybrid all"], 95)
    print(f"hybrid p95 {p95:.1f} ms   [target ≤ {TARGET_P95_MS:.0f} ms: {ratio(p95, TARGET_P95_MS, False)}]")

    print(f"\npeak RSS {peak_rss_mib():.0f} MiB")
    print("\n== summary")
    print(f"documents {first.documents} | ingest {docs_per_s:.1f} docs/s ({ratio(docs_per_s, TARGET_DOCS_PER_S)}) | "
          f"re-ingest {speedup:.0f}× ({ratio(speedup, TARGET_REINGEST_SPEEDUP)}) | hybrid p50 "
          f"{pct(results['hybrid all'], 50):.1f} ms, p95 {p95:.1f} ms ({ratio(p95, TARGET_P95_MS, False)}) | "
          f"cold {cold_build:.0f} ms build / {cold_load:.0f} ms load | peak RSS {peak_rss_mib():.0f} MiB")
    if args.keep:
        print(f"kept {work}")
        tmp._finalizer.detach()  # type: ignore[attr-defined]
    else:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
