"""One settings source order for the CLI and the app: environment > <home>/.env > ./.env (then the default).

The same key is set in all three sources; removing them one by one shows each precedence, read once through the
CLI (``drafter model-info`` prints the endpoint) and once through the app's context (its settings-page reload).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.cli import main
from drafter.settings import Settings, get_settings
from drafter.webapp import config
from drafter.webapp.context import AppContext

KEY = "DRAFTER_LLM_BASE_URL"
ENV, HOME, CWD = "http://env.example/v1", "http://home.example/v1", "http://cwd.example/v1"


@pytest.fixture
def three_sources(drafter_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    (cwd / ".env").write_text(f"{KEY}={CWD}\n", encoding="utf-8")
    (drafter_home / ".env").write_text(f'{KEY}="{HOME}"\n', encoding="utf-8")
    monkeypatch.setenv(KEY, ENV)
    return drafter_home / ".env", cwd / ".env"


def cli_endpoint(capsys: pytest.CaptureFixture[str]) -> str | None:
    get_settings.cache_clear()  # a new `drafter` process
    capsys.readouterr()
    assert main(["model-info"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("模型服务："))
    return None if "内置本地模型" in line else line.removeprefix("模型服务：").split("（")[0]


def remove_one_by_one(home_env: Path, cwd_env: Path, monkeypatch: pytest.MonkeyPatch, read) -> list:
    seen = [read()]
    monkeypatch.delenv(KEY)
    seen.append(read())
    home_env.unlink()
    seen.append(read())
    cwd_env.unlink()
    seen.append(read())
    return seen


def test_cli_order(three_sources, monkeypatch, capsys):
    assert remove_one_by_one(*three_sources, monkeypatch, lambda: cli_endpoint(capsys)) == [ENV, HOME, CWD, None]


def test_app_order(three_sources, monkeypatch):
    get_settings.cache_clear()
    ctx = AppContext()
    assert remove_one_by_one(*three_sources, monkeypatch,
                             lambda: ctx.reload_settings().llm_base_url) == [ENV, HOME, CWD, None]


def test_home_env_of_a_given_home_and_arguments_above_all(three_sources, tmp_path, monkeypatch):
    other = tmp_path / "other-home"
    other.mkdir()
    (other / ".env").write_text(f"{KEY}=http://other.example/v1\nDRAFTER_LLM_MODEL=m\n", encoding="utf-8")
    monkeypatch.delenv(KEY)
    assert Settings(home=other).llm_base_url == "http://other.example/v1"  # <home>/.env of the home in use
    (three_sources[1]).write_text(f"DRAFTER_HOME={other}\n", encoding="utf-8")
    monkeypatch.delenv("DRAFTER_HOME")
    assert Settings().home == other and Settings().llm_model == "m"  # ./.env may name the home
    assert Settings(llm_model="arg").llm_model == "arg"


def test_the_settings_page_saves_into_the_order(three_sources, drafter_home, monkeypatch, capsys):
    monkeypatch.delenv(KEY)
    ok, message = config.save_model_settings(drafter_home, "http://page.example/v1", "served", "")
    assert ok and "注意" not in message
    assert cli_endpoint(capsys) == "http://page.example/v1"
    assert AppContext().reload_settings().llm_model == "served"
