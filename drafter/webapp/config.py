"""Settings tab logic: the model endpoint, model name, API key and login saved from the UI.

Saved values go to ``<home>/.env`` (dotenv format, ``DRAFTER_`` names, file mode 0600) and override the
process settings for the app. The API key is write-only: the UI only ever learns whether one is saved. The
login password is stored as a salted PBKDF2 hash, never in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import SecretStr

from drafter.llm.errors import LLMError
from drafter.settings import Settings
from drafter.webapp.sessions import write_private

ENV_FILE = ".env"
KEYS = {
    "llm_base_url": "DRAFTER_LLM_BASE_URL",
    "llm_model": "DRAFTER_LLM_MODEL",
    "llm_api_key": "DRAFTER_LLM_API_KEY",
    "auth_user": "DRAFTER_AUTH_USER",
    "auth_password_hash": "DRAFTER_AUTH_PASSWORD_HASH",
    "local_model": "DRAFTER_LOCAL_MODEL",
}
PBKDF2_ROUNDS = 200_000
SAVED = "已保存"


def env_path(home: Path) -> Path:
    return Path(home) / ENV_FILE


def read_saved(home: Path) -> dict[str, str]:
    """The values saved from the UI, by setting name (absent keys are not set)."""
    path = env_path(home)
    if not path.is_file():
        return {}
    raw = dotenv_values(path)
    names = {v: k for k, v in KEYS.items()}
    return {names[k]: v for k, v in raw.items() if k in names and v is not None}


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_saved(home: Path, values: dict[str, str]) -> None:
    lines = ["# drafter：在网页“设置”页保存的配置（含密钥，请勿外传）"]
    lines += [f"{KEYS[k]}={_quote(v)}" for k, v in values.items() if k in KEYS]
    write_private(env_path(home), "\n".join(lines) + "\n")


def effective_settings(base: Settings) -> Settings:
    """``base`` with the UI-saved values applied."""
    saved = read_saved(base.home)
    update: dict[str, object] = {}
    if "llm_base_url" in saved:
        update["llm_base_url"] = saved["llm_base_url"] or None
    if saved.get("llm_model"):
        update["llm_model"] = saved["llm_model"]
    if saved.get("llm_api_key"):
        update["llm_api_key"] = SecretStr(saved["llm_api_key"])
    if saved.get("auth_user"):
        update["auth_user"] = saved["auth_user"]
    if saved.get("local_model") in LOCAL_MODEL_CHOICES:
        update["local_model"] = saved["local_model"]
    return base.model_copy(update=update) if update else base


@dataclass
class ModelForm:
    base_url: str
    model: str
    key_saved: bool


def model_form(settings: Settings) -> ModelForm:
    """What the settings tab shows: never the key itself."""
    return ModelForm(settings.llm_base_url or "", settings.llm_model, settings.llm_api_key is not None)


def key_status(settings: Settings) -> str:
    return f"API 密钥：{SAVED}（不再显示；留空则保持不变）" if settings.llm_api_key else "API 密钥：未设置"


def check_base_url(url: str) -> str | None:
    """A Chinese problem with the endpoint URL, or None when it is empty (local model) or usable."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "接口地址应以 http:// 或 https:// 开头，如 http://127.0.0.1:8000/v1"
    if any(c.isspace() for c in url):
        return "接口地址不能包含空格"
    return None


def save_model_settings(home: Path, base_url: str, model: str, api_key: str, clear_key: bool = False
                        ) -> tuple[bool, str]:
    """Save endpoint, model and (if given) the key. Returns (ok, Chinese message); a blank key keeps the old one."""
    base_url, model, api_key = (base_url or "").strip(), (model or "").strip(), (api_key or "").strip()
    problem = check_base_url(base_url)
    if problem:
        return False, problem
    if any(c.isspace() for c in api_key):
        return False, "API 密钥不能包含空格或换行"
    saved = read_saved(home)
    saved["llm_base_url"] = base_url
    saved["llm_model"] = model or "local"
    if clear_key:
        saved.pop("llm_api_key", None)
    elif api_key:
        saved["llm_api_key"] = api_key
    write_saved(home, saved)
    where = base_url or "内置本地模型"
    key = "，已清除 API 密钥" if clear_key else ("，API 密钥" + SAVED if api_key else "")
    return True, f"已保存：{where}，模型 {saved['llm_model']}{key}。"


