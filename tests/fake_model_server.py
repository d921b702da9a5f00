"""A stand-in for ``llama_cpp.server`` that the embedded-server machinery starts like the real one, and that can
die mid-stream the way a crashing llama.cpp does (SIGSEGV raised on itself).

Run by ``drafter.llm.server_child`` (``EmbeddedServer.module = "fake_model_server"``, this folder on
PYTHONPATH). Behaviour from the environment:

- ``FAKE_MODEL_CRASH``: ``segv`` — every completion streams two chunks, then the process reads address 0
  (a real SIGSEGV); ``once`` — the same, but only while ``FAKE_MODEL_MARKER`` does not exist (it is created just before
  the crash, so a restarted server answers normally); ``after:N`` — the N-th completion of this process
  crashes (earlier ones finish); anything else — never crashes.
- ``FAKE_MODEL_STARTS``: a file that gets one line per start (tests count restarts with it).

``POST /extras/tokenize/count`` answers like llama-cpp-python's (one token per character here) and is no
completion: it never crashes.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TEXT = ["坚持把党建工作摆在突出位置，", "健全工作机制，压实工作责任，", "推动各项任务落地见效。",
        "全年共开展主题党日活动，", "党员队伍活力进一步增强。"]
_completions = 0


def _should_crash() -> bool:
    mode = os.environ.get("FAKE_MODEL_CRASH", "")
    if mode == "segv":
        return True
    if mode == "once":
        marker = Path(os.environ["FAKE_MODEL_MARKER"])
        if marker.exists():
            return False
        marker.write_text("crashed\n")
        return True
    if mode.startswith("after:"):
        return _completions == int(mode.split(":", 1)[1])
    return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write("fake server: " + format % args + "\n")

    def do_GET(self) -> None:
        self._json({"object": "list", "data": [{"id": "local", "object": "model"}]})

    def _json(self, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        global _completions
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/extras/tokenize/count":
            self._json({"count": len(request.get("input", ""))})
            return
        _completions += 1
        crash = _should_crash()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for i, piece in enumerate(TEXT):
            if crash and i == 2:
                sys.stderr.write("ggml_backend_amx_mul_mat: simulated crash\n")
                sys.stderr.flush()
                ctypes.string_at(0)  # a real segmentation fault, in this very thread
            self._event({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
            time.sleep(0.05)
        self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if request.get("stream_options"):
            self._event({"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": len(TEXT)}})
        self.wfile.write(b"data: [DONE]\n\n")

    def _event(self, payload: dict) -> None:
        payload = {"id": "x", "object": "chat.completion.chunk", "model": "local", "created": 0, **payload}
        self.wfile.write(f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode())
        self.wfile.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    ns, _ = parser.parse_known_args()
    starts = os.environ.get("FAKE_MODEL_STARTS")
    if starts:
        with open(starts, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")
    signal.signal(signal.SIGSEGV, signal.SIG_DFL)
    ThreadingHTTPServer((ns.host, ns.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
