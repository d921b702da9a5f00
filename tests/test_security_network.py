"""No outbound request except to the configured endpoint: a socket-level guard records every connection and
every name lookup and refuses anything that is not loopback (as an air-gapped intranet would), while the
whole product runs — ingest, retrieval, drafting, checks (jieba), token counting (tiktoken), export, the
Gradio app launched and used through its API — against a model endpoint on loopback. In this process
(monkeypatched ``socket``) and in ``drafter`` subprocesses (the same guard installed by a ``sitecustomize``).
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_server import FaultServer, stream
from llm_fixtures import SECRET, serve_faults

DRAFTER = Path(sys.executable).with_name("drafter")
LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "", None}

GUARD = r'''
import ipaddress, json, os, socket

_LOG = os.environ["NET_GUARD_LOG"]
_LOCAL = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "", None}


def _note(kind, what):
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(json.dumps([kind, str(what)]) + "\n")


def _local(host):
    if host in _LOCAL:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
        _note("connect", address)
        raise OSError(13, "outbound connection refused by the test guard")
    return _connect(self, address)


def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
        _note("connect", address)
        return 13
    return _connect_ex(self, address)


def _literal(host):
    try:
        ipaddress.ip_address(str(host).split("%")[0])
        return True
    except ValueError:
        return False


def getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if not _local(name) and not _literal(name):  # an IP literal needs no lookup; its connect is checked
        _note("lookup", host)
        raise socket.gaierror(socket.EAI_NONAME, "name lookups refused by the test guard")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
'''


@pytest.fixture
def fault() -> Iterator[FaultServer]:
    yield from serve_faults()


def answers(n: int = 60) -> list:
    return [stream(["城关镇党委认真落实各项部署，", "扎实推进基层党建工作。"]) for _ in range(n)]


@pytest.fixture
def guard(tmp_path: Path) -> Iterator[Path]:
    """The guard installed in this process; yields the log of refused attempts."""
    log = tmp_path / "net_guard.log"
    os.environ["NET_GUARD_LOG"] = str(log)
    saved = (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo)
    namespace: dict = {}
    exec(GUARD, namespace)
    try:
        yield log
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = saved
        os.environ.pop("NET_GUARD_LOG", None)


def refused(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_guard_refuses_and_records(guard: Path) -> None:
    """The guard itself: an outbound connection and a lookup of a public name are refused and recorded."""
    with pytest.raises(OSError), socket.create_connection(("203.0.113.7", 80), timeout=1):
        pass
    with pytest.raises(OSError):
        socket.getaddrinfo("pypi.org", 443)
    kinds = [k for k, _ in refused(guard)]
    assert kinds == ["connect", "lookup"]
    guard.unlink()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with socket.create_connection(s.getsockname(), timeout=1):
            pass
    assert refused(guard) == []


def test_whole_app_in_process_talks_to_loopback_only(guard: Path, fault: FaultServer, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The app and its test clients share this process: the clients (gradio_client → huggingface_hub) are
    configured offline the way app.py configures the app, so anything the guard sees comes from drafter."""
    import huggingface_hub.constants as hf
    from test_reliability_app import bench_module

    monkeypatch.setattr(hf, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(hf, "HF_HUB_DISABLE_TELEMETRY", True)

    from drafter.llm.tokens import count_messages
    from vectorstore.cli import demo_corpus_files

    bench = bench_module()
    fault.enqueue(*answers())
    home = tmp_path / "home"
    app = bench.LaunchedApp(home, {"llm_base_url": fault.url, "llm_api_key": SECRET, "llm_model": "fault-model",
                                   "llm_max_retries": 0}, demo_corpus_files()[:6])
    try:
        facts = bench.session_facts(0)
        result = bench.draft_session(app, 0, facts, http_timeout=120.0)
        assert result["texts"] and facts["unit"] in result["texts"][0]
        assert count_messages([{"role": "user", "content": "党建工作"}]) > 0
        hits = app.ctx.store.search("党员教育管理", k=3)
        assert hits
        from drafter.webapp import corpus

        summary = corpus.rebuild(app.ctx.settings, app.ctx.store, demo_corpus_files()[:3])
        assert "已重建语料库" in summary
    finally:
        app.close()
    assert fault.requests, "the endpoint was used"
    assert refused(guard) == []


def test_cli_subprocesses_talk_to_loopback_only(fault: FaultServer, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "cli_guard.log"
    facts = tmp_path / "facts.json"
    from test_security_secrets import FACTS

    facts.write_text(json.dumps(FACTS, ensure_ascii=False), encoding="utf-8")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DRAFTER_")},
           "DRAFTER_HOME": str(tmp_path / "home"), "DRAFTER_LLM_BASE_URL": fault.url, "DRAFTER_LLM_API_KEY": SECRET,
           "DRAFTER_LLM_MODEL": "fault-model", "PYTHONPATH": str(site), "NET_GUARD_LOG": str(log)}
    fault.enqueue(*answers())
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    commands = [["ingest"], ["search", "党员教育管理不到位", "-k", "3"], ["corpus"], ["draft", str(facts)],
                ["eval", "--drafts", str(drafts), "--out", str(tmp_path / "evals")]]
    (drafts / "town_party_summary.md").write_text(
        (Path(__file__).parent / "data" / "drafts" / "town_party_summary.md").read_text(encoding="utf-8"),
        encoding="utf-8")
    for args in commands:
        done = subprocess.run([str(DRAFTER), *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode in (0, 1), (args, done.stderr[-1500:])
        if args[0] in ("ingest", "draft"):
            assert done.returncode == 0, (args, done.stderr[-1500:])
    assert refused(log) == []
    # the guard was really active in the children: prove it on one of them
    probe = subprocess.run([sys.executable, "-c", "import socket; socket.getaddrinfo('pypi.org', 443)"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0 and refused(log) == [["lookup", "pypi.org"]]


def test_local_names_helper() -> None:
    assert all(n in LOCAL_NAMES or ipaddress.ip_address(n).is_loopback for n in ("127.0.0.1", "::1", "localhost"))


def test_python_app_py_talks_to_loopback_only(fault: FaultServer, tmp_path: Path) -> None:
    """The real ``python app.py`` process under the guard, used by a client from this (unguarded) process: a
    page load, a draft through the API and an export."""
    import signal
    import time

    import httpx
    from test_reliability_app import bench_module

    from drafter.llm.server import free_port

    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "app_guard.log"
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("DRAFTER_", "GRADIO_", "HF_"))},
           "DRAFTER_HOME": str(tmp_path / "home"), "DRAFTER_LLM_BASE_URL": fault.url, "DRAFTER_LLM_API_KEY": SECRET,
           "DRAFTER_LLM_MODEL": "fault-model", "DRAFTER_PORT": str(port), "PYTHONPATH": str(site),
           "NET_GUARD_LOG": str(log)}
    fault.enqueue(*answers())
    repo = Path(__file__).resolve().parent.parent
    out = (tmp_path / "app.log").open("wb")
    proc = subprocess.Popen([sys.executable, str(repo / "app.py")], cwd=repo, env=env, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp_path / "app.log").read_text(errors="replace")[-3000:]
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the app did not come up"
            time.sleep(0.5)
        bench = bench_module()
        app = bench.AppAPI(url)
        facts = bench.session_facts(3)
        result = bench.draft_session(app, 3, facts, http_timeout=120.0)
        assert result["texts"] and facts["unit"] in result["texts"][0]
        assert fault.requests
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        out.close()
    assert refused(log) == [], (tmp_path / "app.log").read_text(errors="replace")[-2000:]
