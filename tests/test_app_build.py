"""The Blocks build without launching; launch settings keep the app offline (no Google fonts, no analytics,
no share link, no API page) and serve on the configured host and port."""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
from pathlib import Path

import gradio as gr
import pytest

from drafter.settings import get_settings
from drafter.webapp.context import AppContext
from drafter.webapp.form import FORM_FIELDS
from drafter.webapp.outline_text import MAX_SECTIONS

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def app_module():
    sys.path.insert(0, str(REPO))
    try:
        yield importlib.import_module("app")
    finally:
        sys.path.remove(str(REPO))


def ids(demo: gr.Blocks) -> set[str]:
    return {b.elem_id for b in demo.blocks.values() if getattr(b, "elem_id", None)}


def test_blocks_build_with_every_widget(app_module):
    demo = app_module.build_app(AppContext(get_settings()))
    assert isinstance(demo, gr.Blocks) and not demo.is_running
    found = ids(demo)
    assert {f"f-{n}" for n in FORM_FIELDS} <= found
    assert {f"err-{n}" for n in FORM_FIELDS} <= found
    for i in range(MAX_SECTIONS):
        assert {f"sec-{i}", f"sec-{i}-text", f"sec-{i}-regen", f"sec-{i}-lock", f"sec-{i}-undo",
                f"sec-{i}-instr", f"sec-{i}-preset", f"sec-{i}-history"} <= found
    assert {"btn-generate", "btn-export", "outline", "examples", "pin", "exclude", "checks", "corpus-files",
            "corpus-list", "corpus-ingest", "corpus-remove", "corpus-rebuild", "s-api-key", "s-model-status"} <= found
    browser_state = [b for b in demo.blocks.values() if isinstance(b, gr.BrowserState)]
    assert len(browser_state) == 1 and browser_state[0].storage_key == app_module.SESSION_KEY
    assert not demo.analytics_enabled


def test_api_key_box_never_has_a_value(app_module, drafter_home):
    from drafter.webapp import config

    config.save_model_settings(drafter_home, "https://api.example.com/v1", "m", "sk-never-shown-123")
    ctx = AppContext(get_settings())
    demo = app_module.build_app(ctx)
    assert "sk-never-shown-123" not in json.dumps(demo.get_config_file(), ensure_ascii=False, default=str)
    assert "sk-never-shown-123" not in json.dumps(app_module._settings_view(ctx), ensure_ascii=False, default=str)


def test_launch_settings_are_offline_and_follow_settings(app_module, monkeypatch):
    monkeypatch.setenv("DRAFTER_HOST", "127.0.0.1")
    monkeypatch.setenv("DRAFTER_PORT", "7999")
    monkeypatch.setenv("DRAFTER_AUTH_USER", "u")
    monkeypatch.setenv("DRAFTER_AUTH_PASSWORD", "p-123456")
    get_settings.cache_clear()
    kwargs = app_module.launch_kwargs(AppContext(get_settings()))
    assert kwargs["server_name"] == "127.0.0.1" and kwargs["server_port"] == 7999
    assert kwargs["share"] is False and kwargs["footer_links"] == [] and kwargs["ssr_mode"] is False
    assert kwargs["auth"]("u", "p-123456") and not kwargs["auth"]("u", "x")
    theme = kwargs["theme"]
    css = theme._get_theme_css()  # also collects the font stylesheets the page would link
    assert theme._stylesheets == [] and "googleapis" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)  # data: URIs only
    assert not [f for f in theme.font if isinstance(f, gr.themes.GoogleFont)]
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"


def test_no_login_unless_configured(app_module):
    assert app_module.launch_kwargs(AppContext(get_settings()))["auth"] is None


def test_ui_patch_mapping_leaves_unnamed_widgets_untouched(app_module):
    from drafter.webapp.drafting import SectionView

    with gr.Blocks():
        ui = app_module.UI()
        app_module._draft_tab(ui)
    outputs = ui.outputs()
    untouched = ui.updates({})
    assert len(untouched) == len(outputs)
    assert all(u == gr.update() for u in untouched)
    view = SectionView(0, "一、基本情况", "正文", locked=True, status="已锁定", history=["旧"])
    values = ui.updates({"sections": [view], "status": "ok"})
    slot0 = outputs.index(ui.slots[0].text)
    assert values[slot0]["value"] == "正文" and values[slot0]["interactive"] is False
    assert values[outputs.index(ui.slots[0].lock)] is True
    assert values[outputs.index(ui.slots[1].group)]["visible"] is False
    assert values[outputs.index(ui.status)] == "ok"
