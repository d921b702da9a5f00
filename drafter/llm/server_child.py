"""Child-process entry that runs ``llama_cpp.server`` and dies with its owner.

Started as ``python -m drafter.llm.server_child --owner-pid PID llama_cpp.server <server args>``. Before handing
over to ``llama_cpp.server`` it removes environment variables that llama.cpp's own settings would read
(``PORT``, ``HOST``, ``API_KEY``, ``N_CTX``, ...: its settings classes read the environment without a prefix,
and ``uvicorn.run`` prefers ``$PORT`` over ``--port``), and starts a watchdog thread that terminates this process
once the owner is gone — so even a SIGKILLed owner leaves no server behind. Deliberately imports nothing
from drafter.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import threading
import time

WATCH_INTERVAL_S = 0.5


def _owner_alive(owner_pid: int) -> bool:
    if os.getppid() != owner_pid:  # re-parented: the owner exited
        return False
    try:
        os.kill(owner_pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch(owner_pid: int) -> None:
    while _owner_alive(owner_pid):
        time.sleep(WATCH_INTERVAL_S)
    os.kill(os.getpid(), signal.SIGTERM)  # lets uvicorn shut down cleanly
    time.sleep(5)
    os._exit(0)


def _scrub_environment() -> None:
    from llama_cpp.server.settings import ConfigFileSettings, Settings

    names = {name.lower() for name in (*Settings.model_fields, *ConfigFileSettings.model_fields)}
    names |= {"host", "port", "config_file"}
    for var in list(os.environ):
        if var.lower() in names:
            del os.environ[var]


def main(argv: list[str]) -> None:
    """``--owner-pid PID MODULE [ARGS...]``: MODULE is ``llama_cpp.server`` (tests pass a stand-in server)."""
    if len(argv) < 3 or argv[0] != "--owner-pid":
        sys.exit("usage: python -m drafter.llm.server_child --owner-pid PID llama_cpp.server [ARGS...]")
    owner_pid, module = int(argv[1]), argv[2]
    threading.Thread(target=_watch, args=(owner_pid,), name="owner-watchdog", daemon=True).start()
    if module == "llama_cpp.server":
        _scrub_environment()
    sys.argv = [module, *argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
