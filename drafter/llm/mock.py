"""A scripted chat model for unit tests of drafting logic (in the style of simonw/llm's MockModel).

``enqueue()`` one answer per expected call — a string, a list of chunks (which may end in an exception to
simulate a stream cut mid-way), or an exception raised by ``execute()`` itself. ``history`` records every
call's messages and options. Calling it with nothing queued fails loudly instead of inventing text.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Iterator
from typing import Any

from drafter.llm.base import ChatModel, Finish, Message, Response, Usage, check_messages

Scripted = str | list[str | BaseException] | BaseException


class MockQueueEmptyError(AssertionError):
    """MockModel.execute() was called more often than answers were enqueued."""


class MockModel(ChatModel):
    def __init__(self, model_id: str = "mock") -> None:
        self.model_id = model_id
        self.history: list[tuple[list[Message], dict[str, Any]]] = []
        self._queue: deque[Scripted] = deque()

    def enqueue(self, answer: Scripted) -> MockModel:
        """Queue the answer for the next ``execute()``; returns self so calls can be chained."""
        if not isinstance(answer, str | list | BaseException):
            raise TypeError(
                f"enqueue() takes a str, a list of chunks or an exception, not {type(answer).__name__}"
            )
        self._queue.append(answer)
        return self

    @property
    def pending(self) -> int:
        return len(self._queue)

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
        options = {"stream": stream, "temperature": temperature, "max_tokens": max_tokens, "stop": stop}
        self.history.append((copy.deepcopy(messages), options))
        if not self._queue:
            last = messages[-1]["content"][:60]
            raise MockQueueEmptyError(
                f"MockModel {self.model_id!r}: execute() call #{len(self.history)} but nothing was enqueued "
                f"(last message: {last!r}); call enqueue() once per expected call"
            )
        answer = self._queue.popleft()
        if isinstance(answer, BaseException):
            raise answer
        chunks = [answer] if isinstance(answer, str) else list(answer)
        return Response(self._play(messages, chunks), model_id=self.model_id)

    @staticmethod
    def _play(messages: list[Message], chunks: list[str | BaseException]) -> Iterator[str | Usage | Finish]:
        produced = 0
        for chunk in chunks:
            if isinstance(chunk, BaseException):
                raise chunk
            produced += len(chunk)
            yield chunk
        prompt = sum(len(m["content"]) for m in messages)
        yield Usage(prompt_tokens=prompt, completion_tokens=produced)  # characters stand in for tokens
        yield Finish("stop")
