"""Page actions: presets, facts JSON import/export, validation, autosave of the raw form."""

from __future__ import annotations

import json
from pathlib import Path

from drafter.facts import validate_facts
from drafter.settings import get_settings
from drafter.webapp import page
from drafter.webapp.context import AppContext
from drafter.webapp.form import facts_to_form
from drafter.webapp.presets import SAMPLE_FACTS


def make_ctx():
    return AppContext(get_settings())


def test_preset_fills_and_autosaves_the_form():
    ctx = make_ctx()
    sid = ctx.sessions.ensure_id(None)
    patch = page.apply_preset(ctx, sid, "社区党建工作汇报")
    form = patch.form
    assert form["unit"] == "和平街道东风社区党委" and "已填入示例" in patch.status
    assert ctx.sessions.load(sid).form["unit"] == "和平街道东风社区党委"
    assert page.apply_preset(ctx, sid, "不存在").form is None


def test_import_valid_invalid_and_broken_facts_files(tmp_path):
    ctx = make_ctx()
    sid = ctx.sessions.ensure_id(None)
    good = tmp_path / "good.json"
    good.write_text(json.dumps({**SAMPLE_FACTS["学校主题教育经验材料"], "extra": 1}, ensure_ascii=False), encoding="utf-8")
    patch = page.import_facts(ctx, sid, str(good))
    assert patch.form["unit"] == "第三中学党总支" and "已忽略未知字段：extra" in patch.status
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"unit": "某单位", "figures": [{"label": "党员", "value": "很多"}]}, ensure_ascii=False),
                   encoding="utf-8")
    patch = page.import_facts(ctx, sid, str(bad))
    assert patch.form["figures"][0] == ["党员", "很多", ""]  # shown as written, with the error beside it
    assert "不是数字" in patch.errors["figures"] and "有内容需要修改" in patch.status
    broken = tmp_path / "broken.json"
    broken.write_text("{unit: 1}", encoding="utf-8")
    patch = page.import_facts(ctx, sid, str(broken))
    assert patch.form is None and "无法导入：不是有效的 JSON" in patch.status
    assert ctx.sessions.load(sid).form["unit"] == "某单位"  # a failed import does not wipe the form


def test_export_facts_json_reads_back():
    ctx = make_ctx()
    sid = ctx.sessions.ensure_id(None)
    patch = page.export_facts(ctx, sid, facts_to_form(SAMPLE_FACTS["乡镇创先争优活动总结"]))
    facts = validate_facts(json.loads(Path(patch.facts_file).read_text(encoding="utf-8")))
    assert facts.unit == "青山镇党委" and patch.facts_file.endswith("青山镇党委-事实.json")


def test_validate_reports_and_autosaves_invalid_input():
    ctx = make_ctx()
    sid = ctx.sessions.ensure_id(None)
    form = facts_to_form({"unit": "", "target_chars": "很多"})
    patch = page.validate(ctx, sid, form)
    assert "必填" in patch.errors["unit"] and "不是整数" in patch.errors["target_chars"]
    assert ctx.sessions.load(sid).form["target_chars"] == "很多"
    _, restored, restored_patch = page.open_session(ctx, sid)
    assert restored["target_chars"] == "很多" and "不是整数" in restored_patch.errors["target_chars"]


def test_an_untouched_form_is_neither_restored_nor_flagged():
    ctx = make_ctx()
    sid = ctx.sessions.ensure_id(None)
    page.autosave(ctx, sid, facts_to_form({}))  # what the page's change events save on a first visit
    _, form, patch = page.open_session(ctx, sid)
    assert form["unit"] == "" and patch.status == ""
    assert all(html == "" for html in patch.errors.values())
