"""Faults and load through the web app.

Faults: the drafting action the 生成初稿 button calls (``drafter.webapp.drafting.generate``), on an
``AppContext`` whose model is the fault server: the page gets a Chinese status naming the problem, the
finished sections stay, and clicking again finishes only the failed and remaining sections (requests counted).

Load: 20 sessions at once through the app's HTTP API (gradio_client, one client per session, the real app
launched in-process on loopback) against a loopback endpoint that answers every request with a short
completion naming the unit it was asked for; each session exports and downloads its draft. No draft is lost
or mixed up: each holds its own unit name and figures, none of another session's. (Latency and throughput are
reported by bench/reliability.py, not asserted here.)
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fault_server import FaultServer, hang, status, stream
from llm_fixtures import SECRET, serve_faults

from drafter.llm import factory
from drafter.run import Run
from drafter.settings import Settings
from drafter.webapp import drafting
from drafter.webapp.context import AppContext
from drafter.webapp.form import facts_to_form
from drafter.webapp.patch import Patch
from vectorstore.cli import demo_corpus_files
from vectorstore.store import CorpusStore

BENCH = Path(__file__).resolve().parent.parent / "bench" / "reliability.py"
CJK = re.compile(r"[\u4e00-\u9fff]")
CHUNKS = ["城关镇党委认真落实各项部署，", "扎实推进基层党建工作。"]


def bench_module():
    if "reliability_bench" not in sys.modules:
        spec = importlib.util.spec_from_file_location("reliability_bench", BENCH)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules["reliability_bench"] = module
        spec.loader.exec_module(module)
    return sys.modules["reliability_bench"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> CorpusStore:
    s = CorpusStore(Settings(home=tmp_path_factory.mktemp("app_store")))
    s.ingest(demo_corpus_files()[:6])
    return s


@pytest.fixture
def fault() -> Iterator[FaultServer]:
    yield from serve_faults()


def app_context(url: str, store: CorpusStore, home: Path, **overrides: Any) -> AppContext:
    values: dict[str, Any] = {"home": home, "llm_base_url": url, "llm_api_key": SECRET, "llm_model": "fault-model",
                              "llm_timeout": 5.0, "llm_max_retries": 0}
    values.update(overrides)
    ctx = AppContext(Settings(**values), store=store)
    ctx.engine.clients.model._sleep = lambda s: None  # no real waits between retries
    return ctx


def click_generate(ctx: AppContext, sid: str, form: dict) -> list[Patch]:
    return list(drafting.generate(ctx, sid, form, "", (), interval=0))


def good(n: int) -> list:
    return [stream(CHUNKS) for _ in range(n)]


APP_FAULTS = {
    "timeout": ([hang(3)], {"llm_timeout": 1.0}, "秒内没有响应"),
    "429": ([status(429, "slow down", headers={"Retry-After": "120"})], {}, "429"),
    "500": ([status(500, "internal")], {}, "内部出错（500）"),
    "stream_cut": ([stream(["城关镇党委"], finish=None, done=False, abort=True)], {}, "中途中断"),
    "empty": ([stream([""])], {}, "没有返回任何文字"),
    "context_overflow": ([status(400, "maximum context length is 4096 tokens", err_code="context_length_exceeded")],
                         {}, "上下文长度"),
}


@pytest.mark.parametrize("name", list(APP_FAULTS))
def test_fault_through_the_app_keeps_work_and_a_second_click_finishes(name: str, fault: FaultServer, store,
                                                                       drafter_home: Path) -> None:
    from test_reliability_faults import FACTS

    actions, overrides, bit = APP_FAULTS[name]
    ctx = app_context(fault.url, store, drafter_home, **overrides)
    sid = ctx.sessions.ensure_id(None)
    form = facts_to_form(FACTS)
    fault.enqueue(*good(3), *actions)  # 基本情况 (1 call) and 主要做法 (2 calls), then the fault in 取得成效
    patches = click_generate(ctx, sid, form)
    status_html = patches[-1].status
    assert "生成中断" in status_html and bit in status_html and "已完成的内容已保存" in status_html
    assert SECRET not in "".join(str(p) for p in patches)
    run = Run.load(ctx.sessions.load(sid).run_dir)
    assert [s.status for s in run.sections] == ["done", "done", "failed", "pending", "pending"]
    kept = [s.body for s in run.sections[:2]]
    assert all(kept)
    assert ctx.sessions.load(sid).form["unit"] == "城关镇党委"  # what was typed is still there

    factory.clear_cache()
    ctx = app_context(fault.url, store, drafter_home)  # e.g. after a restart: the session is on disk
    before = len(fault.requests)
    fault.enqueue(*good(3))
    patches = click_generate(ctx, sid, form)
    assert "初稿已生成" in patches[-1].status
    assert len(fault.requests) - before == 3 and fault.pending == 0  # only 取得成效, 存在问题, 下一步打算
    again = Run.load(ctx.sessions.load(sid).run_dir)
    assert again.dir == run.dir, "the same run is resumed, not started over"
    assert [s.body for s in again.sections[:2]] == kept
    assert all(s.status == "done" for s in again.sections)


def test_garbage_from_the_endpoint_is_a_status_not_a_crash(fault: FaultServer, store, drafter_home: Path) -> None:
    """Before the fix a non-JSON event stream escaped as JSONDecodeError: the page showed the exception's
    name instead of saying what to check."""
    from test_reliability_faults import FACTS, _garbage_sse

    ctx = app_context(fault.url, store, drafter_home)
    sid = ctx.sessions.ensure_id(None)
    fault.enqueue(_garbage_sse, _garbage_sse)
    patches = click_generate(ctx, sid, facts_to_form(FACTS))
    status_html = patches[-1].status
    assert "生成中断" in status_html and "Error" not in status_html
    assert Run.load(ctx.sessions.load(sid).run_dir).sections[0].status == "failed"


def test_twenty_sessions_through_the_api_are_neither_lost_nor_mixed_up(tmp_path: Path) -> None:
    bench = bench_module()
    result = bench.load(20, home=tmp_path / "home", http_timeout=120.0)
    assert result["errors"] == []
    assert result["lost"] == [] and result["mixed"] == []
    assert result["held"] == 20
    assert result["requests"] == 20 * 6  # every section of every draft asked once, none twice
    runs = sorted((tmp_path / "home" / "runs").iterdir())
    assert len(runs) == 20
    for run_dir in runs:
        run = Run.load(run_dir)
        assert all(s.status == "done" for s in run.sections)
        unit = run.facts.unit
        assert all(unit in s.body for s in run.sections if s.body), "each section came back for its own unit"
