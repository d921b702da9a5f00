"""Unexpected failures in a UI action become a Chinese status line (and a log entry), never a broken page."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from drafter.webapp import render
from drafter.webapp.patch import Patch

log = logging.getLogger("drafter.webapp")


def failure_patch(exc: BaseException) -> Patch:
    message = getattr(exc, "user_message", None) or f"{type(exc).__name__}: {exc}"
    return Patch(status=render.notice(f"操作未完成：{message}（已填写的内容均已保存，详情见日志）", "error"))


def safe_call(action: Callable[[], Patch]) -> Patch:
    try:
        return action()
    except Exception as exc:
        log.exception("UI action failed")
        return failure_patch(exc)


def safe_stream(action: Callable[[], Iterator[Patch]]) -> Iterator[Patch]:
    try:
        yield from action()
    except Exception as exc:
        log.exception("UI streaming action failed")
        yield failure_patch(exc)
