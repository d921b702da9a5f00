"""Reliability and security, measured: bad input, malformed files, endpoint faults and concurrent sessions.

Prints the figures, asserts nothing (the tests in tests/test_reliability_*.py, test_security_*.py and
test_property_*.py do):

- inputs tried: generated facts, drafts and noisy texts through validation, the checks and cleaning/splitting
  (the property tests' strategies), and how many raised anything unexpected;
- files tried: the malformed-file folder of tests/data/malformed/generate.py ingested into a fresh store
  (read / skipped, all with a reason), then an ingest killed with SIGKILL and run again (identical or not);
- faults survived: each endpoint fault of tests/test_reliability_faults.py through the engine (Chinese
  message, finished sections kept, the resume writes only the rest), plus transient faults retried;
- sessions held: N concurrent sessions drafting through the app's API (gradio_client, in-process launch)
  against a loopback fake OpenAI endpoint that answers each request with a short completion naming the unit
  it was asked to write for: drafts mixed up or lost, latency p50/p95 and throughput.

Loopback only, bounded: ≤ 20 sessions, a 3-minute cap on the load part. No real model.

    .venv/bin/python bench/reliability.py [--sessions 20] [--inputs 1000] [--no-kill] [--only load]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

PLACES = ["青山", "柳溪", "白石", "桃源", "清河", "石桥", "金沙", "龙泉", "松林", "梅岭", "凤鸣", "云台", "杏花", "竹园",
          "望江", "双河", "长乐", "平安", "东湖", "西岭"]
UNIT_IN_PROMPT = re.compile(r"(?:以|给)“(.+?)”的")
MAX_SESSIONS = 20
LOAD_CAP_S = 180.0


# --------------------------------------------------------------------------- the fake endpoint


def echo_unit(h, body: dict) -> None:
    """A short streamed completion naming the unit the prompt asks for: a draft that shows another unit's
    name was answered with another session's request."""
    from fault_server import stream

    messages = body.get("messages") or [{}]
    found = UNIT_IN_PROMPT.search(str(messages[-1].get("content", "")))
    unit = found.group(1) if found else "本单位"
    stream([f"{unit}认真落实各项部署，", "扎实推进基层党建工作，", "各项工作取得明显成效。"])(h, body)


def session_facts(i: int) -> dict[str, Any]:
    place = PLACES[i % len(PLACES)]
    return {
        "genre": "工作总结", "unit": f"{place}镇党委", "period": "2024年", "theme": "创先争优活动",
        "figures": [{"label": "基层党组织", "value": 20 + i, "unit": "个"}, {"label": "党员", "value": 1000 + 37 * i,
                                                                              "unit": "名"}],
        "activities": [f"举办党课培训{3 + i}期", "开展党员志愿服务活动"], "achievements": ["获评县级先进基层党组织"],
        "problems": ["部分党员学习不够深入"], "plans": ["加强党员教育培训"],
        "signature": f"中共{place}镇委员会", "date": "2024年12月20日", "target_chars": 600,
    }


def own_marks(facts: dict[str, Any]) -> list[str]:
    """What only this session's draft may contain: its unit name and its figures."""
    return [facts["unit"], f"{facts['unit']}认真落实", *(f"{f['value']}{f['unit']}" for f in facts["figures"]),
            facts["activities"][0]]


# --------------------------------------------------------------------------- the app, launched in-process


class AppAPI:
    """What a client needs to know of the app's API: the form fields in the page's order and the number of
    section boxes (from the app's own layout code, drafter.webapp.widgets), to build the arguments of /on_generate and read its outputs."""

    def __init__(self, url: str) -> None:
        import gradio as gr

        from drafter.webapp.widgets import UI, draft_tab

        self.url = url
        with gr.Blocks():
            ui = UI()
            draft_tab(ui)
        self.form_names = list(ui.form)
        self.n_slots = len(ui.slots)
        self.checked_api = False

    def generate_args(self, sid: str, facts: dict[str, Any]) -> list[Any]:
        from drafter.webapp.form import FIGURE_HEADERS, facts_to_form

        form = facts_to_form(facts)
        values = []
        for name in self.form_names:
            value = form.get(name)
            if name == "figures":
                value = {"headers": FIGURE_HEADERS, "data": value, "metadata": None}
            elif name == "target_chars":
                value = "" if value is None else str(value)
            values.append(value)
        return [sid, "", *values, *([""] * self.n_slots)]

    def section_texts(self, outputs: Any) -> list[str | None]:
        """The section boxes' texts in an action's outputs. Each slot updates its group, text box, lock, status
        and history; the API leaves layout blocks (the group) out, so a slot is 4 values, the text first."""
        start = len(outputs) - 4 * self.n_slots
        texts = []
        for i in range(self.n_slots):
            value = outputs[start + 4 * i]
            if isinstance(value, dict):
                value = value.get("value")
            texts.append(value if isinstance(value, str) else None)
        return texts


