"""The API key never leaves the settings: not in logs (even at DEBUG, openai and httpx included), stdout or
stderr, run records (settings.json, each section's attempts), exports (.md/.txt/.docx, inside the zip too),
Chroma's persisted files, session state, or anything the app serves (page, config, API outputs).

A distinctive fake key is used and the bytes of everything written are searched for its core (without the
``sk-`` prefix, so a partly masked key would still be caught). The one file allowed to hold it is the app's
own ``<home>/.env`` written from the settings tab — it must be private (0600).
"""

from __future__ import annotations

import io
import json
import logging
import os
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_server import FaultServer, status, stream
from llm_fixtures import serve_faults

from drafter.settings import Settings
from vectorstore.cli import demo_corpus_files

CORE = "DrafterLeakCanary7f3a9c"
KEY = f"sk-{CORE}-0123456789"
EMBED_CORE = "EmbedLeakCanary51bd"
EMBED_KEY = f"sk-{EMBED_CORE}-xyz"
DRAFTER = Path(sys.executable).with_name("drafter")
FACTS = {
    "genre": "工作总结", "unit": "城关镇党委", "period": "2024年", "theme": "创先争优活动",
    "figures": [{"label": "基层党组织", "value": 42, "unit": "个"}, {"label": "党员", "value": 1286, "unit": "名"}],
    "activities": ["举办党课培训12期", "开展党员志愿服务活动"], "achievements": ["获评县级先进基层党组织"],
    "problems": ["部分党员学习不够深入"], "plans": ["加强党员教育培训"],
    "signature": "中共城关镇委员会", "date": "2024年12月20日", "target_chars": 600,
}
# Logging at DEBUG for every logger (drafter, openai, httpx, httpcore, chromadb, gradio) in a child process.
DEBUG_LOGGING = "import logging, sys\nlogging.basicConfig(level=logging.DEBUG, stream=sys.stderr, force=True)\n"


@pytest.fixture
def fault() -> Iterator[FaultServer]:
    yield from serve_faults()


def answers(n: int = 40) -> list:
    return [stream(["城关镇党委认真落实各项部署，", "扎实推进基层党建工作。"]) for _ in range(n)]


def leaks(root: Path, cores: tuple[str, ...] = (CORE,), allow: tuple[Path, ...] = ()) -> list[str]:
    """Files under ``root`` whose bytes (or, for zips such as .docx, whose members' bytes) hold a core."""
    found = []
    needles = [c.encode() for c in cores] + [c.encode("utf-16-le") for c in cores]
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path in allow:
            continue
        data = path.read_bytes()
        blobs = [data]
        if data[:4] == b"PK\x03\x04":
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    blobs += [z.read(n) for n in z.namelist()]
            except zipfile.BadZipFile:
                pass
        if any(n in b for b in blobs for n in needles):
            found.append(str(path.relative_to(root)))
    return found


def test_cli_ingest_draft_regenerate_never_show_or_store_the_key(fault: FaultServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(DEBUG_LOGGING, encoding="utf-8")
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(FACTS, ensure_ascii=False), encoding="utf-8")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DRAFTER_")}, "DRAFTER_HOME": str(home),
           "DRAFTER_LLM_BASE_URL": fault.url, "DRAFTER_LLM_API_KEY": KEY, "DRAFTER_LLM_MODEL": "fault-model",
           "DRAFTER_LLM_MAX_RETRIES": "1", "PYTHONPATH": str(site), "OPENAI_LOG": "debug"}

    def drafter(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(DRAFTER), *args], env=env, capture_output=True, text=True, timeout=300)

    fault.enqueue(*answers())
    outputs = [drafter("ingest", *map(str, demo_corpus_files()[:4])), drafter("draft", str(facts), "--stream")]
    assert outputs[1].returncode == 0, outputs[1].stderr[-2000:]
    assert "DEBUG" in outputs[1].stderr  # the logging really was at DEBUG
    run_dir = next((home / "runs").iterdir())
    fault._server.script.clear()
    # a server that echoes the key back in its error (some do, for a wrong key), then a working one
    fault.enqueue(status(401, f"Incorrect API key provided: {KEY}. You can find your key at ..."))
    outputs.append(drafter("regenerate", str(run_dir), "--section", "2", "--instruction", "突出特色"))
    assert "认证失败" in outputs[-1].stderr + outputs[-1].stdout
    fault.enqueue(*answers(4))
    outputs.append(drafter("regenerate", str(run_dir), "--section", "2", "--preset", "精简"))
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in fault.requests)  # it was really sent

    for out in outputs:
        assert CORE not in out.stdout and CORE not in out.stderr
    assert (run_dir / "settings.json").is_file() and (run_dir / "draft.docx").is_file()
    attempts = [a for p in (run_dir / "sections").glob("*.json")
                for a in json.loads(p.read_text(encoding="utf-8"))["attempts"]]
    assert attempts and all(a["prompt"] for a in attempts if a["kind"] != "fallback")
    assert (home / "chroma").is_dir()
    assert leaks(home) == []


