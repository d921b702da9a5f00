"""The OpenAI-compatible client against a fault-injecting loopback server: each failure maps to its own
exception and Chinese message, retries happen only where safe (counted on the server), and the API key never
leaks into errors, logs or output."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator

import pytest
from fault_server import FaultServer, hang, ok, status, stream
from llm_fixtures import SECRET, record_sleeps, remote_settings, serve_faults

from drafter.llm import (
    AuthError,
    BadRequestError,
    ContextOverflowError,
    EmptyOutputError,
    EndpointUnreachableError,
    LLMError,
    LLMTimeoutError,
    MissingKeyError,
    ModelNotFoundError,
    RateLimitedError,
    ServerError,
    StreamInterruptedError,
    get_model,
    langchain_chat,
)
from drafter.llm.factory import resolve_endpoint
from drafter.llm.server import free_port
from drafter.llm.tokens import count_messages
from drafter.settings import Settings

MSGS = [{"role": "system", "content": "你是文秘。"}, {"role": "user", "content": "写一句话。"}]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def fault() -> Iterator[FaultServer]:
    yield from serve_faults()


def _raises(fault: FaultServer, exc_type: type[LLMError], **settings_kw: object) -> LLMError:
    model = get_model(settings=remote_settings(fault, **settings_kw))
    record_sleeps(model)
    with pytest.raises(exc_type) as info:
        model.execute(MSGS, stream=False).text()
    err = info.value
    assert CJK.search(err.user_message), err.user_message
    assert SECRET not in f"{err}{err!r}{err.user_message}"
    return err


# --- success paths -------------------------------------------------------------------------------------


def test_completion_sends_options_and_reads_usage(fault: FaultServer) -> None:
    fault.enqueue(ok("今年共开展活动12次。"))
    model = get_model(settings=remote_settings(fault, llm_temperature=0.2))
    response = model.execute(MSGS, stream=False, max_tokens=50, stop=["。"])
    assert response.text() == "今年共开展活动12次。"
    assert response.usage is not None and (
        response.usage.prompt_tokens,
        response.usage.completion_tokens,
    ) == (11, 7)
    assert response.finish_reason == "stop"
    assert response.elapsed_s is not None and response.first_token_s is not None
    (req,) = fault.requests
    assert req.body["model"] == "fault-model" and req.body["messages"] == MSGS
    assert (req.body["max_tokens"], req.body["temperature"], req.body["stop"]) == (50, 0.2, ["。"])
    assert req.headers["authorization"] == f"Bearer {SECRET}"


def test_stream_yields_chunks_as_they_arrive(fault: FaultServer) -> None:
    gate = threading.Event()
    fault.enqueue(
        stream(["一、", "主要做法", "。"], usage={"prompt_tokens": 5, "completion_tokens": 3}, gate=gate)
    )
    response = get_model(settings=remote_settings(fault)).execute(MSGS)
    chunks = iter(response)
    # The server holds everything after the first chunk until the gate opens: getting it proves streaming.
    assert next(chunks) == "一、"
    assert not response.done
    gate.set()
    assert list(chunks) == ["主要做法", "。"]
    assert response.text() == "一、主要做法。"
    assert response.usage is not None and response.usage.completion_tokens == 3
    assert response.finish_reason == "stop"
    assert fault.requests[0].body["stream"] is True
    assert response.first_token_s is not None and response.elapsed_s is not None
    assert response.first_token_s <= response.elapsed_s


def test_stages_use_their_models_and_models_are_reused(fault: FaultServer) -> None:
    settings = remote_settings(fault, llm_rewrite_model="rewriter")
    draft, rewrite = get_model("draft", settings), get_model("rewrite", settings)
    assert draft is get_model("draft", settings) and draft is not rewrite
    assert get_model("draft", remote_settings(fault, llm_rewrite_model="rewriter")) is draft  # equal settings
    fault.enqueue(ok("甲"), ok("乙"))
    draft.execute(MSGS, stream=False).text()
    rewrite.execute(MSGS, stream=False).text()
    assert [r.body["model"] for r in fault.requests] == ["fault-model", "rewriter"]
    with pytest.raises(ValueError):
        get_model("summarise", settings)


def test_stream_options_rejected_then_dropped(fault: FaultServer) -> None:
    fault.enqueue(stream(["好"], reject_stream_options=True), stream(["好"]), stream(["再"]))
    model = get_model(settings=remote_settings(fault))
    assert model.execute(MSGS).text() == "好"
    assert model.execute(MSGS).text() == "再"
    sent = ["stream_options" in r.body for r in fault.requests]
    assert sent == [True, False, False]


# --- each failure ----------------------------------------------------------------------------------------


def test_missing_key_for_remote_endpoint_fails_before_any_request() -> None:
    settings = Settings(llm_base_url="https://llm.example.com/v1", llm_api_key=None)
    with pytest.raises(MissingKeyError) as info:
        get_model(settings=settings)
    assert "DRAFTER_LLM_API_KEY" in info.value.user_message and "llm_api_key" in info.value.user_message
    with pytest.raises(MissingKeyError):
        langchain_chat(settings=Settings(llm_base_url="https://llm.example.com/v1", llm_api_key="  "))


def test_loopback_endpoint_needs_no_key(fault: FaultServer) -> None:
    fault.enqueue(ok("无需密钥"))
    model = get_model(settings=remote_settings(fault, llm_api_key=None))
    assert model.execute(MSGS, stream=False).text() == "无需密钥"


@pytest.mark.parametrize("code", [401, 403])
def test_auth_errors_are_not_retried(fault: FaultServer, code: int) -> None:
    fault.enqueue(status(code, f"Incorrect API key provided: {SECRET}"), ok())
    err = _raises(fault, AuthError)
    assert err.status == code and str(code) in err.user_message
    assert len(fault.requests) == 1


def test_model_not_found(fault: FaultServer) -> None:
    fault.enqueue(status(404, "The model `fault-model` does not exist", err_code="model_not_found"))
    err = _raises(fault, ModelNotFoundError)
    assert "fault-model" in err.user_message and "404" in err.user_message
    assert len(fault.requests) == 1


def test_429_honours_retry_after_then_succeeds(fault: FaultServer) -> None:
    fault.enqueue(status(429, "slow down", headers={"Retry-After": "3"}), ok("成功"))
    model = get_model(settings=remote_settings(fault))
    sleeps = record_sleeps(model)
    assert model.execute(MSGS, stream=False).text() == "成功"
    assert sleeps == [3.0] and len(fault.requests) == 2


def test_429_with_retry_after_ms(fault: FaultServer) -> None:
    fault.enqueue(status(429, "", headers={"retry-after-ms": "1500"}), ok("成功"))
    model = get_model(settings=remote_settings(fault))
    sleeps = record_sleeps(model)
    model.execute(MSGS, stream=False).text()
    assert sleeps == [1.5]


def test_429_with_long_retry_after_fails_at_once(fault: FaultServer) -> None:
    fault.enqueue(status(429, "quota", headers={"Retry-After": "120"}), ok())
    err = _raises(fault, RateLimitedError)
    assert err.retry_after == 120 and "120" in err.user_message and "429" in err.user_message
    assert len(fault.requests) == 1


def test_429_persisting_gives_up_after_max_retries(fault: FaultServer) -> None:
    fault.enqueue(*[status(429, "busy", headers={"Retry-After": "1"})] * 3, ok())
    err = _raises(fault, RateLimitedError, llm_max_retries=2)
    assert err.retry_after == 1
    assert len(fault.requests) == 3


def test_5xx_retried_with_backoff_then_raised(fault: FaultServer) -> None:
    fault.enqueue(status(500, "boom"), status(502, "bad gateway"), status(503, "unavailable"), ok())
    model = get_model(settings=remote_settings(fault, llm_max_retries=2))
    sleeps = record_sleeps(model)
    with pytest.raises(ServerError) as info:
        model.execute(MSGS, stream=False)
    assert info.value.status == 503 and "503" in info.value.user_message
    assert len(fault.requests) == 3 and len(sleeps) == 2
    assert 0 < sleeps[0] < sleeps[1] <= 8.0 * 1.2  # exponential, capped


def test_5xx_then_success(fault: FaultServer) -> None:
    fault.enqueue(status(503, "warming up"), stream(["恢复"]))
    model = get_model(settings=remote_settings(fault))
    record_sleeps(model)
    assert model.execute(MSGS).text() == "恢复"
    assert len(fault.requests) == 2


def test_no_retries_when_max_retries_is_zero(fault: FaultServer) -> None:
    fault.enqueue(status(500, "boom"), ok())
    _raises(fault, ServerError, llm_max_retries=0)
    assert len(fault.requests) == 1


def test_timeout_is_not_retried(fault: FaultServer) -> None:
    fault.enqueue(hang(5), ok())
    err = _raises(fault, LLMTimeoutError, llm_timeout=0.5)
    assert "0.5" in err.user_message and "DRAFTER_LLM_TIMEOUT" in err.user_message
    assert len(fault.requests) == 1


def test_unreachable_endpoint_is_retried_then_reported() -> None:
    port = free_port()  # nothing listens there
    settings = Settings(llm_base_url=f"http://127.0.0.1:{port}/v1", llm_max_retries=2)
    model = get_model(settings=settings)
    sleeps = record_sleeps(model)
    with pytest.raises(EndpointUnreachableError) as info:
        model.execute(MSGS)
    assert f"127.0.0.1:{port}" in info.value.user_message
    assert len(sleeps) == 2


def test_context_overflow_openai_style(fault: FaultServer) -> None:
    fault.enqueue(
        status(
            400,
            "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
            err_code="context_length_exceeded",
        )
    )
    err = _raises(fault, ContextOverflowError)
    assert isinstance(err, ContextOverflowError) and err.context_window == 8192
    assert "8192" in err.user_message and len(fault.requests) == 1


def test_other_400_is_a_bad_request(fault: FaultServer) -> None:
    fault.enqueue(status(400, "temperature must be <= 2"))
    err = _raises(fault, BadRequestError)
    assert "400" in err.user_message and len(fault.requests) == 1


def test_stream_cut_midway_keeps_partial_text(fault: FaultServer) -> None:
    fault.enqueue(stream(["一、总体情况", "今年以来"], finish=None, done=False))
    response = get_model(settings=remote_settings(fault)).execute(MSGS)
    received = []
    with pytest.raises(StreamInterruptedError) as info:
        for chunk in response:
            received.append(chunk)
    assert received == ["一、总体情况", "今年以来"]
    assert info.value.partial == "一、总体情况今年以来"
    assert "中断" in info.value.user_message
    assert len(fault.requests) == 1  # text already went out: no retry, no probe
    with pytest.raises(StreamInterruptedError):  # the response remembers how it ended
        response.text()


def test_stream_aborted_connection(fault: FaultServer) -> None:
    fault.enqueue(stream(["第一段"], abort=True))
    response = get_model(settings=remote_settings(fault)).execute(MSGS)
    with pytest.raises(StreamInterruptedError) as info:
        response.text()
    assert info.value.partial == "第一段"


def test_stream_cut_before_text_is_diagnosed_as_context_overflow(fault: FaultServer) -> None:
    # llama.cpp's server reports an over-long prompt only after sending 200 headers: the stream just breaks.
    fault.enqueue(
        stream([], finish=None, done=False),
        status(
            400, "Requested tokens (5000) exceed context window of 4096", err_code="context_length_exceeded"
        ),
    )
    model = get_model(settings=remote_settings(fault))
    with pytest.raises(ContextOverflowError) as info:
        model.execute(MSGS).text()
    assert info.value.context_window == 4096
    probe = fault.requests[1].body
    assert probe["max_tokens"] == 1 and "stream" not in probe


def test_stream_cut_before_text_without_a_cause(fault: FaultServer) -> None:
    fault.enqueue(stream([], finish=None, done=False), ok("x"))
    with pytest.raises(StreamInterruptedError) as info:
        get_model(settings=remote_settings(fault)).execute(MSGS).text()
    assert info.value.partial == ""


@pytest.mark.parametrize(
    "answer",
    [
        ok(""),
        ok("   \n"),
        ok(None),
        ok(choices=[]),
        ok(
            choices=[
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {"id": "1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                        ],
                    },
                    "finish_reason": "tool_calls",
                }
            ]
        ),
    ],
    ids=["empty", "whitespace", "null", "no-choices", "tool-calls-only"],
)
def test_empty_or_non_text_output(fault: FaultServer, answer: object) -> None:
    fault.enqueue(answer)  # type: ignore[arg-type]
    err = _raises(fault, EmptyOutputError)
    assert "没有返回" in err.user_message


def test_empty_stream(fault: FaultServer) -> None:
    fault.enqueue(stream([]))
    with pytest.raises(EmptyOutputError):
        get_model(settings=remote_settings(fault)).execute(MSGS).text()


# --- the key never leaks -------------------------------------------------------------------------------


def test_key_never_logged_printed_or_shown(
    fault: FaultServer, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)  # openai, httpx and our own loggers at their most verbose
    settings = remote_settings(fault)
    assert (
        SECRET not in repr(settings)
        and SECRET not in str(settings)
        and SECRET not in str(settings.model_dump())
    )
    model = get_model(settings=settings)
    record_sleeps(model)
    fault.enqueue(
        status(500, f"upstream rejected key {SECRET}"),
        status(401, f"Incorrect API key provided: {SECRET}"),
        stream(["好"], abort=True),
        ok("完成"),
    )
    seen: list[str] = [
        repr(model),
        repr(langchain_chat(settings=settings)),
        repr(resolve_endpoint("draft", settings)),
    ]
    with pytest.raises(AuthError) as info:
        model.execute(MSGS, stream=False)
    seen += [str(info.value), repr(info.value), info.value.user_message, str(info.value.args)]
    with pytest.raises(StreamInterruptedError) as info2:
        model.execute(MSGS).text()
    seen += [str(info2.value), repr(info2.value)]
    assert model.execute(MSGS, stream=False).text() == "完成"
    out = capsys.readouterr()
    seen += [out.out, out.err, caplog.text, *(str(r.__dict__) for r in caplog.records)]
    assert len(caplog.records) > 0  # logging really was on
    for text in seen:
        assert SECRET not in text
        assert SECRET[3:15] not in text


# --- LangChain -------------------------------------------------------------------------------------------


def test_langchain_chat_uses_the_same_endpoint_and_counts_offline(fault: FaultServer) -> None:
    from langchain_core.messages import HumanMessage, SystemMessage

    fault.enqueue(ok("来自 LangChain"))
    chat = langchain_chat("draft", remote_settings(fault, llm_temperature=0.1))
    reply = chat.invoke([SystemMessage("你是文秘。"), HumanMessage("写一句话。")])
    assert reply.content == "来自 LangChain"
    (req,) = fault.requests
    assert req.body["model"] == "fault-model" and req.body["temperature"] == 0.1
    assert req.headers["authorization"] == f"Bearer {SECRET}"
    lc_count = chat.get_num_tokens_from_messages([SystemMessage("你是文秘。"), HumanMessage("写一句话。")])
    assert lc_count == count_messages(MSGS)