class LaunchedApp(AppAPI):
    """The real app (drafter.webapp.ui.build_app) on a free loopback port of this process, with the settings given."""

    def __init__(self, home: Path, settings_values: dict[str, Any], corpus: list[Path]) -> None:
        from drafter.llm.server import free_port
        from drafter.settings import Settings
        from drafter.webapp.context import AppContext
        from drafter.webapp.launch import launch_kwargs
        from drafter.webapp.ui import build_app

        self.ctx = AppContext(Settings(home=home, **settings_values))
        if corpus:
            self.ctx.store.ingest(corpus)
        self.demo = build_app(self.ctx)
        self.demo.queue(default_concurrency_limit=4)
        kwargs = launch_kwargs(self.ctx)
        kwargs.update(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True)
        self.demo.launch(**kwargs)
        super().__init__(self.demo.local_url)

    def close(self) -> None:
        self.demo.close()


def _downloaded_text(app_url: str, value: Any) -> list[str]:
    """Texts of the .md files a File output handed back: gradio_client downloads them over HTTP from the app, as
    a browser would; anything it left as a server path is fetched the same way."""
    import httpx

    if isinstance(value, dict) and "value" in value:  # a gr.update(value=…, visible=True)
        value = value["value"]
    out = []
    for item in value if isinstance(value, list) else [value]:
        path = item.get("path") or item.get("url") if isinstance(item, dict) else item
        if not isinstance(path, str) or not path.endswith(".md"):
            continue
        if Path(path).is_file() and not path.startswith(tempfile.gettempdir() + "/gradio"):
            out.append(Path(path).read_text(encoding="utf-8"))  # gradio_client downloaded it already
            continue
        url = path if path.startswith("http") else f"{app_url.rstrip('/')}/gradio_api/file={path}"
        response = httpx.get(url, timeout=30)
        if response.status_code == 200:
            out.append(response.content.decode("utf-8"))
    return out


def draft_session(app: AppAPI, i: int, facts: dict[str, Any], http_timeout: float = 20.0) -> dict[str, Any]:
    """One user: a browser-like client of its own, generate (streamed), then export and download the .md.
    ``http_timeout`` bounds each HTTP request of the client (gradio_client's default is 20 s)."""
    from gradio_client import Client

    sid = secrets.token_hex(16)
    client = Client(app.url, verbose=False, download_files=tempfile.mkdtemp(prefix=f"bench_dl_{i}_"),
                    httpx_kwargs={"timeout": http_timeout})
    started = time.perf_counter()
    if not app.checked_api:
        kinds = [r["component"] for r in client.view_api(return_format="dict", print_info=False)
                 ["named_endpoints"]["/on_generate"]["returns"]]
        assert kinds[-4 * app.n_slots:] == ["Textbox", "Checkbox", "Html", "Html"] * app.n_slots, kinds
        app.checked_api = True
    job = client.submit(*app.generate_args(sid, facts), api_name="/on_generate")
    final = job.result(timeout=LOAD_CAP_S)
    latency = time.perf_counter() - started
    boxes = app.section_texts(final)  # what the section boxes show now; export sends them back, as the page does
    outputs = client.predict(sid, *boxes, api_name="/on_export")
    texts = [t for value in outputs for t in _downloaded_text(app.url, value)]
    return {"i": i, "sid": sid, "latency_s": latency, "texts": texts, "boxes": [b for b in boxes if b]}


