"""The Blocks build without launching; launch settings keep the app offline (no Google fonts, no analytics,
no share link, no API page) and serve on the configured host and port."""

from __future__ import annotations

import dataclasses
import json
import os
import re

import gradio as gr
import pytest

from drafter.settings import get_settings
from drafter.webapp import ui_admin
from drafter.webapp.context import AppContext
from drafter.webapp.form import FORM_FIELDS, GENERAL
from drafter.webapp.launch import launch_kwargs
from drafter.webapp.outline_text import MAX_SECTIONS
from drafter.webapp.patch import Choices, Patch, SectionView
from drafter.webapp.ui import SESSION_KEY, build_app
from drafter.webapp.widgets import UI, draft_tab


def ids(demo: gr.Blocks) -> set[str]:
    return {b.elem_id for b in demo.blocks.values() if getattr(b, "elem_id", None)}


def test_blocks_build_with_every_widget():
    demo = build_app(AppContext(get_settings()))
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
    assert len(browser_state) == 1 and browser_state[0].storage_key == SESSION_KEY
    assert not demo.analytics_enabled


def test_api_key_box_never_has_a_value(drafter_home):
    from drafter.webapp import config

    config.save_model_settings(drafter_home, "https://api.example.com/v1", "m", "sk-never-shown-123")
    ctx = AppContext(get_settings())
    demo = build_app(ctx)
    assert "sk-never-shown-123" not in json.dumps(demo.get_config_file(), ensure_ascii=False, default=str)
    assert "sk-never-shown-123" not in json.dumps(ui_admin.settings_view(ctx), ensure_ascii=False, default=str)


def test_launch_settings_are_offline_and_follow_settings(monkeypatch):
    monkeypatch.setenv("DRAFTER_HOST", "127.0.0.1")
    monkeypatch.setenv("DRAFTER_PORT", "7999")
    monkeypatch.setenv("DRAFTER_AUTH_USER", "u")
    monkeypatch.setenv("DRAFTER_AUTH_PASSWORD", "p-123456")
    get_settings.cache_clear()
    kwargs = launch_kwargs(AppContext(get_settings()))
    assert kwargs["server_name"] == "127.0.0.1" and kwargs["server_port"] == 7999
    assert kwargs["share"] is False and kwargs["footer_links"] == [] and kwargs["ssr_mode"] is False
    assert kwargs["auth"]("u", "p-123456") and not kwargs["auth"]("u", "x")
    theme = kwargs["theme"]
    css = theme._get_theme_css()  # also collects the font stylesheets the page would link
    assert theme._stylesheets == [] and "googleapis" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)  # data: URIs only
    assert not [f for f in theme.font if isinstance(f, gr.themes.GoogleFont)]
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"


def test_no_login_unless_configured():
    assert launch_kwargs(AppContext(get_settings()))["auth"] is None


@pytest.fixture
def ui() -> UI:
    with gr.Blocks():
        widgets = UI()
        draft_tab(widgets)
    return widgets


def test_ui_patch_mapping_leaves_unnamed_widgets_untouched(ui):
    assert ui.updates(Patch()) == {}
    view = SectionView(0, "一、基本情况", "正文", locked=True, status="已锁定", history=["旧"])
    values = ui.updates(Patch(sections=[view], status="ok"))
    assert set(values) == {ui.status} | {w for s in ui.slots for w in (s.group, s.text, s.lock, s.status, s.history)}
    assert values[ui.slots[0].text]["value"] == "正文" and values[ui.slots[0].text]["interactive"] is False
    assert values[ui.slots[0].lock] is True
    assert values[ui.slots[1].group]["visible"] is False
    assert values[ui.status] == "ok"
    busy = SectionView(2, "三、存在问题", "写到一半", busy=True)
    values = ui.updates(Patch(section={2: busy}, section_status={2: "x", 3: "已保存"}))
    assert values[ui.slots[2].text]["interactive"] is False and values[ui.slots[2].text]["value"] == "写到一半"
    assert values[ui.slots[3].status] == "已保存" and ui.slots[3].text not in values  # only what was named


def test_a_patch_with_a_wrong_field_fails_at_once(ui):
    with pytest.raises(TypeError):
        Patch(stauts="ok")  # type: ignore[call-arg]
    patch = Patch()
    with pytest.raises(AttributeError):
        patch.stauts = "ok"  # type: ignore[attr-defined]
    with pytest.raises(KeyError):
        ui.updates(Patch(errors={"no_such_field": "x"}))
    with pytest.raises(KeyError):
        ui.updates(Patch(form={"no_such_field": "x"}))


SAMPLES = {
    "status": "ok", "errors": {GENERAL: "错"}, "form": {"unit": "青山镇党委", "target_chars": 1200},
    "outline": "一、基本情况", "outline_errors": "错", "examples": "<table></table>",
    "pin": Choices(choices=["a"], value=["a"]), "exclude": Choices(choices=[("甲", "d1")], value=[]),
    "checks": "<div></div>", "files": ["/tmp/a.docx"], "facts_file": "/tmp/a.json",
    "sections": [SectionView(0, "一、基本情况", "正文")], "section": {1: SectionView(1, "二、主要做法", "正文")},
    "section_status": {0: "已保存"},
}


def test_every_patch_field_maps_to_a_widget_of_the_events(ui):
    """Each field of Patch, set alone, updates at least one widget, and only widgets every drafting event
    lists as outputs (a new field without a mapping, or mapped to a widget not in outputs, fails here)."""
    outputs = {id(w) for w in ui.outputs()}
    assert len(outputs) == len(ui.outputs())
    for f in dataclasses.fields(Patch):
        values = ui.updates(Patch(**{f.name: SAMPLES[f.name]}))
        assert values, f"Patch.{f.name} changes no widget"
        assert {id(w) for w in values} <= outputs, f"Patch.{f.name} changes a widget outside UI.outputs()"
    assert ui.updates(Patch(form={"target_chars": None}))[ui.form["target_chars"]] == ""
    assert ui.updates(Patch(files=["/tmp/a.md"]))[ui.files] == gr.update(value=["/tmp/a.md"], visible=True)
