"""A fault-injecting OpenAI-compatible HTTP server on loopback, for the LLM layer's tests.

Tests ``enqueue()`` one scripted answer per expected request (a normal completion, a stream, an HTTP error
with headers, a hang, a stream cut mid-way); every request is recorded in ``requests`` so retries can be
counted. A request with nothing queued gets a 599 so a test cannot pass by accident. Stdlib only, bound to
127.0.0.1 on a free port, served from a daemon thread; ``close()`` (or the context manager) stops it.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Action = Callable[["_Handler", dict[str, Any]], None]


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)


def _completion(content: Any, finish: str = "stop", *, choices: list[Any] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "fault",
        "choices": choices
        if choices is not None
        else [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }


def _chunk(delta: dict[str, Any], finish: str | None = None, usage: dict[str, int] | None = None) -> bytes:
    data = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fault",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}] if delta is not None else [],
    }
    if usage is not None:
        data["usage"] = usage
    return b"data: " + json.dumps(data, ensure_ascii=False).encode() + b"\n\n"


# --- scripted answers ----------------------------------------------------------------------------------


def ok(content: Any = "好的。", finish: str = "stop", choices: list[Any] | None = None) -> Action:
    def act(h: _Handler, body: dict[str, Any]) -> None:
        h.send_json(200, _completion(content, finish, choices=choices))

    return act


def status(
    code: int, message: str = "", *, headers: dict[str, str] | None = None, err_code: str | None = None
):
    def act(h: _Handler, body: dict[str, Any]) -> None:
        h.send_json(code, {"error": {"message": message, "type": "test_error", "code": err_code}}, headers)

    return act


def hang(seconds: float, then: Action | None = None) -> Action:
    def act(h: _Handler, body: dict[str, Any]) -> None:
        h.server.stopping.wait(seconds)  # type: ignore[attr-defined]
        (then or ok())(h, body)

    return act


def stream(
    chunks: list[str],
    *,
    finish: str | None = "stop",
    done: bool = True,
    usage: dict[str, int] | None = None,
    abort: bool = False,
    gate: threading.Event | None = None,
    reject_stream_options: bool = False,
) -> Action:
    """SSE answer. ``finish=None, done=False`` ends the body cleanly but early (a cut); ``abort`` closes the
    socket in the middle of a chunked body; ``gate`` holds the rest back after the first chunk until set."""

    def act(h: _Handler, body: dict[str, Any]) -> None:
        if reject_stream_options and "stream_options" in body:
            h.send_json(400, {"error": {"message": "Unrecognized request argument: stream_options"}})
            return
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        h.write_chunk(_chunk({"role": "assistant", "content": ""}))
        for i, text in enumerate(chunks):
            h.write_chunk(_chunk({"content": text}))
            if i == 0 and gate is not None:
                gate.wait(10)
        if abort:
            h.wfile.write(b'40\r\ndata: {"truncated')  # promised 64 bytes, sent fewer, then gone
            h.wfile.flush()
            h.close_connection = True
            return
        if finish is not None:
            h.write_chunk(_chunk({}, finish))
        if usage is not None:
            h.write_chunk(_chunk(None, None, usage))  # type: ignore[arg-type]
        if done:
            h.write_chunk(b"data: [DONE]\n\n")
        h.write_chunk(b"")  # terminating chunk: a clean end of the body

    return act


# --- the server --------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_json(self, code: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def do_GET(self) -> None:
        self.server.record(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}))
        self.send_json(200, {"object": "list", "data": [{"id": "fault", "object": "model"}]})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = {}
        self.server.record(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        action = self.server.next_action()
        if action is None:
            self.send_json(599, {"error": {"message": "fault server: no scripted answer for this request"}})
            return
        action(self, body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: deque[Action] = deque()
        self.requests: list[Recorded] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()

    def record(self, req: Recorded) -> None:
        with self._lock:
            self.requests.append(req)

    def next_action(self) -> Action | None:
        with self._lock:
            return self.script.popleft() if self.script else None


class FaultServer:
    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[Recorded]:
        return [r for r in self._server.requests if r.path.endswith("/chat/completions")]

    @property
    def pending(self) -> int:
        return len(self._server.script)

    def enqueue(self, *actions: Action) -> FaultServer:
        self._server.script.extend(actions)
        return self

    def close(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> FaultServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``predicate`` until true or ``timeout`` seconds pass (a bounded wait, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
