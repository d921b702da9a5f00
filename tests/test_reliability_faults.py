"""Faults of the model endpoint through the drafting engine, against the fault-injecting OpenAI-compatible server
on loopback (tests/fault_server.py) and a real Chroma store: endpoint down, slow beyond the timeout, 429 with
Retry-After, 500, a stream cut mid-section, garbage or empty output, context overflow.

For each: the error event carries a clear Chinese message (never the key), the sections finished before the
fault stay on disk untouched, and a second ``write`` — in a new engine, as after a restart — finishes exactly
the failed and the remaining sections: the server counts the requests. Transient faults (one 500, one 429,
a dropped connection) are retried by the client and never reach the user.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fault_server import FaultServer, hang, status, stream
from llm_fixtures import SECRET, record_sleeps, serve_faults

from drafter.engine import DraftEngine
from drafter.facts import validate_facts
from drafter.llm import factory
from drafter.run import Event, Run
from drafter.settings import Settings
from drafter.writing import model_calls
from vectorstore.cli import demo_corpus_files
from vectorstore.store import CorpusStore

CJK = re.compile(r"[\u4e00-\u9fff]")
FACTS = {
    "genre": "工作总结", "unit": "城关镇党委", "period": "2024年", "theme": "创先争优活动",
    "figures": [{"label": "基层党组织", "value": 42, "unit": "个"}, {"label": "党员", "value": 1286, "unit": "名"},
                {"label": "群众满意度", "value": "96.3", "unit": "%"}],
    "activities": ["举办党课培训12期", "开展党员志愿服务活动"], "achievements": ["获评县级先进基层党组织"],
    "problems": ["部分党员学习不够深入"], "plans": ["加强党员教育培训"],
    "signature": "中共城关镇委员会", "date": "2024年12月20日", "target_chars": 600,
}
CHUNKS = ["城关镇党委认真落实各项部署，", "扎实推进基层党建工作，", "各项工作取得明显成效。"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> CorpusStore:
    s = CorpusStore(Settings(home=tmp_path_factory.mktemp("faults_store")))
    s.ingest(demo_corpus_files()[:6])
    return s


@pytest.fixture
def fault() -> Iterator[FaultServer]:
    yield from serve_faults()


def good(n: int) -> list[Callable]:
    return [stream(CHUNKS, usage={"prompt_tokens": 50, "completion_tokens": 30}) for _ in range(n)]


def engine_for(url: str, store: CorpusStore, **overrides: Any) -> DraftEngine:
    values: dict[str, Any] = {"llm_base_url": url, "llm_api_key": SECRET, "llm_model": "fault-model",
                              "llm_timeout": 5.0, "llm_max_retries": 2}
    values.update(overrides)
    engine = DraftEngine(Settings(**values), store=store)
    engine.sleeps = record_sleeps(engine.clients.model)  # type: ignore[attr-defined]  # retries observed, not waited for
    return engine


def new_run(engine: DraftEngine) -> Run:
    run = engine.new_run(validate_facts(FACTS))
    engine.retrieve(run)
    engine.plan(run)
    return run


def pieces(engine: DraftEngine, run: Run) -> list[int]:
    """Model calls per section when nothing needs repair."""
    return [0 if s.placeholder else len(model_calls(s)) for s in run.outline.sections]


def on_disk(run_dir: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((run_dir / "sections").glob("*.json"))]


# --- the faults ----------------------------------------------------------------------------------------


def _garbage_sse(h, body) -> None:
    """200 with an event stream whose data is not JSON (a broken proxy, a half-implemented server)."""
    h.send_response(200)
    h.send_header("Content-Type", "text/event-stream")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    h.write_chunk(b"data: {not json at all\n\n")
    h.write_chunk(b"")


def _html_page(h, body) -> None:
    """200 with a web page instead of the API (the base URL points at a portal or a login page)."""
    page = "<html><body>统一身份认证平台</body></html>".encode()
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(page)))
    h.end_headers()
    h.wfile.write(page)


OVERFLOW = ("This model's maximum context length is 4096 tokens. However, your messages resulted in 5210 tokens.")

# name: (actions for the failing call incl. retries/probes, settings overrides, requests it makes, message bits)
FAULTS: dict[str, tuple[list[Callable], dict[str, Any], int, tuple[str, ...]]] = {
    "slow_beyond_timeout": ([hang(3)], {"llm_timeout": 1.0}, 1, ("1 秒内没有响应",)),
    "429_retry_after_too_long": ([status(429, "rate limited", headers={"Retry-After": "120"})], {}, 1,
                                 ("429", "120 秒")),
    "429_until_retries_run_out": ([status(429, "slow down", headers={"Retry-After": "2"})] * 3, {}, 3,
                                  ("429", "2 秒")),
    "500_until_retries_run_out": ([status(500, "internal error")] * 3, {}, 3, ("内部出错（500）",)),
    "stream_cut_mid_section": ([stream(["城关镇党委认真落实", "各项部署，"], finish=None, done=False, abort=True)], {}, 1,
                               ("中途中断",)),
    "stream_ends_without_finish": ([stream(["城关镇党委认真落实"], finish=None, done=False)], {}, 1, ("中途中断",)),
    "empty_output": ([stream([""])], {}, 1, ("没有返回任何文字",)),
    "whitespace_output": ([stream(["  ", "\n\n"])], {}, 1, ("没有返回任何文字",)),
    "garbage_sse": ([_garbage_sse, _garbage_sse], {}, 2, ("中途中断",)),  # + the client's diagnostic probe
    "html_page_instead_of_api": ([_html_page, _html_page], {}, 2, ("中途中断",)),
    "context_overflow": ([status(400, OVERFLOW, err_code="context_length_exceeded")], {}, 1, ("上下文长度", "4096")),
}


def _write_until_fault(engine: DraftEngine, run: Run, on_event: Callable[[Event], None] | None = None
                       ) -> list[Event]:
    events = []
    for ev in engine.write(run):
        events.append(ev)
        if on_event:
            on_event(ev)
    return events


def _assert_fault_reported(events: list[Event], section: int, bits: tuple[str, ...]) -> str:
    kinds = [e.kind for e in events]
    assert kinds[-1] == "error", kinds
    assert "done" not in kinds
    err = events[-1]
    assert err.section == section
    message = err.data["message"]
    assert CJK.search(message) and all(b in message for b in bits), message
    assert SECRET not in json.dumps(err.data, ensure_ascii=False)
    return message


def _assert_resumed(engine: DraftEngine, run_dir: Path, fault: FaultServer, failed: int, before: list[dict],
                    expected_requests: int) -> None:
    """A second write in a new engine (as after a restart) writes only the failed and remaining sections."""
    start = len(fault.requests)
    fault.enqueue(*good(expected_requests))
    events = list(engine.write(Run.load(run_dir)))
    assert [e.kind for e in events][-1] == "done", [e.data for e in events if e.kind == "error"]
    assert len(fault.requests) - start == expected_requests and fault.pending == 0
    written = sorted({e.section for e in events if e.kind == "section_done"})
    assert written == list(range(failed, len(before)))
    after = on_disk(run_dir)
    assert after[:failed] == before[:failed], "sections finished before the fault were not touched"
    assert all(s["status"] == "done" and s["body"] for s in after)
    assert (run_dir / "draft.txt").is_file()


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_keeps_finished_sections_and_resume_finishes_the_rest(name: str, fault: FaultServer, store) -> None:
    actions, overrides, n_failing, bits = FAULTS[name]
    engine = engine_for(fault.url, store, **overrides)
    run = new_run(engine)
    calls = pieces(engine, run)
    failed = 2  # 取得成效: two sections (three model calls) are finished before it
    fault.enqueue(*good(sum(calls[:failed])), *actions)
    events = _write_until_fault(engine, run)
    message = _assert_fault_reported(events, failed, bits)
    assert len(fault.requests) == sum(calls[:failed]) + n_failing and fault.pending == 0

    before = on_disk(run.dir)
    assert [s["status"] for s in before] == ["done"] * failed + ["failed"] + ["pending"] * (len(calls) - failed - 1)
    assert before[failed]["error"] == message
    done_texts = {e.section: e.text for e in events if e.kind == "section_done"}
    assert [before[i]["body"] for i in range(failed)] == [done_texts[i] for i in range(failed)]

    factory.clear_cache()
    _assert_resumed(engine_for(fault.url, store), run.dir, fault, failed, before, sum(calls[failed:]))


def test_fault_in_the_second_call_of_a_section_redoes_that_section_only(fault: FaultServer, store) -> None:
    """主要做法 is written in two calls (one per activity); a cut in the second loses the first as well — the
    section is redone whole — but nothing before it."""
    engine = engine_for(fault.url, store)
    run = new_run(engine)
    calls = pieces(engine, run)
    assert calls[1] == 2
    fault.enqueue(*good(calls[0] + 1), stream(["开展党员"], finish=None, done=False, abort=True))
    events = _write_until_fault(engine, run)
    _assert_fault_reported(events, 1, ("中途中断",))
    before = on_disk(run.dir)
    assert [s["status"] for s in before[:2]] == ["done", "failed"] and before[1]["body"] == ""
    factory.clear_cache()
    _assert_resumed(engine_for(fault.url, store), run.dir, fault, 1, before, sum(calls[1:]))


def test_endpoint_down_mid_draft_then_back_on_another_port(fault: FaultServer, store) -> None:
    engine = engine_for(fault.url, store, llm_max_retries=1)
    run = new_run(engine)
    calls = pieces(engine, run)
    fault.enqueue(*good(sum(calls[:2])))

    def stop_after_second(ev: Event) -> None:
        if ev.kind == "section_done" and ev.section == 1:
            fault.close()  # the endpoint goes away between two sections

    events = _write_until_fault(engine, run, stop_after_second)
    message = _assert_fault_reported(events, 2, ("无法连接模型服务", fault.url))
    assert "DRAFTER_LLM_BASE_URL" in message
    assert len(engine.sleeps) == 1  # one retry, then reported
    before = on_disk(run.dir)
    assert [s["status"] for s in before[:3]] == ["done", "done", "failed"]

    factory.clear_cache()
    with FaultServer() as back:
        _assert_resumed(engine_for(back.url, store), run.dir, back, 2, before, sum(calls[2:]))


def test_endpoint_down_from_the_start_loses_nothing(store) -> None:
    from drafter.llm.server import free_port

    url = f"http://127.0.0.1:{free_port()}/v1"
    engine = engine_for(url, store, llm_max_retries=0)
    run = new_run(engine)
    events = list(engine.write(run))
    _assert_fault_reported(events, 0, ("无法连接模型服务",))
    assert json.loads((run.dir / "facts.json").read_text(encoding="utf-8"))["unit"] == "城关镇党委"
    assert (run.dir / "outline.json").is_file() and (run.dir / "retrieval.json").is_file()
    assert next(s["status"] for s in on_disk(run.dir)) == "failed"


def test_transient_faults_are_retried_and_never_reach_the_user(fault: FaultServer, store) -> None:
    """One 500, one 429 (Retry-After: 1) and one dropped connection before three of the calls: the draft
    completes with no error event; the client waited what the server asked."""

    def drop(h, body) -> None:
        h.close_connection = True
        h.connection.close()

    engine = engine_for(fault.url, store)
    run = new_run(engine)
    calls = sum(pieces(engine, run))
    script = good(calls)
    script.insert(0, status(500, "busy"))
    script.insert(3, status(429, "slow", headers={"Retry-After": "1"}))
    script.insert(6, drop)
    fault.enqueue(*script)
    events = list(engine.write(run))
    assert [e.kind for e in events][-1] == "done"
    assert not [e for e in events if e.kind == "error"]
    assert len(fault.requests) == calls + 3 and fault.pending == 0
    assert len(engine.sleeps) == 3 and 1.0 in engine.sleeps


def test_regenerate_under_a_fault_keeps_the_section(fault: FaultServer, store) -> None:
    engine = engine_for(fault.url, store, llm_max_retries=0)
    run = new_run(engine)
    fault.enqueue(*good(sum(pieces(engine, run))))
    assert [e.kind for e in engine.write(run)][-1] == "done"
    before = on_disk(run.dir)
    fault.enqueue(status(500, "boom"))
    events = list(engine.regenerate(Run.load(run.dir), 1, instruction="突出党建引领"))
    assert events[-1].kind == "error" and "500" in events[-1].data["message"]
    after = on_disk(run.dir)
    assert [s["body"] for s in after] == [s["body"] for s in before]
    assert after[1]["status"] == "done" and after[1]["history"] == before[1]["history"]
    fault.enqueue(stream(["改写后：以党员先锋岗为抓手，示范带动作用进一步显现。"]))
    events = list(engine.regenerate(Run.load(run.dir), 1, instruction="突出党建引领"))
    assert events[-1].kind == "section_done"
    assert on_disk(run.dir)[1]["history"] == [before[1]["body"]]


def test_model_layer_turns_undecodable_bodies_into_llm_errors(fault: FaultServer) -> None:
    """A 200 whose body is not the API's JSON escaped the client as json.JSONDecodeError / UnicodeDecodeError,
    so the engine (which handles LLMError) crashed instead of marking the section failed."""
    from llm_fixtures import remote_settings

    from drafter.llm import LLMError, get_model

    def raw(ctype: str, data: bytes):
        def act(h, body) -> None:
            h.send_response(200)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        return act

    model = get_model(settings=remote_settings(fault, llm_max_retries=0))
    record_sleeps(model)
    msgs = [{"role": "user", "content": "写一句话。"}]
    for stream_mode in (True, False):
        for act in (raw("application/json", b""), raw("text/event-stream", bytes(range(256))), _garbage_sse):
            fault.enqueue(act, act)
            with pytest.raises(LLMError) as info:
                model.execute(msgs, stream=stream_mode).text()
            assert CJK.search(info.value.user_message)
            fault._server.script.clear()
