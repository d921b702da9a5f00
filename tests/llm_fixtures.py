"""Fixtures and helpers shared by the LLM layer's tests (imported by tests/test_llm_*.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fault_server import FaultServer

from drafter.llm import factory
from drafter.llm.openai_chat import OpenAIChatModel
from drafter.settings import Settings

SECRET = "sk-test-Secret-0123456789abcdef"  # a key that must never show up anywhere


def serve_faults() -> Iterator[FaultServer]:
    """Body of the ``fault`` fixture each test module defines: a fresh fault server, model cache cleared after."""
    server = FaultServer()
    yield server
    server.close()
    factory.clear_cache()


def remote_settings(server: FaultServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "llm_base_url": server.url,
        "llm_api_key": SECRET,
        "llm_model": "fault-model",
        "llm_timeout": 5.0,
        "llm_max_retries": 2,
    }
    values.update(overrides)
    return Settings(**values)


def record_sleeps(model: Any) -> list[float]:
    """Replace the model's sleep with a recorder: retries are observed without waiting."""
    assert isinstance(model, OpenAIChatModel)
    sleeps: list[float] = []
    model._sleep = sleeps.append
    return sleeps


def drafter_server_pids(owner_pid: int | None = None, n_ctx: int | None = None) -> list[int]:
    """PIDs of llama.cpp server children (started via drafter.llm.server_child), optionally of one owner
    and one context size."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if b"drafter.llm.server_child" not in argv or b"llama_cpp.server" not in argv:
            continue
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            continue
        if owner_pid is not None:
            try:
                if int(argv[argv.index(b"--owner-pid") + 1]) != owner_pid:
                    continue
            except (ValueError, IndexError):
                continue
        if n_ctx is not None and (
            b"--n_ctx" not in argv or argv[argv.index(b"--n_ctx") + 1] != str(n_ctx).encode()
        ):
            continue
        found.append(int(entry.name))
    return found


def pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
