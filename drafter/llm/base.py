"""The model interface the rest of drafter depends on: messages in, a :class:`Response` out.

A :class:`Response` is iterated for text chunks as they arrive (streaming) or asked for ``text()``; after it
is consumed it knows its usage and timings. Backends build one from an iterator yielding ``str`` chunks and,
optionally, ``Usage`` / ``Finish`` markers; the Response does the bookkeeping, so every backend times the
same way.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

Message = dict  # {"role": "system" | "user" | "assistant", "content": str}

ROLES = frozenset({"system", "user", "assistant"})


@dataclass
class Usage:
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class Finish:
    """Marker a backend yields when the model reported why it stopped ("stop", "length", ...)."""

    reason: str


class Response:
    """One model answer. Iterate for streamed chunks; ``text()`` for all of it (consuming the rest).

    ``usage`` (if the endpoint reported it), ``first_token_s`` and ``elapsed_s`` (seconds since the request
    started) and ``finish_reason`` are set once the answer has been read.
    """

    def __init__(
        self, source: Iterable[str | Usage | Finish], *, model_id: str, started: float | None = None
    ):
        self.model_id = model_id
        self.usage: Usage | None = None
        self.first_token_s: float | None = None
        self.elapsed_s: float | None = None
        self.finish_reason: str | None = None
        self._started = time.perf_counter() if started is None else started
        self._source: Iterator[str | Usage | Finish] | None = iter(source)
        self._chunks: list[str] = []
        self._error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self._source is None

    def __iter__(self) -> Iterator[str]:
        yield from list(self._chunks)
        while self._source is not None:
            chunk = self._next()
            if chunk is not None:
                yield chunk
        if self._error is not None:
            raise self._error

    def _next(self) -> str | None:
        """Read one item from the backend; returns a text chunk, or None for markers and the end."""
        assert self._source is not None
        try:
            item = next(self._source)
        except StopIteration:
            self._finish()
            return None
        except BaseException as exc:
            self._error = exc
            self._finish()
            raise
        if isinstance(item, Usage):
            self.usage = item
            return None
        if isinstance(item, Finish):
            self.finish_reason = item.reason
            return None
        if not item:
            return None
        if self.first_token_s is None:
            self.first_token_s = time.perf_counter() - self._started
        self._chunks.append(item)
        return item

    def _finish(self) -> None:
        self._source = None
        self.elapsed_s = time.perf_counter() - self._started

    def close(self) -> None:
        """Stop reading (closes the underlying HTTP stream); what arrived so far stays available."""
        if self._source is not None:
            close = getattr(self._source, "close", None)
            if close is not None:
                close()
            self._finish()

    def text(self) -> str:
        for _ in self:
            pass
        return "".join(self._chunks)

    def __repr__(self) -> str:
        state = "done" if self.done else "streaming"
        return f"<Response model={self.model_id!r} {state} chars={sum(map(len, self._chunks))}>"


@runtime_checkable
class ChatModel(Protocol):
    """What drafting and rewriting code calls. ``stream=False`` may still be iterated (one chunk)."""

    model_id: str

    def execute(
        self,
        messages: list[Message],
        *,
        stream: bool = True,
        temperature: float | None = None,
        max_tokens: int | None = None,
        stop: list[str] | None = None,
    ) -> Response: ...


def check_messages(messages: list[Message]) -> None:
    """Raise ``ValueError`` unless ``messages`` is a non-empty list of {"role", "content": str} dicts."""
    if not messages:
        raise ValueError("messages must not be empty")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise ValueError(f"messages[{i}] needs a role in {sorted(ROLES)}: {message!r}")
        if not isinstance(message.get("content"), str):
            raise ValueError(f"messages[{i}]['content'] must be a str")