LOCAL_MODEL_CHOICES = {"speed": "速度优先（0.5B，默认）", "quality": "质量优先（1.5B，约慢 2–3 倍）"}


def save_local_model(home: Path, choice: str) -> tuple[bool, str]:
    """Save which bundled model the embedded server loads (speed/quality). Refused with a fix-it message when the
    1.5B model's packages are not installed (make model-quality)."""
    key = next((k for k, label in LOCAL_MODEL_CHOICES.items() if choice in (k, label)), None)
    if key is None:
        return False, f"未知的选项“{choice}”，可选：{'、'.join(LOCAL_MODEL_CHOICES.values())}"
    if key == "quality":
        from drafter.llm import model_file

        try:
            model_file.part_paths(model_file.QUALITY)
        except LLMError as exc:
            return False, f"质量优先模型尚未安装：请在服务器上运行 make model-quality 后再选择（{exc.detail}）。"
    saved = read_saved(home)
    saved["local_model"] = key
    write_saved(home, saved)
    return True, f"已保存：内置模型 {LOCAL_MODEL_CHOICES[key]}，下次生成时生效。"


def hash_password(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), PBKDF2_ROUNDS).hex()
    return f"pbkdf2_sha256${PBKDF2_ROUNDS}${salt}${digest}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algo, rounds, salt, digest = stored.split("$")
    except ValueError:
        return False
    if algo != "pbkdf2_sha256":
        return False
    got = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(rounds)).hex()
    return hmac.compare_digest(got, digest)


def save_login(home: Path, user: str, password: str, disable: bool = False) -> tuple[bool, str]:
    saved = read_saved(home)
    if disable:
        saved.pop("auth_user", None)
        saved.pop("auth_password_hash", None)
        write_saved(home, saved)
        return True, "已关闭登录（重启应用后生效）。"
    user = (user or "").strip()
    if not user or not password:
        return False, "请同时填写用户名和密码"
    if len(password) < 8:
        return False, "密码至少 8 位"
    saved["auth_user"] = user
    saved["auth_password_hash"] = hash_password(password)
    write_saved(home, saved)
    return True, f"已保存登录用户“{user}”（重启应用后生效）。"


def login_checker(settings: Settings):
    """Gradio's ``auth`` argument: None (no login) or a function (user, password) -> bool.

    A login saved from the UI wins over ``auth_user``/``auth_password`` from the environment."""
    saved = read_saved(settings.home)
    if saved.get("auth_user") and saved.get("auth_password_hash"):
        user, stored = saved["auth_user"], saved["auth_password_hash"]
        return lambda u, p: hmac.compare_digest(u or "", user) and verify_password(p or "", stored)
    if settings.auth_user and settings.auth_password:
        env_user, env_password = settings.auth_user, settings.auth_password.get_secret_value()
        return lambda u, p: hmac.compare_digest((u or "").encode(), env_user.encode()) and hmac.compare_digest(
            (p or "").encode(), env_password.encode()
        )
    return None


def login_status(settings: Settings) -> str:
    saved = read_saved(settings.home)
    user = saved.get("auth_user") or settings.auth_user
    if user and (saved.get("auth_password_hash") or settings.auth_password):
        return f"登录：已启用（用户 {user}）"
    return "登录：未启用（任何能访问本机端口的人都可使用）"


def model_status(settings: Settings) -> str:
    """Endpoint and local model status in Chinese (reads files and state only; starts nothing)."""
    from drafter.llm import model_file, server, server_files

    lines = []
    if settings.llm_base_url:
        lines.append(f"模型服务：{settings.llm_base_url}；模型：{settings.llm_model}")
    else:
        lines.append("模型服务：内置本地模型（未设置接口地址）")
    path, verdict = model_file.file_status(settings)
    lines.append(f"本地模型文件：{path.name}（{verdict}）")
    state = server_files.read_state(settings)
    try:
        running = bool(state) and server.pid_alive(int(state.get("pid", 0))) and server.port_open(
            int(state.get("port", 0)))
    except (TypeError, ValueError):
        running = False
    lines.append(f"本地模型服务：运行中（{state['url']}）" if running else "本地模型服务：未运行（需要时自动启动）")
    return "\n".join(lines)
