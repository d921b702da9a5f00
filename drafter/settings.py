"""Settings for every part of drafter, read from the environment, `.env` and an optional settings file.

All variables are prefixed ``DRAFTER_`` (e.g. ``DRAFTER_LLM_BASE_URL``). Nothing here opens a connection:
clients are built by the modules that use them, from a ``Settings`` instance.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


def default_home() -> Path:
    """Where drafter keeps its data unless ``DRAFTER_HOME`` says otherwise."""
    return Path(os.environ.get("DRAFTER_HOME") or REPO_ROOT / "data")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DRAFTER_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    home: Path = Field(default_factory=default_home, description="数据目录（向量库、草稿、会话）")

    # --- corpus store ---
    chroma_path: Path | None = Field(None, description="本地 Chroma 目录；默认 <home>/chroma")
    chroma_url: str | None = Field(None, description="共享 Chroma 服务地址，如 http://10.0.0.5:8000")
    collection: str = "summaries"
    embedder: str = Field("ngram", description="ngram（离线默认）或 openai（兼容接口的向量服务）")
    embedding_base_url: str | None = None
    embedding_api_key: SecretStr | None = None
    embedding_model: str = "bge-m3"

    # --- LLM ---
    llm_base_url: str | None = Field(None, description="OpenAI 兼容接口地址；为空则使用内置本地模型")
    llm_api_key: SecretStr | None = None
    llm_model: str = "local"
    llm_rewrite_model: str | None = Field(None, description="重新生成所用模型；默认同 llm_model")
    llm_timeout: float = 120.0
    llm_max_retries: int = 2
    llm_context_window: int = 4096
    llm_temperature: float = 0.3
    # characters of the delexicalised passage each outline piece is written from (0: from the facts alone);
    # unset: 150 behind an endpoint, 0 for the embedded 0.5B model (it copied whole passages of other units)
    piece_exemplar_chars: int | None = Field(default=None, ge=0, le=1000)

    # --- embedded local model ---
    local_model_path: Path | None = Field(None, description="自备 GGUF 模型路径；默认使用内置 0.5B 模型")
    local_model: Literal["speed", "quality"] = Field(
        "speed", description="内置模型：speed 速度优先（0.5B，默认）；quality 质量优先（1.5B，需 make model-quality）")
    model_cache: Path = Field(default_factory=lambda: Path.home() / ".cache" / "drafter" / "models")
    local_threads: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1))
    local_ctx: int = 4096
    local_start_timeout: float = Field(180.0, description="等待内置模型服务启动的最长秒数")
    local_chat_format: str | None = Field(None, description="llama.cpp 对话格式；默认取 GGUF 自带模板")
    tiktoken_cache_dir: Path | None = Field(None, description="tiktoken 缓存目录；默认 <model_cache>/tiktoken")

    # --- app ---
    host: str = "127.0.0.1"
    port: int = 7860
    auth_user: str | None = None
    auth_password: SecretStr | None = None

    @property
    def chroma_dir(self) -> Path:
        return self.chroma_path or self.home / "chroma"

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after changing the environment."""
    return Settings()
