"""How failures of the ``openai`` client become drafter's :class:`LLMError` subclasses.

:func:`map_error` sorts an ``openai`` exception by kind and status (timeout, unreachable, 401/403, 404, 408, 429
with its ``Retry-After``, 5xx, context overflow recognised from the server's wording, other 4xx), with any key
masked in the detail. :data:`STREAM_ERRORS` are the exceptions that can escape while a stream is read.
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime
from typing import Any

import openai

from drafter.llm.errors import (
    AuthError,
    BadRequestError,
    ContextOverflowError,
    EndpointUnreachableError,
    LLMError,
    LLMTimeoutError,
    ModelNotFoundError,
    RateLimitedError,
    ServerError,
    redact,
)

_CONTEXT_PATTERNS = re.compile(
    r"context_length_exceeded|maximum context length|context window|context length|too many tokens"
    r"|exceeds? the (?:model'?s? )?(?:context|max)|prompt is too long|input is too long",
    re.IGNORECASE,
)


def _transport_errors() -> tuple[type[BaseException], ...]:
    """The HTTP libraries' own errors that can escape while a stream is read (openai does not wrap those), and
    ValueError: a body that is not JSON or not text (a proxy's page, binary junk) fails to decode."""
    found: list[type[BaseException]] = [openai.APIError, ValueError]
    for name in ("httpx", "httpx2"):
        try:
            module = __import__(name)
        except ImportError:
            continue
        found += [getattr(module, attr) for attr in ("HTTPError", "StreamError") if hasattr(module, attr)]
    return tuple(found)


STREAM_ERRORS = _transport_errors()


def parse_retry_after(headers: Any) -> float | None:
    """Seconds a 429/503 asks us to wait (``retry-after-ms``, ``retry-after`` as seconds or HTTP date)."""
    if headers is None:
        return None
    value = headers.get("retry-after-ms")
    if value is not None:
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def error_text(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return " ".join(str(inner.get(k) or "") for k in ("code", "type", "message")).strip()
        return str(inner)
    return str(body or exc.message)


NOT_API = ("模型服务返回的内容无法解析（不是 OpenAI 兼容接口的格式）。请确认接口地址指向模型服务本身（通常以 /v1 结尾），"
            "而不是网页或代理的错误页；如地址正确，请联系模型服务管理员。")

_WINDOW = re.compile(r"(?:context length|context window)(?: is| of)?\s*(\d+)", re.IGNORECASE)


def map_error(
    exc: BaseException,
    *,
    base_url: str,
    model: str,
    timeout: float,
    secret: str | None = None,
    context_window: int | None = None,
) -> LLMError:
    """The drafter exception for an ``openai`` exception (anything else becomes a plain LLMError)."""
    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return LLMTimeoutError(timeout)
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return EndpointUnreachableError(base_url, redact(f"{type(cause).__name__}: {cause}", secret))
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        text = redact(error_text(exc), secret)
        detail = f"HTTP {status}: {text}"
        if status in (400, 413, 422) and _CONTEXT_PATTERNS.search(text):
            found = _WINDOW.search(text)
            return ContextOverflowError(
                detail, context_window=int(found.group(1)) if found else context_window
            )
        if status in (401, 403):
            return AuthError(status, detail)
        if status == 404:
            return ModelNotFoundError(model, detail)
        if status == 408:
            return LLMTimeoutError(timeout, detail)
        if status == 429:
            return RateLimitedError(parse_retry_after(exc.response.headers), detail)
        if status >= 500:
            return ServerError(status, detail)
        return BadRequestError(status, detail)
    return LLMError(redact(f"{type(exc).__name__}: {exc}", secret))
