"""The embedded llama.cpp server: started on demand, one per process, reused, health-checked, never orphaned.

When no endpoint is configured, :func:`local_endpoint` gives a :class:`LocalEndpoint` whose ``ensure()``
returns a base URL (``http://127.0.0.1:PORT/v1``) of a healthy OpenAI-compatible server for the verified model:

* a server this process started earlier with the same model/context/threads (one per process), else
* a server another drafter process recorded in ``<home>/run/llm_server.json`` (e.g. ``drafter serve``), if its
  process is alive and answers, else
* a new ``python -m llama_cpp.server`` child on a free loopback port (via :mod:`drafter.llm.server_child`,
  whose watchdog ends it if this process dies), waited for with a bounded timeout; if it exits early the
  error carries the tail of its log (``<home>/logs/llm_server.log``).

The files it keeps under ``<home>`` (state, log, last crash) are read and written by
:mod:`drafter.llm.server_files`.

Health before each use is checked without touching llama.cpp's model lock (process alive + TCP connect):
``GET /v1/models`` takes that lock and, while another answer streams, would block. Requests queue instead of
interrupting each other (``--interrupt_requests False``). Servers this process owns are stopped at exit
(atexit, and SIGTERM/SIGHUP handlers chained to any existing ones) by killing their process group.

llama.cpp picks the chat format from the GGUF metadata: for Qwen2.5 the file's own Jinja chat template
(ChatML with ``<|im_end|>`` as stop token) is used, which is what the model was trained on.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from drafter.llm.errors import LLMError, LocalModelCrashedError, LocalServerError, ModelNotInstalledError
from drafter.llm.model_file import ensure_model_file, file_lock
from drafter.llm.server_files import CRASH_FILE, LOG_FILE, log_tail, read_state, record_crash, write_state
from drafter.settings import Settings

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
MODEL_ALIAS = "local"
PROMPT_CACHE_BYTES = 256 << 20  # llama.cpp states kept for prompt-prefix reuse (server_args)
_SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context")


@dataclass(frozen=True)
class ServerConfig:
    model_path: Path
    n_ctx: int
    threads: int
    chat_format: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerConfig:
        return cls(
            model_path=ensure_model_file(settings).resolve(),
            n_ctx=settings.local_ctx,
            threads=settings.local_threads,
            chat_format=settings.local_chat_format,
        )

    def server_args(self, port: int) -> list[str]:
        args = [
            "--model", str(self.model_path),
            "--model_alias", MODEL_ALIAS,
            "--host", HOST,
            "--port", str(port),
            "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.threads),
            "--n_threads_batch", str(self.threads),
            "--logits_all", "false",  # all-token logits cost n_ctx x vocab floats and slow prompt eval
            "--use_mlock", "false",
            "--interrupt_requests", "false",  # queue concurrent requests instead of cutting streams
            # keep the evaluated state of each finished call, so a call whose prompt starts like an earlier one
            # (the same system prompt after a call of another kind) evaluates only what follows; a state is a few
            # MB, and prompt processing runs at ~30 tokens/s on 2 AVX2 cores (bench/bench_pipeline.py)
            "--cache", "true",
            "--cache_type", "ram",
            "--cache_size", str(PROMPT_CACHE_BYTES),
        ]  # fmt: skip
        if self.chat_format:
            args += ["--chat_format", self.chat_format]
        return args


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def port_open(port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def models_ok(base: str, timeout: float) -> bool:
    """GET /v1/models answers 200 with a model list (only used when the server is idle: it takes the lock)."""
    try:
        r = httpx.get(f"{base}/v1/models", timeout=timeout)
        return r.status_code == 200 and isinstance(r.json().get("data"), list)
    except (httpx.HTTPError, ValueError):
        return False


class EmbeddedServer:
    """One ``llama_cpp.server`` child process owned by this process."""

    module = "llama_cpp.server"  # what server_child runs (tests substitute a stand-in that can crash)

    def __init__(self, config: ServerConfig, *, log_path: Path, start_timeout: float) -> None:
        self.config = config
        self.log_path = log_path
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.port: int | None = None
        self._crash: LocalModelCrashedError | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def crashed(self) -> LocalModelCrashedError | None:
        """The error for a child that exited on its own after it was up (None while it runs or after stop()).

        Reads the process status (``poll`` also reaps a zombie), so a dead server is noticed at once, not when
        a read times out."""
        if self._crash is None and self.proc is not None and self.proc.poll() is not None:
            self._crash = LocalModelCrashedError(exit_code=self.proc.returncode, log_tail=log_tail(self.log_path))
            log.error("llama.cpp server pid=%d exited on its own: %s", self.proc.pid, self._crash.detail)
            record_crash(self.log_path.parent / CRASH_FILE.name, self._crash)
        return self._crash

    def healthy(self) -> bool:
        """Alive and accepting connections (a second, longer try before declaring a live process dead)."""
        if not self.alive() or self.port is None:
            return False
        return port_open(self.port, timeout=1.0) or (self.alive() and port_open(self.port, timeout=5.0))

    def start(self, port: int | None = None) -> None:
        """Start the child and wait until it serves; retries another port if the chosen one was taken."""
        for attempt in range(3):
            chosen = port if (port and attempt == 0) else free_port()
            try:
                self._start_once(chosen)
                return
            except LocalServerError as exc:
                if "address already in use" not in exc.log_tail.lower() or attempt == 2:
                    raise
                log.info("port %d was taken, trying another", chosen)

    def _start_once(self, port: int) -> None:
        missing = [name for name in _SERVER_MODULES if importlib.util.find_spec(name) is None]
        if missing and self.module == "llama_cpp.server":  # checked without importing llama_cpp itself
            raise ModelNotInstalledError(f"llama-cpp-python[server] is incomplete: missing {', '.join(missing)}")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable, "-m", "drafter.llm.server_child",
            "--owner-pid", str(os.getpid()),
            self.module, *self.config.server_args(port),
        ]  # fmt: skip
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with self.log_path.open("wb") as logf:
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT, env=env,
                start_new_session=True,  # own process group: Ctrl-C in a terminal reaches us, we stop it
            )  # fmt: skip
        self.port = port
        self._crash = None
        _register(self)
        log.info(
            "starting llama.cpp server pid=%d on %s (model %s)",
            self.proc.pid,
            self.url,
            self.config.model_path,
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.stop()
                raise LocalServerError(
                    f"llama.cpp server exited with code {code} during start-up",
                    log_tail=log_tail(self.log_path),
                )
            if models_ok(self.url, timeout=2.0):
                log.info("llama.cpp server ready on %s", self.url)
                return
            time.sleep(0.2)
        self.stop()
        raise LocalServerError(
            f"llama.cpp server not ready within {self.start_timeout:g} s", log_tail=log_tail(self.log_path)
        )

    def stop(self) -> None:
        """Terminate the child's process group (TERM, then KILL after 5 s) and reap it.

        Liveness is read from /proc rather than ``Popen.wait``: this may run inside a signal handler that
        interrupted a ``wait()`` in the main thread, which holds Popen's wait lock.
        """
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with _lock:
            if self in _owned:
                _owned.remove(self)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)
            deadline = time.monotonic() + 5.0
            while pid_alive(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not pid_alive(proc.pid):
                break
        with contextlib.suppress(ProcessLookupError, PermissionError):  # a grandchild must not survive either
            os.killpg(proc.pid, signal.SIGKILL)
        proc.poll()
        log.info("stopped llama.cpp server pid=%d", proc.pid)


# --- process-wide registry, exit and signal handling -------------------------------------------------------

_lock = threading.RLock()
_owned: list[EmbeddedServer] = []
_hooks_installed = False
_previous_handlers: dict[int, Any] = {}


def _register(server: EmbeddedServer) -> None:
    global _hooks_installed
    with _lock:
        if server not in _owned:
            _owned.append(server)
        if not _hooks_installed:
            atexit.register(stop_all)
            _install_signal_handlers()
            _hooks_installed = True


def stop_all() -> None:
    """Stop every server this process started (atexit and signal handlers call this; tests may too)."""
    with _lock:
        servers = list(_owned)
        _owned.clear()
        _endpoints.clear()
    for server in servers:
        server.stop()


def _install_signal_handlers() -> None:
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set handlers; atexit and the child's watchdog still cover us
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            _previous_handlers[sig] = signal.signal(sig, _on_signal)
        except (ValueError, OSError):  # pragma: no cover - unusual embedding
            continue


def _on_signal(signum: int, frame: FrameType | None) -> None:
    stop_all()
    previous = _previous_handlers.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_IGN:
        return
    else:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


# --- endpoints --------------------------------------------------------------------------------------------


class LocalEndpoint:
    """The embedded model's endpoint; ``ensure()`` health-checks and returns a usable base URL."""

    def __init__(self, config: ServerConfig, settings: Settings) -> None:
        self.config = config
        self._settings = settings
        self._server: EmbeddedServer | None = None
        self._external: dict[str, Any] | None = None
        self._lock = threading.RLock()

    def ensure(self) -> str:
        with self._lock:
            if self._server is not None and self._server.healthy():
                return self._server.url + "/v1"
            if self._external is not None and self._external_healthy(self._external):
                return str(self._external["url"]) + "/v1"
            self._external = None
            with file_lock(self._settings.home / "run" / "llm_server.lock"):
                state = read_state(self._settings)
                if state and self._matches(state) and self._external_healthy(state, full=True):
                    log.info("reusing llama.cpp server %s (pid %s)", state["url"], state["pid"])
                    self._external = state
                    return str(state["url"]) + "/v1"
                self._start_own()
            assert self._server is not None
            return self._server.url + "/v1"

    def crash_check(self) -> LLMError | None:
        """The crash error if the server this endpoint uses has exited on its own, else None (cheap: process
        status only). Called by the chat client while it streams and when a request fails to connect."""
        with self._lock:
            server, external = self._server, self._external
        if server is not None:
            return server.crashed()
        if external is not None and not pid_alive(int(external.get("pid", 0))):
            return LocalModelCrashedError(exit_code=None, log_tail=log_tail(Path(str(external.get("log", "")))))
        return None

    def _start_own(self) -> None:
        previous_port = None
        if self._server is not None:  # died: restart, on the same port if we can (keeps clients' URLs valid)
            log.warning("llama.cpp server %s is gone; restarting it", self._server.url)
            self.crash_check()  # keep the record of how it ended
            previous_port = self._server.port
            self._server.stop()
        settings = self._settings
        self._server = EmbeddedServer(
            self.config,
            log_path=settings.home / LOG_FILE,
            start_timeout=settings.local_start_timeout,
        )
        self._server.start(port=previous_port)
        write_state(settings, self._server)

    def _matches(self, state: dict[str, Any]) -> bool:
        return (
            state.get("model_path") == str(self.config.model_path) and state.get("n_ctx") == self.config.n_ctx
        )

    @staticmethod
    def _external_healthy(state: dict[str, Any], *, full: bool = False) -> bool:
        try:
            pid, port, url = int(state["pid"]), int(state["port"]), str(state["url"])
        except (KeyError, TypeError, ValueError):
            return False
        if not (pid_alive(pid) and port_open(port)):
            return False
        return models_ok(url, timeout=5.0) if full else True

    @property
    def owned_server(self) -> EmbeddedServer | None:
        return self._server

    def status(self) -> dict[str, Any]:
        with self._lock:
            if self._server is not None:
                return {"url": self._server.url, "owned": True, "healthy": self._server.healthy()}
            if self._external is not None:
                return {
                    "url": self._external["url"],
                    "owned": False,
                    "healthy": self._external_healthy(self._external),
                }
            return {"url": None, "owned": False, "healthy": False}


_endpoints: dict[ServerConfig, LocalEndpoint] = {}


def local_endpoint(settings: Settings) -> LocalEndpoint:
    """The process-wide endpoint for this model configuration, started (or reused) and healthy."""
    config = ServerConfig.from_settings(settings)
    with _lock:
        endpoint = _endpoints.get(config)
        if endpoint is None:
            endpoint = _endpoints[config] = LocalEndpoint(config, settings)
    endpoint.ensure()
    return endpoint
