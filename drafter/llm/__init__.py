"""drafter's LLM layer: one small chat interface over the embedded local model or any OpenAI-compatible endpoint.

    from drafter.llm import get_model
    response = get_model("draft").execute([{"role": "user", "content": "..."}], max_tokens=512)
    for chunk in response: ...          # streamed text
    response.text(), response.usage, response.first_token_s

Errors are subclasses of :class:`LLMError` with a Chinese ``user_message``; ``MockModel`` is the scripted
stand-in for unit tests. Importing this package builds nothing and imports no HTTP client.
"""

from drafter.llm.base import ChatModel, Message, Response, Usage
from drafter.llm.errors import (
    AuthError,
    BadRequestError,
    ContextOverflowError,
    EmptyOutputError,
    EndpointUnreachableError,
    LLMError,
    LLMTimeoutError,
    LocalModelCrashedError,
    LocalServerError,
    MissingKeyError,
    ModelIntegrityError,
    ModelNotFoundError,
    ModelNotInstalledError,
    RateLimitedError,
    ServerError,
    StreamInterruptedError,
)
from drafter.llm.factory import get_model, langchain_chat
from drafter.llm.mock import MockModel, MockQueueEmptyError
from drafter.llm.tokens import (
    TokenEstimator,
    count_messages,
    count_tokens,
    estimator_for,
    fit_to_budget,
    reply_tokens,
)

__all__ = [
    "AuthError",
    "BadRequestError",
    "ChatModel",
    "ContextOverflowError",
    "EmptyOutputError",
    "EndpointUnreachableError",
    "LLMError",
    "LLMTimeoutError",
    "LocalModelCrashedError",
    "LocalServerError",
    "Message",
    "MissingKeyError",
    "MockModel",
    "MockQueueEmptyError",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "ModelNotInstalledError",
    "RateLimitedError",
    "Response",
    "ServerError",
    "StreamInterruptedError",
    "TokenEstimator",
    "Usage",
    "count_messages",
    "count_tokens",
    "estimator_for",
    "fit_to_budget",
    "get_model",
    "langchain_chat",
    "reply_tokens",
]
