"""MockModel and Response: scripted answers, recorded history, loud failure on an empty queue, and the
Response's streaming bookkeeping (re-iteration, partial reads, errors remembered)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from drafter.llm import ChatModel, MockModel, MockQueueEmptyError, Response, StreamInterruptedError, Usage
from drafter.llm.base import Finish
from drafter.settings import REPO_ROOT

MSGS = [{"role": "user", "content": "写一段总结。"}]


def test_mock_is_a_chat_model_and_records_history() -> None:
    mock = MockModel()
    assert isinstance(mock, ChatModel)
    mock.enqueue("第一段。").enqueue(["一、", "二、"])
    assert mock.execute(MSGS, temperature=0.1, max_tokens=20).text() == "第一段。"
    assert list(mock.execute(MSGS, stream=True, stop=["。"])) == ["一、", "二、"]
    assert mock.history == [
        (MSGS, {"stream": True, "temperature": 0.1, "max_tokens": 20, "stop": None}),
        (MSGS, {"stream": True, "temperature": None, "max_tokens": None, "stop": ["。"]}),
    ]
    assert mock.pending == 0


def test_history_is_a_snapshot() -> None:
    mock = MockModel().enqueue("好")
    messages = [{"role": "user", "content": "原文"}]
    mock.execute(messages).text()
    messages[0]["content"] = "改了"
    assert mock.history[0][0][0]["content"] == "原文"


def test_empty_queue_fails_loudly() -> None:
    mock = MockModel("scripted").enqueue("一次")
    mock.execute(MSGS).text()
    with pytest.raises(MockQueueEmptyError, match=r"call #2 but nothing was enqueued"):
        mock.execute(MSGS)


def test_enqueued_exceptions_raise_at_execute_or_mid_stream() -> None:
    mock = MockModel()
    mock.enqueue(TimeoutError("boom"))
    mock.enqueue(["已写", "一半", StreamInterruptedError("已写一半")])
    with pytest.raises(TimeoutError):
        mock.execute(MSGS)
    response = mock.execute(MSGS)
    got = []
    with pytest.raises(StreamInterruptedError):
        for chunk in response:
            got.append(chunk)
    assert got == ["已写", "一半"]
    with pytest.raises(TypeError):
        mock.enqueue(42)  # type: ignore[arg-type]


def test_invalid_messages_rejected() -> None:
    mock = MockModel().enqueue("x")
    with pytest.raises(ValueError):
        mock.execute([])
    with pytest.raises(ValueError):
        mock.execute([{"role": "robot", "content": "hi"}])
    with pytest.raises(ValueError):
        mock.execute([{"role": "user", "content": None}])  # type: ignore[dict-item]


def test_response_bookkeeping() -> None:
    def source():
        yield "甲"
        yield ""
        yield "乙"
        yield Usage(prompt_tokens=3, completion_tokens=2)
        yield Finish("length")

    response = Response(source(), model_id="m")
    it = iter(response)
    assert next(it) == "甲"
    assert not response.done and response.usage is None
    assert response.text() == "甲乙"  # reads the rest
    assert response.done and response.finish_reason == "length"
    assert response.usage == Usage(3, 2)
    assert list(response) == ["甲", "乙"]  # iterating again replays
    assert response.first_token_s is not None and response.elapsed_s is not None
    assert response.first_token_s <= response.elapsed_s


def test_response_close_stops_reading() -> None:
    closed = []

    def source():
        try:
            yield "a"
            yield "b"
        finally:
            closed.append(True)

    response = Response(source(), model_id="m")
    assert next(iter(response)) == "a"
    response.close()
    assert closed == [True] and response.done and response.text() == "a"


def test_importing_the_package_builds_no_client() -> None:
    code = (
        "import sys, drafter.llm\n"
        "heavy = [m for m in ('openai', 'httpx', 'httpx2', 'langchain_openai', 'tiktoken', 'llama_cpp')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True)
