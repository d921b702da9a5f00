"""ChatModel over any OpenAI-compatible endpoint, built on the ``openai`` client.

Why the ``openai`` client rather than langchain-openai's ``ChatOpenAI`` for the core path: drafter needs to tell
failures apart precisely (status codes, ``Retry-After``, a stream cut mid-way vs. an empty answer) and to time the
first token; ``openai`` exposes the raw exceptions, headers and stream chunks, while ``ChatOpenAI`` wraps them
(and retries internally). ``langchain_chat()`` in :mod:`drafter.llm.factory` still offers a ``ChatOpenAI`` built
from the same resolved endpoint for code that wants LangChain.

Retries: the client is built with ``max_retries=0`` and an explicit timeout; this module retries on its own,
at most ``llm_max_retries`` times with exponential backoff, only where it is safe and useful — connection
failures, 429 (waiting what ``Retry-After`` asks, unless that exceeds ``MAX_RETRY_WAIT_S``: then the error is
raised at once) and 5xx. It does not retry timeouts (the server may still be working on the request; a second
one would queue behind it on a shared CPU), 4xx, or a stream that already produced text.

A dead model process is not a network failure: for the embedded server the client gets a ``crash_check``
(process status). While a stream is read a watcher polls it every ``CRASH_POLL_S`` and closes the stream when
the process is gone, so a crash surfaces within a second as :class:`LocalModelCrashedError` (signal and log
tail), also when a request fails to connect; restarting and retrying is the caller's decision.

Which drafter error an ``openai`` exception becomes is decided in :mod:`drafter.llm.openai_errors`.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import openai

from drafter.llm.base import Finish, Message, Response, Usage, check_messages
from drafter.llm.errors import (
    AuthError,
    BadRequestError,
    ContextOverflowError,
    EmptyOutputError,
    LLMError,
    ModelNotFoundError,
    RateLimitedError,
    StreamInterruptedError,
    redact,
)
from drafter.llm.openai_errors import NOT_API, STREAM_ERRORS, error_text, map_error
from drafter.llm.tokens import TokenEstimator

log = logging.getLogger(__name__)

MAX_RETRY_WAIT_S = 30.0
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0
CONNECT_TIMEOUT_S = 10.0
CRASH_POLL_S = 0.25


class OpenAIChatModel:
    """A ChatModel talking to one OpenAI-compatible endpoint.

    ``base_url`` may be a callable returning the current base URL (the embedded server's ``ensure()``, which
    health-checks and restarts it); the client is rebuilt only when that URL changes.
    """

    def __init__(
        self,
        *,
        model: str,
        base_url: str | Callable[[], str],
        api_key: str,
        timeout: float,
        max_retries: int,
        default_temperature: float | None = None,
        context_window: int | None = None,
        crash_check: Callable[[], Exception | None] | None = None,
        token_estimator: TokenEstimator | None = None,
    ) -> None:
        self.model_id = model
        self.token_estimator = token_estimator  # drafter.llm.tokens.estimator_for: None counts with cl100k
        self._crash_check = crash_check
        self.timeout = timeout
        self.max_retries = max(0, max_retries)
        self.default_temperature = default_temperature
        self.context_window = context_window
        self._resolve = base_url if callable(base_url) else (lambda: base_url)
        self._api_key = api_key
        self._client: openai.OpenAI | None = None
        self._client_url: str | None = None
        self._stream_usage = True  # ask for usage in streams until an endpoint rejects stream_options
        self._sleep: Callable[[float], None] = time.sleep
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never shows the key
        return f"<OpenAIChatModel model={self.model_id!r} url={self._client_url!r}>"

    def _client_for(self, url: str) -> openai.OpenAI:
        with self._lock:
            return self._build_client(url)

    def _build_client(self, url: str) -> openai.OpenAI:
        if self._client is None or url != self._client_url:
            if self._client is not None:
                self._client.close()
            self._client = openai.OpenAI(
                base_url=url,
                api_key=self._api_key,
                timeout=openai.Timeout(self.timeout, connect=min(CONNECT_TIMEOUT_S, self.timeout)),
                max_retries=0,
            )
            self._client_url = url
        return self._client

    def _backoff(self, attempt: int, err: LLMError) -> float | None:
        """Seconds to wait before retry ``attempt + 1``, or None if this error must not be retried."""
        if not err.retryable or attempt >= self.max_retries:
            return None
        if isinstance(err, RateLimitedError) and err.retry_after is not None:
            return err.retry_after if err.retry_after <= MAX_RETRY_WAIT_S else None
        return min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt) * random.uniform(0.8, 1.2)

    def _create(self, params: dict[str, Any]) -> Any:
        """POST /chat/completions with bounded retries; returns the completion or the open stream."""
        attempt = 0
        restarted = False
        while True:
            url = self._resolve()
            try:
                return self._client_for(url).chat.completions.create(**params)
            except ValueError as exc:  # a 200 whose body is not the API's JSON (HTML page, empty, binary)
                raise LLMError(redact(f"{type(exc).__name__}: {exc}", self._api_key),
                               user_message=NOT_API) from None
            except openai.BadRequestError as exc:
                if params.get("stream_options") and "stream_options" in error_text(exc):
                    self._stream_usage = False  # older servers reject it; retry without, once
                    params = {k: v for k, v in params.items() if k != "stream_options"}
                    continue
                raise map_error(exc, **self._ctx(url)) from None
            except (openai.APIError, OSError) as exc:
                crashed = self._crashed()
                if crashed is not None and not restarted:  # no text yet: the next _resolve() restarts it
                    restarted = True
                    continue
                err = crashed or map_error(exc, **self._ctx(url))
                wait = self._backoff(attempt, err)
                if wait is None:
                    raise err from None
                log.warning("LLM request failed (%s); retry %d/%d in %.1f s", type(err).__name__,
                            attempt + 1, self.max_retries, wait)  # fmt: skip
                self._sleep(wait)
                attempt += 1

    def _ctx(self, url: str) -> dict[str, Any]:
        return {
            "base_url": url,
            "model": self.model_id,
            "timeout": self.timeout,
            "secret": self._api_key,
            "context_window": self.context_window,
        }

    def execute(
        self,
        messages: list[Message],
        *,
        stream: bool = True,
        temperature: float | None = None,
        max_tokens: int | None = None,
        stop: list[str] | None = None,
    ) -> Response:
        check_messages(messages)
        started = time.perf_counter()
        params: dict[str, Any] = {"model": self.model_id, "messages": messages}
        temperature = self.default_temperature if temperature is None else temperature
        if temperature is not None:
            params["temperature"] = temperature
        if max_tokens is not None:
            params["max_tokens"] = max_tokens
        if stop:
            params["stop"] = stop
        if not stream:
            completion = self._create(params)
            return Response(self._whole(completion), model_id=self.model_id, started=started)
        params["stream"] = True
        if self._stream_usage:
            params["stream_options"] = {"include_usage": True}
        raw = self._create(params)
        return Response(self._chunks(raw, params), model_id=self.model_id, started=started)

    @staticmethod
    def _whole(completion: Any) -> Iterator[str | Usage | Finish]:
        try:
            choice = completion.choices[0]
            content = choice.message.content
            reason = choice.finish_reason
        except (AttributeError, IndexError, TypeError):
            raise EmptyOutputError(f"answer has no choices/message ({type(completion).__name__})") from None
        if not isinstance(content, str) or not content.strip():
            kind = "tool calls" if getattr(choice.message, "tool_calls", None) else repr(content)[:40]
            raise EmptyOutputError(f"no text in the answer (content: {kind}, finish_reason: {reason})")
        yield content
        usage = getattr(completion, "usage", None)
        if usage is not None and usage.prompt_tokens is not None:
            yield Usage(prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens or 0)
        if reason:
            yield Finish(reason)

    def _crashed(self) -> LLMError | None:
        err = self._crash_check() if self._crash_check is not None else None
        return err if isinstance(err, LLMError) else None

    def _watch(self, raw: Any) -> threading.Event:
        """Close ``raw`` from a watcher thread as soon as the model process is gone; set the event to stop."""
        done = threading.Event()
        if self._crash_check is None:
            return done

        def watch() -> None:
            while not done.wait(CRASH_POLL_S):
                if self._crashed() is not None:
                    with contextlib.suppress(Exception):
                        raw.close()
                    return

        threading.Thread(target=watch, name="llm-crash-watch", daemon=True).start()
        return done

    def _chunks(self, raw: Any, params: dict[str, Any]) -> Iterator[str | Usage | Finish]:
        parts: list[str] = []
        reason: str | None = None
        watching = self._watch(raw)
        try:
            for chunk in raw:
                usage = getattr(chunk, "usage", None)
                if usage is not None and usage.prompt_tokens is not None:
                    yield Usage(
                        prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens or 0
                    )
                for choice in chunk.choices or ():
                    if choice.index not in (0, None):
                        continue
                    text = choice.delta.content if choice.delta is not None else None
                    if text:
                        parts.append(text)
                        yield text
                    if choice.finish_reason:
                        reason = choice.finish_reason
        except (*STREAM_ERRORS, RuntimeError, AttributeError) as exc:
            crashed = self._crashed_within(2.0)
            if crashed is not None:
                raise crashed from None
            if isinstance(exc, RuntimeError | AttributeError):
                raise
            detail = redact(f"{type(exc).__name__}: {exc}", self._api_key)
            if not parts:
                self._diagnose(params)
            raise StreamInterruptedError("".join(parts), detail) from None
        finally:
            watching.set()
            raw.close()
        if reason is None:
            crashed = self._crashed_within(2.0)
            if crashed is not None:
                raise crashed from None
            if not parts:
                self._diagnose(params)
            raise StreamInterruptedError("".join(parts), "stream ended without a finish_reason")
        if not "".join(parts).strip():
            raise EmptyOutputError(f"stream finished ({reason}) without text")
        yield Finish(reason)

    def _crashed_within(self, seconds: float) -> LLMError | None:
        """A broken stream from a process that is dying: give its exit up to ``seconds`` to show."""
        if self._crash_check is None:
            return None
        deadline = time.monotonic() + seconds
        while True:
            err = self._crashed()
            if err is not None or time.monotonic() >= deadline:
                return err
            time.sleep(0.05)

    def _diagnose(self, params: dict[str, Any]) -> None:
        """A stream that broke before any text often hides a request error (llama.cpp reports context overflow
        only after the 200 headers): ask again without streaming and one output token to surface it."""
        probe = {k: v for k, v in params.items() if k not in ("stream", "stream_options")}
        probe["max_tokens"] = 1
        for _ in range(2):  # the first try may pick up the pooled connection the broken stream left behind
            try:
                self._client_for(self._resolve()).chat.completions.create(**probe)
                return
            except (openai.APITimeoutError, ValueError):
                return
            except openai.APIConnectionError:
                continue
            except (openai.APIError, OSError) as exc:
                err = map_error(exc, **self._ctx(self._client_url or ""))
                if isinstance(err, ContextOverflowError | AuthError | ModelNotFoundError | BadRequestError):
                    raise err from None
                return
            except LLMError:
                return
