"""Settings for every part of drafter: one source order for the CLI, the app and every other caller.

All variables are prefixed ``DRAFTER_`` (e.g. ``DRAFTER_LLM_BASE_URL``). A value is taken from the first source
that sets it (``Settings.settings_customise_sources`` is the one place this order lives):

1. arguments to ``Settings(...)`` (tests, ``--model`` style overrides);
2. the environment;
3. ``<home>/.env`` — what the app's settings page saves (``home`` itself comes from 1, 2 or 4);
4. ``./.env`` in the working directory.

Nothing here opens a connection: clients are built by the modules that use them, from a ``Settings`` instance.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "DRAFTER_"
ENV_FILE = ".env"


def default_home() -> Path:
    """Where drafter keeps its data unless ``DRAFTER_HOME`` says otherwise: ``data/`` of the checkout it runs from
    (``make run``), or, for an installed wheel, ``$XDG_DATA_HOME/drafter`` (``~/.local/share/drafter``)."""
    if os.environ.get("DRAFTER_HOME"):
        return Path(os.environ["DRAFTER_HOME"])
    if (REPO_ROOT / "pyproject.toml").is_file():
        return REPO_ROOT / "data"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "drafter"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore"
    )
    _given: dict[str, Any] = PrivateAttr(default_factory=dict)  # the arguments, so that reread() can repeat them

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
    # unset: 150 (the 1.5B embedded model gets them as phrase frames), 0 for the embedded 0.5B model (速度优先: it
    # copied whole passages of other units)
    piece_exemplar_chars: int | None = Field(default=None, ge=0, le=1000)

    # --- embedded local model ---
    local_model_path: Path | None = Field(None, description="自备 GGUF 模型路径；默认使用内置 0.5B 模型")
    local_model: Literal["speed", "quality"] = Field(
        "quality", description="内置模型：quality 质量优先（1.5B，默认）；speed 速度优先（0.5B）")
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
    auth_password_hash: SecretStr | None = Field(None, description="设置页保存的登录密码（PBKDF2 散列）")

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        self._given = dict(values)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The source order (see the module docstring): arguments > environment > ``<home>/.env`` > ``./.env``."""
        given = init_settings.init_kwargs if isinstance(init_settings, InitSettingsSource) else {}
        home = given.get("home") or env_settings().get("home") or dotenv_settings().get("home") or default_home()
        home_file = DotEnvSettingsSource(settings_cls, env_file=Path(home) / ENV_FILE, env_file_encoding="utf-8")
        return init_settings, env_settings, home_file, dotenv_settings, file_secret_settings

    @field_validator("llm_base_url", "llm_api_key", "auth_user", "auth_password", "auth_password_hash",
                     mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """``DRAFTER_LLM_BASE_URL=""`` (how the settings page saves "use the bundled model") means not set."""
        return None if isinstance(value, str) and not value.strip() else value

    def fixed_above_files(self, name: str) -> str | None:
        """Where ``name`` was set above every ``.env`` file — "参数" or its environment variable — else None.

        The settings page uses it to tell the user that a value they save will not take effect."""
        if name in self._given:
            return "参数"
        return env_variable(name)

    @property
    def chroma_dir(self) -> Path:
        return self.chroma_path or self.home / "chroma"

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"


def env_variable(name: str) -> str | None:
    """The environment variable that sets the field ``name``, when the environment sets it."""
    wanted = (ENV_PREFIX + name).upper()
    return next((key for key in os.environ if key.upper() == wanted), None)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after changing the environment."""
    return Settings()


def reread(settings: Settings | None = None) -> Settings:
    """``settings`` read again from the same arguments and the current sources (after the settings page saved
    ``<home>/.env``, or the environment changed); with no argument, the process settings read afresh."""
    return Settings(**(settings._given if settings is not None else {}))
