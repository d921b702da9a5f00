"""Settings tab logic: the model endpoint, model name, API key and login saved from the UI.

Saved values go to ``<home>/.env`` (dotenv format, ``DRAFTER_`` names, file mode 0600), which
``drafter.settings`` reads for the app and the CLI alike, below the environment and above ``./.env``; saving a
value the environment sets says that it will not take effect. The API key is write-only: the UI only ever
learns whether one is saved. The login password is stored as a salted PBKDF2 hash, never in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from drafter.llm.errors import LLMError
from drafter.settings import ENV_FILE, Settings, env_variable, reread
from drafter.webapp.sessions import write_private

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


def overridden(names: list[str]) -> str:
    """A Chinese note naming the environment variables that win over the values just saved, or ""."""
    found = [v for v in (env_variable(n) for n in names) if v]
    return f"注意：环境变量 {'、'.join(found)} 已设置，优先于此处保存的值（取消后才生效）。" if found else ""


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
    note = overridden(["llm_base_url", "llm_model"] + (["llm_api_key"] if api_key or clear_key else []))
    return True, f"已保存：{where}，模型 {saved['llm_model']}{key}。{note}"


LOCAL_MODEL_CHOICES = {"quality": "质量优先（1.5B，默认）", "speed": "速度优先（0.5B，更快，文字质量差）"}


def save_local_model(home: Path, choice: str) -> tuple[bool, str]:
    """Save which bundled model the embedded server loads (speed/quality). Refused with a fix-it message when the
    chosen model's packages are not installed (make setup)."""
    key = next((k for k, label in LOCAL_MODEL_CHOICES.items() if choice in (k, label)), None)
    if key is None:
        return False, f"未知的选项“{choice}”，可选：{'、'.join(LOCAL_MODEL_CHOICES.values())}"
    from drafter.llm import model_file

    try:
        model_file.part_paths(model_file.MODELS[key])
    except LLMError as exc:
        return False, (f"{LOCAL_MODEL_CHOICES[key].split('（')[0]}模型尚未安装：请在服务器上运行 make setup 后再选择"
                       f"（{exc.detail}）。")
    saved = read_saved(home)
    saved["local_model"] = key
    write_saved(home, saved)
    return True, f"已保存：内置模型 {LOCAL_MODEL_CHOICES[key]}，下次生成时生效。{overridden(['local_model'])}"


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


def _login(settings: Settings) -> tuple[str, str, bool] | None:
    """(user, password or its hash, whether it is a hash) in the settings order: a login set by the environment
    (or an argument) wins over the one saved from the settings page, which wins over ``./.env``."""
    current = reread(settings)
    user = current.auth_user
    password, stored = current.auth_password, current.auth_password_hash
    if not user or not (password or stored):
        return None
    if password and (current.fixed_above_files("auth_password") or not stored):
        return user, password.get_secret_value(), False
    return user, stored.get_secret_value(), True


def login_checker(settings: Settings):
    """Gradio's ``auth`` argument: None (no login) or a function (user, password) -> bool."""
    login = _login(settings)
    if login is None:
        return None
    user, secret, hashed = login
    if hashed:
        return lambda u, p: hmac.compare_digest(u or "", user) and verify_password(p or "", secret)
    return lambda u, p: hmac.compare_digest((u or "").encode(), user.encode()) and hmac.compare_digest(
        (p or "").encode(), secret.encode()
    )


def login_status(settings: Settings) -> str:
    login = _login(settings)
    if login:
        return f"登录：已启用（用户 {login[0]}）"
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