def load(n_sessions: int = MAX_SESSIONS, home: Path | None = None, http_timeout: float = 20.0) -> dict[str, Any]:
    """N sessions drafting at once through the app's API against the loopback echo endpoint."""
    from fault_server import FaultServer

    from vectorstore.cli import demo_corpus_files

    n_sessions = min(n_sessions, MAX_SESSIONS)
    home = home or Path(tempfile.mkdtemp(prefix="bench_load_"))
    facts = [session_facts(i) for i in range(n_sessions)]
    with FaultServer() as endpoint:
        endpoint.enqueue(*[echo_unit] * (n_sessions * 12))
        app = LaunchedApp(home, {"llm_base_url": endpoint.url, "llm_api_key": "sk-bench-not-a-real-key",
                                 "llm_model": "echo", "llm_timeout": 30.0, "llm_max_retries": 0},
                          demo_corpus_files()[:6])
        results: list[dict[str, Any]] = [{} for _ in range(n_sessions)]
        errors: list[str] = []

        def worker(i: int) -> None:
            try:
                results[i] = draft_session(app, i, facts[i], http_timeout)
            except Exception as exc:  # counted as a lost draft, reported below
                import traceback

                where = traceback.extract_tb(exc.__traceback__)
                step = next((f"{fr.name}:{fr.lineno}" for fr in where if fr.filename == __file__), "?")
                errors.append(f"session {i} at {step}: {type(exc).__name__}: {exc}")

        started = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n_sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(1.0, LOAD_CAP_S - (time.perf_counter() - started)))
        wall = time.perf_counter() - started
        requests = len(endpoint.requests)
        app.close()

    lost, mixed, held = [], [], 0
    others = {i: [m for j, f in enumerate(facts) if j != i for m in own_marks(f)[:1]] for i in range(n_sessions)}
    for i, res in enumerate(results):
        texts = res.get("texts") or []
        if not texts:
            lost.append(i)
            continue
        text = texts[0] + "\n" + "\n".join(res.get("boxes") or [])  # the download and the page's boxes
        missing = [m for m in own_marks(facts[i]) if m not in texts[0] or m not in text]
        foreign = [m for m in others[i] if m in text]
        if "<div" in text:  # markup of the page where the draft's text belongs
            foreign.append("<div")
        if missing or foreign:
            mixed.append((i, missing, foreign))
        else:
            held += 1
    latencies = sorted(r["latency_s"] for r in results if r.get("latency_s"))
    return {
        "sessions": n_sessions, "held": held, "lost": lost, "mixed": mixed, "errors": errors,
        "requests": requests, "wall_s": wall, "latencies": latencies,
        "p50_s": statistics.median(latencies) if latencies else None,
        "p95_s": latencies[min(len(latencies) - 1, round(0.95 * len(latencies)) - 1)] if latencies else None,
        "throughput_per_min": 60.0 * held / wall if wall else 0.0,
        "home": str(home),
    }


# --------------------------------------------------------------------------- bad input


def _load_test_module(name: str):
    import importlib

    return importlib.import_module(name)


