"""Per-browser sessions: an unguessable id kept in the browser's local storage, state on disk.

Each session owns ``<home>/sessions/<id>/state.json`` — the raw form (valid or not, nothing typed is lost),
the outline text being edited, pinned/excluded examples and the directory of its current drafting run (the
run itself, with sections and history, is saved by the engine). Writes are atomic; ids are checked against a
strict pattern, so a forged id can never point outside the sessions directory.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

_ID = re.compile(r"[0-9a-f]{32}")
STATE_FILE = "state.json"
STATE_VERSION = 1


def new_session_id() -> str:
    return secrets.token_hex(16)


def valid_session_id(value: object) -> bool:
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def write_private(path: Path, text: str) -> None:
    """Atomically write ``text`` to ``path`` with 0600 permissions (tmp file in the same dir, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@dataclass
class SessionState:
    """What a browser session has on disk. ``form`` holds the raw form values (see ``form.FORM_FIELDS``)."""

    form: dict[str, Any] = field(default_factory=dict)
    outline_text: str = ""
    run_dir: str | None = None
    facts_json: str | None = None  # the validated facts the run was started with
    pinned: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # document ids
    pending: dict[str, str] = field(default_factory=dict)  # section index → text typed but not yet committed
    updated: float = 0.0
    version: int = STATE_VERSION

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionState:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        state = cls(**known)
        if not isinstance(state.form, dict):
            state.form = {}
        state.pinned = [str(x) for x in state.pinned or []]
        state.excluded = [str(x) for x in state.excluded or []]
        state.pending = {str(k): str(v) for k, v in (state.pending or {}).items()} if isinstance(
            state.pending, dict) else {}
        return state


class SessionStore:
    """Sessions under ``root`` (``<home>/sessions``); one lock per session serialises its writes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._locks: dict[str, threading.RLock] = {}
        self._tasks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def lock(self, session_id: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(session_id, threading.RLock())

    def task_lock(self, session_id: str) -> threading.Lock:
        """Held while a session's model task (generate / regenerate) runs: one at a time per session."""
        with self._guard:
            return self._tasks.setdefault(session_id, threading.Lock())

    def ensure_id(self, session_id: object) -> str:
        """The given id if it is well-formed, else a fresh one (a forged or missing id starts a new session)."""
        return session_id if valid_session_id(session_id) else new_session_id()  # type: ignore[return-value]

    def dir(self, session_id: str) -> Path:
        if not valid_session_id(session_id):
            raise ValueError(f"invalid session id {session_id!r}")
        return self.root / session_id

    def load(self, session_id: str) -> SessionState:
        path = self.dir(session_id) / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return SessionState()
        except (OSError, json.JSONDecodeError):
            # Keep the unreadable file for inspection; the session starts afresh.
            path.replace(path.with_suffix(f".broken-{int(time.time())}"))
            return SessionState()
        return SessionState.from_dict(data) if isinstance(data, dict) else SessionState()

    def save(self, session_id: str, state: SessionState) -> None:
        state.updated = time.time()
        text = json.dumps(asdict(state), ensure_ascii=False, indent=1)
        with self.lock(session_id):
            write_private(self.dir(session_id) / STATE_FILE, text)

    def update(self, session_id: str, **changes: Any) -> SessionState:
        """Load, change some fields, save; returns the new state."""
        with self.lock(session_id):
            state = self.load(session_id)
            for key, value in changes.items():
                if key not in SessionState.__dataclass_fields__:
                    raise KeyError(key)
                setattr(state, key, value)
            self.save(session_id, state)
            return state
