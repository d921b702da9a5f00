"""What the embedded llama.cpp server leaves under ``<home>``: its state file, log and last crash record.

``run/llm_server.json`` names the running server (URL, pid, model, context) so other drafter processes on the
same data directory reuse it; ``logs/llm_server.log`` is the child's output, whose tail goes into start-up and
crash errors; ``logs/llm_crash.json`` keeps the last crash for ``drafter model-info``. Writes are atomic
(temp file + rename), reads tolerate a missing or broken file.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drafter.llm.errors import LocalModelCrashedError
from drafter.settings import Settings

if TYPE_CHECKING:
    from drafter.llm.server import EmbeddedServer

STATE_FILE = Path("run") / "llm_server.json"
LOG_FILE = Path("logs") / "llm_server.log"
CRASH_FILE = Path("logs") / "llm_crash.json"
LOG_TAIL_LINES = 25


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def state_path(settings: Settings) -> Path:
    return settings.home / STATE_FILE


def write_state(settings: Settings, server: EmbeddedServer) -> None:
    assert server.proc is not None
    _write_json(state_path(settings), {
        "url": server.url,
        "port": server.port,
        "pid": server.proc.pid,
        "owner_pid": os.getpid(),
        "model_path": str(server.config.model_path),
        "n_ctx": server.config.n_ctx,
        "threads": server.config.threads,
        "log": str(server.log_path),
    })  # fmt: skip


def read_state(settings: Settings) -> dict[str, Any] | None:
    return _read_json(state_path(settings))


def clear_state(settings: Settings, server: EmbeddedServer) -> None:
    state = read_state(settings)
    if state and server.proc is not None and state.get("pid") == server.proc.pid:
        state_path(settings).unlink(missing_ok=True)


def record_crash(path: Path, err: LocalModelCrashedError) -> None:
    """Keep the last crash (time, signal or exit code, log tail) for ``drafter model-info``."""
    _write_json(path, {"time": time.strftime("%Y-%m-%d %H:%M:%S"), "signal": err.signal_name,
                       "exit_code": err.exit_code, "log_tail": err.log_tail})  # fmt: skip


def last_crash(settings: Settings) -> dict[str, Any] | None:
    return _read_json(settings.home / CRASH_FILE)