def inputs(n: int) -> dict[str, Any]:
    """The property tests' strategies, n inputs each, counting anything unexpected instead of failing."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from drafter.checks import run_checks
    from drafter.facts import FactsError, validate_facts
    from vectorstore.cleaning import clean_text
    from vectorstore.structure import parse_text

    pf = _load_test_module("test_property_facts")
    pc = _load_test_module("test_property_checks")
    pl = _load_test_module("test_property_cleaning")
    counts = {"facts": 0, "checks": 0, "cleaning": 0}
    failures: dict[str, list[str]] = {k: [] for k in counts}
    cfg = settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))

    @cfg
    @given(pf.facts_like)
    def facts_case(data: Any) -> None:
        counts["facts"] += 1
        try:
            validate_facts(data)
        except FactsError as err:
            if not all(m.strip() and pf.CJK.search(m) for _, m in err.problems):
                failures["facts"].append(repr(data)[:80])
        except Exception as exc:
            failures["facts"].append(f"{type(exc).__name__}: {repr(data)[:80]}")

    @cfg
    @given(pc.text, pc.facts_strategy(), st.lists(pc.text, max_size=3))
    def checks_case(draft: str, facts: Any, examples: list[str]) -> None:
        counts["checks"] += 1
        try:
            report = run_checks(draft, facts, examples=examples)
            if not all(f.span is None or 0 <= f.span[0] <= f.span[1] <= len(draft) for f in report.findings):
                failures["checks"].append(repr(draft)[:80])
        except Exception as exc:
            failures["checks"].append(f"{type(exc).__name__}: {repr(draft)[:80]}")

    @cfg
    @given(pl.any_noisy)
    def cleaning_case(raw: str) -> None:
        counts["cleaning"] += 1
        try:
            parse_text(clean_text(raw), "x.txt")
        except Exception as exc:
            failures["cleaning"].append(f"{type(exc).__name__}: {repr(raw)[:80]}")

    started = time.perf_counter()
    for case in (facts_case, checks_case, cleaning_case):
        case()
    return {"counts": counts, "failures": failures, "elapsed_s": time.perf_counter() - started}


# --------------------------------------------------------------------------- files


def files(kill: bool = True) -> dict[str, Any]:
    from test_reliability_ingest import load_generator

    from drafter.settings import Settings
    from vectorstore.store import CorpusStore

    root = Path(tempfile.mkdtemp(prefix="bench_files_"))
    plan = load_generator().build(root / "corpus")
    store = CorpusStore(Settings(home=root / "home"))
    started = time.perf_counter()
    report = store.ingest([root / "corpus"])
    elapsed = time.perf_counter() - started
    again = CorpusStore(Settings(home=root / "home")).ingest([root / "corpus"])
    consistent = store.count() == report.documents + report.sections and again.records_written == 0
    out: dict[str, Any] = {
        "planned": len(plan), "malformed": sum(p.malformed for p in plan), "seen": report.files_seen,
        "read": report.files_read, "skipped": len(report.skipped),
        "with_reason": sum(1 for _, r in report.skipped if re.search(r"[\u4e00-\u9fff]", r)),
        "consistent": consistent, "reingest_writes": again.records_written, "elapsed_s": elapsed,
    }
    if kill:
        out["kill"] = kill_and_resume(root)
    shutil.rmtree(root, ignore_errors=True)
    return out


def kill_and_resume(root: Path) -> dict[str, Any]:
    import pytest
    import test_reliability_kill as tk

    from vectorstore.cli import demo_corpus_files

    corpus = root / "kill_corpus"
    corpus.mkdir()
    texts = [p.read_text(encoding="utf-8") for p in demo_corpus_files()]
    for i in range(tk.N_FILES):
        (corpus / f"材料{i:03d}.txt").write_text(texts[i % len(texts)].replace("\n", f"\n（第{i}份材料）", 1),
                                                encoding="utf-8")
    ref_home, home = root / "ref", root / "killed"
    tk._ingest(ref_home, corpus)
    reference = tk._snapshot(ref_home)
    try:
        tk._kill_when(home, corpus, lambda c: c.get("summaries_sources", 0) > 0)
    except pytest.fail.Exception as exc:  # the kill point never came: report it
        return {"identical": False, "note": str(exc)}
    at_kill = len(tk._snapshot(home)["files"])
    tk._ingest(home, corpus)
    snap = tk._snapshot(home)
    return {"files_at_kill": at_kill, "files": tk.N_FILES, "records": len(reference["records"]),
            "identical": snap["records"] == reference["records"] and snap["files"] == reference["files"]
            and snap["dense"] == reference["dense"]}


# --------------------------------------------------------------------------- faults


def faults() -> dict[str, Any]:
    """Each fault scenario of the engine tests, run here and judged the same way (pass/fail, no exception)."""
    import test_reliability_faults as tf
    from fault_server import FaultServer

    from drafter.llm import factory
    from drafter.settings import Settings
    from vectorstore.cli import demo_corpus_files
    from vectorstore.store import CorpusStore

    home = Path(tempfile.mkdtemp(prefix="bench_faults_"))
    os.environ["DRAFTER_HOME"] = str(home)
    store = CorpusStore(Settings(home=home / "store"))
    store.ingest(demo_corpus_files()[:6])
    survived, failed = [], []
    scenarios: dict[str, Callable[[FaultServer], None]] = {
        name: (lambda f, name=name: tf.test_fault_keeps_finished_sections_and_resume_finishes_the_rest(name, f, store))
        for name in tf.FAULTS
    }
    scenarios["cut_in_second_call_of_a_section"] = lambda f: \
        tf.test_fault_in_the_second_call_of_a_section_redoes_that_section_only(f, store)
    scenarios["endpoint_down_mid_draft"] = lambda f: tf.test_endpoint_down_mid_draft_then_back_on_another_port(f, store)
    scenarios["transient_500_429_reset_retried"] = lambda f: \
        tf.test_transient_faults_are_retried_and_never_reach_the_user(f, store)
    scenarios["regenerate_under_500"] = lambda f: tf.test_regenerate_under_a_fault_keeps_the_section(f, store)
    for name, scenario in scenarios.items():
        server = FaultServer()
        try:
            scenario(server)
            survived.append(name)
        except BaseException as exc:  # AssertionError or worse: not survived
            failed.append(f"{name}: {type(exc).__name__}: {str(exc)[:120]}")
        finally:
            server.close()
            factory.clear_cache()
    shutil.rmtree(home, ignore_errors=True)
    return {"survived": survived, "failed": failed}


# --------------------------------------------------------------------------- report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=MAX_SESSIONS)
    parser.add_argument("--inputs", type=int, default=1000, help="generated inputs per property")
    parser.add_argument("--no-kill", action="store_true", help="skip the kill-and-resume ingest")
    parser.add_argument("--only", choices=["inputs", "files", "faults", "load"], action="append")
    args = parser.parse_args()
    only = set(args.only or ["inputs", "files", "faults", "load"])
    os.environ.setdefault("DRAFTER_HOME", tempfile.mkdtemp(prefix="bench_reliability_"))
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    figures: dict[str, Any] = {}

    if "inputs" in only:
        r = inputs(args.inputs)
        figures["inputs"] = r
        total = sum(r["counts"].values())
        bad = sum(len(v) for v in r["failures"].values())
        print(f"inputs tried: {total} ({', '.join(f'{k} {v}' for k, v in r['counts'].items())}); "
              f"unexpected: {bad}; {r['elapsed_s']:.0f} s")
        for k, v in r["failures"].items():
            for line in v[:3]:
                print(f"  {k}: {line}")
    if "files" in only:
        r = files(kill=not args.no_kill)
        figures["files"] = r
        print(f"files tried: {r['seen']} seen of {r['planned']} generated ({r['malformed']} malformed): "
              f"read {r['read']}, skipped {r['skipped']} (with a Chinese reason: {r['with_reason']}); "
              f"store consistent: {r['consistent']}; re-ingest writes {r['reingest_writes']}; "
              f"ingest {r['elapsed_s']:.1f} s")
        if "kill" in r:
            k = r["kill"]
            print(f"  ingest killed (SIGKILL) after {k.get('files_at_kill', '?')}/{k.get('files', '?')} files, "
                  f"run again: identical to an uninterrupted ingest ({k.get('records', '?')} records): "
                  f"{k['identical']}")
    if "faults" in only:
        r = faults()
        figures["faults"] = r
        n = len(r["survived"]) + len(r["failed"])
        print(f"faults survived: {len(r['survived'])}/{n} ({', '.join(r['survived'])})")
        for line in r["failed"]:
            print(f"  NOT survived: {line}")
    if "load" in only:
        r = load(args.sessions)
        figures["load"] = r
        print(f"sessions held: {r['held']}/{r['sessions']} concurrent (lost {len(r['lost'])}, mixed up "
              f"{len(r['mixed'])}); {r['requests']} model requests")
        if r["latencies"]:
            print(f"  latency per draft (submit → last streamed update): p50 {r['p50_s']:.1f} s, "
                  f"p95 {r['p95_s']:.1f} s; throughput {r['throughput_per_min']:.1f} drafts/min "
                  f"(wall {r['wall_s']:.1f} s; the app runs 2 drafts at a time)")
        for line in r["errors"][:5]:
            print(f"  error: {line}")
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"reliability-{stamp}.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1, default=str),
                                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
