"""Page-level actions: open a session (restore everything), autosave the form, presets, facts JSON import
and export, and validation shown next to each field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drafter.webapp import render
from drafter.webapp.corpus import safe_name
from drafter.webapp.drafting import errors_patch, restore_draft, scratch_dir
from drafter.webapp.form import (
    check_form,
    facts_to_form,
    form_json,
    is_blank,
    normalise_form,
    parse_facts_file,
)
from drafter.webapp.patch import Patch
from drafter.webapp.presets import SAMPLE_FACTS

MAX_FACTS_FILE = 1_000_000


def open_session(ctx, session_id: object) -> tuple[str, dict[str, Any], Patch]:
    """(session id, form, patch) for a page load: the stored session, or a new one for a missing/forged id."""
    sid = ctx.sessions.ensure_id(session_id)
    state = ctx.sessions.load(sid)
    form = normalise_form(state.form)
    typed = not is_blank(form)
    patch = restore_draft(ctx, state)
    # errors only for what was typed: an untouched form is not "wrong"
    patch.errors = errors_patch(check_form(form).errors if typed else None)
    patch.status = render.notice("已恢复上次的内容。", "ok") if typed or state.run_dir else ""
    return sid, form, patch


def autosave(ctx, sid: str, form: dict[str, Any]) -> None:
    """Save the raw form as typed (valid or not)."""
    ctx.sessions.update(sid, form=normalise_form(form))


def validate(ctx, sid: str, form: dict[str, Any]) -> Patch:
    autosave(ctx, sid, form)
    check = check_form(form)
    if check.ok:
        return Patch(errors=errors_patch(), status=render.notice("事实填写完整，格式正确。", "ok"))
    n = sum(len(v) for v in check.errors.values())
    return Patch(errors=errors_patch(check.errors),
                 status=render.notice(f"有 {n} 处需要修改（见各栏下方红字），已填写的内容均已保存。", "error"))


def apply_preset(ctx, sid: str, name: str) -> Patch:
    """Fill the form with an example (the patch's ``form`` is the new form)."""
    data = SAMPLE_FACTS.get(name or "")
    if data is None:
        return Patch(status=render.notice("请先选择一个示例。", "warn"))
    form = facts_to_form(data)
    autosave(ctx, sid, form)
    return Patch(form=form, errors=errors_patch(),
                 status=render.notice(f"已填入示例“{name}”，可在此基础上修改。", "ok"))


def import_facts(ctx, sid: str, path: str | None) -> Patch:
    """Fill the form from an uploaded JSON file (the patch's ``form``); fields that fail validation are shown
    with their errors; a file that cannot be read leaves the form as it was."""
    if not path:
        return Patch()
    p = Path(path)
    if p.stat().st_size > MAX_FACTS_FILE:
        return Patch(status=render.notice("事实文件过大（超过 1 MB）。", "error"))
    data, problem = parse_facts_file(p.read_bytes())
    if problem:
        return Patch(status=render.notice(f"无法导入：{problem}", "error"))
    form = facts_to_form(data)
    autosave(ctx, sid, form)
    check = check_form(form)
    unknown = [k for k in data if k not in form]
    notes = [f"已忽略未知字段：{'、'.join(unknown)}"] if unknown else []
    if check.ok:
        return Patch(form=form, errors=errors_patch(), status=render.notice("\n".join(["已导入事实。", *notes]), "ok"))
    return Patch(form=form, errors=errors_patch(check.errors),
                 status=render.notice("\n".join(["已导入，但有内容需要修改（见各栏下方红字）。", *notes]), "warn"))


def export_facts(ctx, sid: str, form: dict[str, Any]) -> Patch:
    autosave(ctx, sid, form)
    text, check = form_json(form)
    unit = str(check.data.get("unit") or "事实")[:40]
    out = scratch_dir(sid, "facts") / safe_name(f"{unit}-事实.json")
    out.write_text(text, encoding="utf-8")
    json.loads(text)  # always valid JSON
    if check.ok:
        return Patch(facts_file=str(out), errors=errors_patch(), status=render.notice("已保存事实 JSON。", "ok"))
    return Patch(facts_file=str(out), errors=errors_patch(check.errors),
                 status=render.notice("已按原样保存（含待修改的内容，见各栏下方红字）。", "warn"))
