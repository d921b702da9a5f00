"""Start-up failures of the embedded server: a broken model file, a start-up timeout and a taken port each end
in a clear error (with the server log's tail) or a recovery, and never leave a process behind."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from fault_server import wait_until
from llm_fixtures import drafter_server_pids, pid_running

from drafter.llm import LocalServerError
from drafter.llm.server import EmbeddedServer, ServerConfig
from drafter.settings import Settings

pytestmark = pytest.mark.timeout(120)


def _no_children_left(before: frozenset[int] = frozenset()) -> bool:
    """No server started by this test is left (the session's shared local server, if any, is not ours)."""
    return not (set(drafter_server_pids(owner_pid=os.getpid())) - before)


def _servers_now() -> frozenset[int]:
    return frozenset(drafter_server_pids(owner_pid=os.getpid()))


def test_broken_gguf_fails_with_log_tail(tmp_path: Path) -> None:
    before = _servers_now()
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\xff" * 4096)  # right magic, garbage after it
    config = ServerConfig.from_settings(Settings(local_model_path=broken, local_ctx=512))
    server = EmbeddedServer(config, log_path=tmp_path / "server.log", start_timeout=60)
    with pytest.raises(LocalServerError) as info:
        server.start()
    assert "exited with code" in str(info.value)
    assert info.value.log_tail and info.value.log_tail in str(info.value)
    assert "启动失败" in info.value.user_message
    assert server.proc is None
    assert wait_until(lambda: _no_children_left(before))


@pytest.mark.model
def test_start_timeout_stops_the_child(tmp_path: Path) -> None:
    before = _servers_now()
    config = ServerConfig.from_settings(Settings(local_ctx=512))
    server = EmbeddedServer(config, log_path=tmp_path / "server.log", start_timeout=0.3)
    with pytest.raises(LocalServerError, match=r"not ready within 0\.3 s"):
        server.start()
    assert server.proc is None
    assert wait_until(lambda: _no_children_left(before))


@pytest.mark.model
def test_taken_port_falls_back_to_a_free_one(tmp_path: Path) -> None:
    before = _servers_now()
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        taken = blocker.getsockname()[1]
        config = ServerConfig.from_settings(Settings(local_ctx=512))
        server = EmbeddedServer(config, log_path=tmp_path / "server.log", start_timeout=120)
        try:
            server.start(port=taken)
            assert server.port != taken and server.healthy()
            pid = server.proc.pid  # type: ignore[union-attr]
        finally:
            server.stop()
    assert not pid_running(pid)
    assert wait_until(lambda: _no_children_left(before))
