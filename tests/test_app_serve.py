"""`python app.py` and `drafter web` serve the app on settings.host:settings.port with the queue enabled,
offline-safe config."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ENTRIES = {"python app.py": [sys.executable, str(REPO / "app.py")],
           "drafter web": [sys.executable, "-m", "drafter.cli", "web"]}


@pytest.mark.parametrize("entry", list(ENTRIES))
def test_app_serves_on_configured_port(entry, drafter_home):
    port = free_port()
    env = {**os.environ, "DRAFTER_PORT": str(port), "DRAFTER_HOST": "127.0.0.1"}
    log = drafter_home / "app.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(ENTRIES[entry], cwd=REPO, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        assert page.status_code == 200
        config = httpx.get(f"http://127.0.0.1:{port}/config", timeout=10).json()
        assert config["enable_queue"] is True
        assert config["footer_links"] == [] and config.get("analytics_enabled") is False
        text = json.dumps(config, ensure_ascii=False)
        assert "googleapis" not in text and "公文起草助手" in text
        assert "googleapis" not in page.text and "cdn.jsdelivr" not in page.text
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
