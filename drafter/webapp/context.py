"""The app's process-wide context: settings, the corpus store, the drafting engine and sessions.

Built once by ``drafter.webapp.launch.serve`` (or by a test, with a scripted model and a temp store); nothing
is opened until first use. ``reload_settings`` reads the settings again after the settings tab saved
``<home>/.env`` (the engine is rebuilt lazily).
"""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

from drafter.settings import Settings, get_settings, reread
from drafter.webapp.sessions import SessionStore, write_private


class AppContext:
    def __init__(self, settings: Settings | None = None, *, store=None, engine=None, model=None,
                 rewrite_model=None) -> None:
        self.settings = settings or get_settings()
        self._store = store
        self._engine = engine
        self._model, self._rewrite_model = model, rewrite_model
        self._lock = threading.Lock()
        self.sessions = SessionStore(self.settings.home / "sessions")

    @property
    def store(self):
        with self._lock:
            if self._store is None:
                from vectorstore.store import CorpusStore

                self._store = CorpusStore(self.settings)
            return self._store

    @property
    def engine(self):
        store = self.store
        with self._lock:
            if self._engine is None:
                from drafter.engine import DraftEngine

                self._engine = DraftEngine(self.settings, store=store, model=self._model,
                                           rewrite_model=self._rewrite_model)
            return self._engine

    def reload_settings(self) -> Settings:
        """Re-read the UI-saved settings; the next drafting action uses them."""
        with self._lock:
            self.settings = reread(self.settings)
            if self._engine is not None and self._model is None:
                self._engine = None  # models are built from settings; an injected model stays
            elif self._engine is not None:
                self._engine.settings = self.settings
            return self.settings

    def browser_secret(self) -> str:
        """A stable key for the encrypted session id in the browser (so it survives an app restart)."""
        path = Path(self.settings.home) / ".browser_secret"
        try:
            value = path.read_text(encoding="utf-8").strip()
            if len(value) >= 32:
                return value
        except FileNotFoundError:
            pass
        value = secrets.token_urlsafe(32)
        write_private(path, value)
        return value
