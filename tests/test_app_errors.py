"""An unexpected failure in a UI action is reported as a Chinese status line instead of breaking the page."""

from __future__ import annotations

from drafter.llm.errors import LLMTimeoutError
from drafter.webapp.errors import safe_call, safe_stream
from drafter.webapp.patch import Patch


def test_safe_call_turns_exceptions_into_a_status():
    def boom():
        raise RuntimeError("磁盘已满")

    patch = safe_call(boom)
    assert "操作未完成：RuntimeError: 磁盘已满" in patch.status and "已保存" in patch.status
    assert safe_call(lambda: Patch(status="ok")) == Patch(status="ok")


def test_safe_stream_keeps_what_was_streamed_and_uses_the_user_message():
    def stream():
        yield Patch(status="first")
        raise LLMTimeoutError(3)

    patches = list(safe_stream(stream))
    assert patches[0] == Patch(status="first")
    assert "模型服务在 3 秒内没有响应" in patches[1].status