def test_app_never_shows_logs_or_stores_the_key(fault: FaultServer, drafter_home: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    from drafter.webapp import config, drafting, section_actions
    from drafter.webapp.context import AppContext
    from drafter.webapp.form import facts_to_form

    caplog.set_level(logging.DEBUG)
    # the key typed into the settings tab: saved to <home>/.env only, and never echoed back
    ok, message = config.save_model_settings(drafter_home, fault.url, "fault-model", KEY)
    assert ok and CORE not in message
    env_file = config.env_path(drafter_home)
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    ctx = AppContext(Settings(home=drafter_home))
    assert ctx.settings.llm_api_key is not None and ctx.settings.llm_api_key.get_secret_value() == KEY
    shown = [config.model_form(ctx.settings), config.key_status(ctx.settings), config.model_status(ctx.settings)]
    assert CORE not in repr(shown) and CORE not in repr(ctx.settings) and CORE not in repr(ctx.engine.clients.model)

    ctx.store.ingest(demo_corpus_files()[:4])
    sid = ctx.sessions.ensure_id(None)
    fault.enqueue(*answers())
    patches = list(drafting.generate(ctx, sid, facts_to_form(FACTS), "", (), interval=0))
    assert "初稿已生成" in patches[-1].status
    patches += list(section_actions.regenerate(ctx, sid, 1, "突出特色", None, (), interval=0))
    exported = section_actions.export(ctx, sid, ())
    patches.append(exported)
    fault._server.script.clear()
    fault.enqueue(*[status(500, f"upstream said: key {KEY} is over quota")] * 3)  # the first try and 2 retries
    ctx.engine.clients.rewrite_model._sleep = lambda s: None
    patches += list(section_actions.regenerate(ctx, sid, 2, "", None, (), interval=0))
    assert "500" in patches[-1].status

    assert CORE not in json.dumps(patches, ensure_ascii=False, default=str)
    assert CORE not in caplog.text
    assert all(CORE not in r.getMessage() for r in caplog.records)
    export_dir = Path(exported.files[0]).parent
    assert leaks(export_dir) == []
    assert leaks(drafter_home, allow=(env_file,)) == []


def test_served_page_config_and_api_never_carry_the_key(fault: FaultServer, drafter_home: Path) -> None:
    import httpx
    from gradio_client import Client
    from test_reliability_app import bench_module

    from drafter.webapp import config

    config.save_model_settings(drafter_home, fault.url, "fault-model", KEY)
    app = bench_module().LaunchedApp(drafter_home, {}, [])
    try:
        assert app.ctx.settings.llm_api_key.get_secret_value() == KEY
        for path in ("", "config", "gradio_api/info"):
            body = httpx.get(f"{app.url}{path}", timeout=30).text
            assert CORE not in body, path
        client = Client(app.url, verbose=False)
        loaded = client.predict(None, api_name="/on_load")
        assert CORE not in json.dumps(loaded, ensure_ascii=False, default=str)
        settings_view = client.predict(api_name="/lambda_1")  # the settings tab's 刷新状态 button
        assert CORE not in json.dumps(settings_view, ensure_ascii=False, default=str)
        saved = client.predict(fault.url, "fault-model", f"sk-{EMBED_CORE}-new", False, api_name="/on_save")
        assert "已保存" in json.dumps(saved, ensure_ascii=False)
        assert EMBED_CORE not in json.dumps(saved, ensure_ascii=False, default=str)  # the new key is not echoed
        assert CORE not in json.dumps(client.predict(None, api_name="/on_load"), ensure_ascii=False, default=str)
    finally:
        app.close()


def _embeddings(h, body) -> None:
    inputs = body.get("input") or []
    data = [{"object": "embedding", "index": i, "embedding": [((i + j) % 7) / 7.0 for j in range(8)]}
            for i in range(len(inputs))]
    payload = json.dumps({"object": "list", "data": data, "model": body.get("model", "bge-m3"),
                          "usage": {"prompt_tokens": 1, "total_tokens": 1}}).encode()
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(payload)))
    h.end_headers()
    h.wfile.write(payload)


def test_embedding_key_is_not_in_chromas_persisted_config(fault: FaultServer, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """With an OpenAI-compatible embedder Chroma persists the embedding function's configuration next to the
    collection: it names the environment variable, never the key."""
    from vectorstore.store import CorpusStore

    monkeypatch.delenv("DRAFTER_EMBEDDING_API_KEY", raising=False)
    settings = Settings(home=tmp_path / "home", embedder="openai", embedding_base_url=fault.url,
                        embedding_api_key=EMBED_KEY, embedding_model="bge-m3")
    fault.enqueue(*[_embeddings] * 40)
    store = CorpusStore(settings)
    report = store.ingest(demo_corpus_files()[:2])
    assert report.files_read == 2
    assert any(r.path.endswith("/embeddings") for r in fault._server.requests)
    assert all(r.headers.get("authorization") == f"Bearer {EMBED_KEY}" for r in fault._server.requests
               if r.path.endswith("/embeddings"))
    reopened = CorpusStore(settings).collection.configuration_json
    assert "DRAFTER_EMBEDDING_API_KEY" in json.dumps(reopened)
    assert leaks(tmp_path / "home", cores=(EMBED_CORE,)) == []


def test_the_scanner_finds_a_key_in_plain_files_utf16_and_zips(tmp_path: Path) -> None:
    """The searches above are only as good as ``leaks``: it must see the key in any of these."""
    (tmp_path / "a.json").write_text(json.dumps({"k": KEY}), encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(CORE.encode("utf-16-le"))
    with zipfile.ZipFile(tmp_path / "c.docx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", f"<w:t>{KEY}</w:t>" * 50)
    (tmp_path / "clean.txt").write_text("sk-***", encoding="utf-8")
    assert leaks(tmp_path) == ["a.json", "b.txt", "c.docx"]
