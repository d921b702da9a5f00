"""Settings tab logic: saved endpoint/model/key in <home>/.env (0600), the key never shown again, login hashed."""

from __future__ import annotations

import stat

from drafter.settings import get_settings, reread
from drafter.webapp import config
from drafter.webapp.context import AppContext


def test_save_model_settings_writes_a_private_file_and_applies(drafter_home):
    ok, message = config.save_model_settings(drafter_home, " http://127.0.0.1:8000/v1 ", "qwen2.5", "sk-abc\"123")
    assert ok and message == "已保存：http://127.0.0.1:8000/v1，模型 qwen2.5，API 密钥已保存。"
    path = drafter_home / ".env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    settings = reread()
    assert settings.llm_base_url == "http://127.0.0.1:8000/v1" and settings.llm_model == "qwen2.5"
    assert settings.llm_api_key.get_secret_value() == 'sk-abc"123'  # quoting round-trips


def test_key_is_never_returned_and_a_blank_key_keeps_it(drafter_home):
    config.save_model_settings(drafter_home, "https://api.example.com/v1", "m", "sk-secret-value")
    settings = reread()
    form = config.model_form(settings)
    assert "sk-secret-value" not in repr(form) and form.key_saved
    assert config.key_status(settings) == "API 密钥：已保存（不再显示；留空则保持不变）"
    assert "sk-secret-value" not in config.model_status(settings)
    config.save_model_settings(drafter_home, "https://api.example.com/v1", "m2", "")
    assert reread().llm_api_key.get_secret_value() == "sk-secret-value"
    ok, message = config.save_model_settings(drafter_home, "https://api.example.com/v1", "m2", "", clear_key=True)
    assert ok and "已清除" in message and reread().llm_api_key is None


def test_empty_url_means_local_model(drafter_home):
    (drafter_home / ".env").write_text('DRAFTER_LLM_BASE_URL="http://10.0.0.1:8000/v1"\n', encoding="utf-8")
    assert reread().llm_base_url == "http://10.0.0.1:8000/v1"
    ok, message = config.save_model_settings(drafter_home, "", "", "")
    assert ok and "注意" not in message
    settings = reread()
    assert settings.llm_base_url is None and settings.llm_model == "local"
    assert "内置本地模型" in config.model_status(settings)


def test_saving_what_the_environment_sets_says_it_will_not_apply(drafter_home, monkeypatch):
    monkeypatch.setenv("DRAFTER_LLM_BASE_URL", "http://10.0.0.1:8000/v1")
    ok, message = config.save_model_settings(drafter_home, "", "m", "")
    assert ok and message.endswith("注意：环境变量 DRAFTER_LLM_BASE_URL 已设置，优先于此处保存的值（取消后才生效）。")
    assert reread().llm_base_url == "http://10.0.0.1:8000/v1" and reread().llm_model == "m"


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(drafter_home):
    assert config.save_model_settings(drafter_home, "ftp://x", "m", "") == (
        False, "接口地址应以 http:// 或 https:// 开头，如 http://127.0.0.1:8000/v1")
    assert config.save_model_settings(drafter_home, "http://x/v1", "m", "sk a")[1] == "API 密钥不能包含空格或换行"
    assert not (drafter_home / ".env").exists()


def test_login_is_hashed_and_checked(drafter_home):
    assert config.login_checker(get_settings()) is None
    assert config.save_login(drafter_home, "clerk", "short")[1] == "密码至少 8 位"
    ok, _ = config.save_login(drafter_home, "clerk", "correct horse")
    assert ok
    text = (drafter_home / ".env").read_text(encoding="utf-8")
    assert "correct horse" not in text and "pbkdf2_sha256$" in text
    check = config.login_checker(get_settings())
    assert check("clerk", "correct horse") and not check("clerk", "wrong") and not check("other", "correct horse")
    assert config.login_status(get_settings()) == "登录：已启用（用户 clerk）"
    config.save_login(drafter_home, "", "", disable=True)
    assert config.login_checker(get_settings()) is None


def test_login_from_environment(monkeypatch):
    monkeypatch.setenv("DRAFTER_AUTH_USER", "admin")
    monkeypatch.setenv("DRAFTER_AUTH_PASSWORD", "pw-from-env")
    get_settings.cache_clear()
    check = config.login_checker(get_settings())
    assert check("admin", "pw-from-env") and not check("admin", "nope")


def test_login_follows_the_settings_order(drafter_home, monkeypatch):
    (drafter_home.parent / "cwd").mkdir()
    monkeypatch.chdir(drafter_home.parent / "cwd")
    (drafter_home.parent / "cwd" / ".env").write_text("DRAFTER_AUTH_USER=cwd\nDRAFTER_AUTH_PASSWORD=pw-from-cwd\n",
                                                     encoding="utf-8")
    assert config.login_checker(get_settings())("cwd", "pw-from-cwd")
    config.save_login(drafter_home, "clerk", "correct horse")  # the settings page wins over ./.env
    check = config.login_checker(get_settings())
    assert check("clerk", "correct horse") and not check("cwd", "pw-from-cwd")
    monkeypatch.setenv("DRAFTER_AUTH_USER", "admin")
    monkeypatch.setenv("DRAFTER_AUTH_PASSWORD", "pw-from-env")  # the environment wins over the settings page
    check = config.login_checker(get_settings())
    assert check("admin", "pw-from-env") and not check("clerk", "correct horse")
    assert config.login_status(get_settings()) == "登录：已启用（用户 admin）"


def test_context_reload_applies_saved_settings(drafter_home):
    ctx = AppContext(get_settings())
    assert ctx.settings.llm_base_url is None
    config.save_model_settings(drafter_home, "http://127.0.0.1:9/v1", "served-model", "")
    assert ctx.reload_settings().llm_model == "served-model"
    assert ctx.engine.settings.llm_base_url == "http://127.0.0.1:9/v1"
    secret = ctx.browser_secret()
    assert secret == ctx.browser_secret() and len(secret) >= 32
    assert stat.S_IMODE((drafter_home / ".browser_secret").stat().st_mode) == 0o600


def test_model_status_reports_the_bundled_model_without_starting_it():
    status = config.model_status(get_settings())
    assert "本地模型文件：qwen2.5-coder-1.5b-instruct-q4_k_m.gguf" in status  # 质量优先, the default
    assert "本地模型服务：未运行" in status
