"""Drafting actions behind the UI: check the form, start or reuse a run, retrieve examples (pin/exclude),
edit the outline, stream the draft (one section's actions are in drafter.webapp.section_actions).

Every action returns (or yields) a ``Patch`` (drafter.webapp.patch) naming what the page should show now;
the UI maps its fields to widgets and leaves everything not named untouched. The run on disk (the engine's record) holds the outline,
sections and history; the session state only points to it and keeps what was typed but not yet committed.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from drafter.facts import Facts
from drafter.outline import Outline
from drafter.run import Run, SectionDraft
from drafter.webapp import render
from drafter.webapp.form import FORM_FIELDS, GENERAL, check_form, normalise_form
from drafter.webapp.outline_text import OutlineTextError, outline_to_text, text_to_outline
from drafter.webapp.patch import Choices, Patch, SectionView
from drafter.webapp.sessions import SessionState

STREAM_INTERVAL = 0.15  # seconds between streamed UI updates of one section


def status_line(s: SectionDraft) -> str:
    parts = []
    if s.locked:
        parts.append("已锁定")
    if s.status == "failed":
        parts.append(f"生成失败：{s.error}")
    elif s.status == "pending":
        parts.append("待生成")
    if s.history:
        parts.append(f"历史版本 {len(s.history)} 个")
    flags = [f.get("message", "") for f in s.flags if f.get("message")]
    if flags:
        parts.append(f"待核实 {len(flags)} 处：" + "；".join(flags[:3]))
    if s.exemplars:  # the passages this section was written from (drafter.exemplars)
        parts.append("参考范文：" + "；".join(f"《{e.get('title', '')[:24]}》{e.get('heading', '')[:16]}"
                                          for e in s.exemplars[:3]))
    return "；".join(parts)


def section_view(s: SectionDraft, text: str | None = None) -> SectionView:
    return SectionView(s.index, s.heading, s.body if text is None else text, s.locked, status_line(s),
                       list(s.history))


def section_views(run: Run, pending: dict[str, str] | None = None) -> list[SectionView]:
    pending = pending or {}
    return [section_view(s, pending.get(str(s.index))) for s in run.sections]


def errors_patch(errors: dict[str, list[str]] | None = None) -> dict[str, str]:
    """HTML for every form field's error slot ('' clears it)."""
    errors = errors or {}
    return {name: render.field_errors(errors.get(name)) for name in (*FORM_FIELDS, GENERAL)}


def _form_problem_status(errors: dict[str, list[str]]) -> str:
    n = sum(len(v) for v in errors.values())
    return render.notice(f"表单有 {n} 处需要修改（见各栏下方红字），已填写的内容均已保存。", "error")


# --------------------------------------------------------------------------- run bookkeeping


def current_run(state: SessionState) -> Run | None:
    if not state.run_dir:
        return None
    try:
        return Run.load(state.run_dir)
    except (FileNotFoundError, ValueError, OSError):
        return None


def _save_form(ctx, sid: str, form: dict[str, Any]) -> SessionState:
    return ctx.sessions.update(sid, form=normalise_form(form))


def _start_run(ctx, sid: str, facts: Facts, state: SessionState) -> Run:
    run = ctx.engine.start(facts, pinned=state.pinned, excluded=state.excluded)
    ctx.sessions.update(sid, run_dir=str(run.dir), facts_json=facts.to_json(),
                        outline_text=outline_to_text(run.outline), pending={})
    return run


def ensure_run(ctx, sid: str, facts: Facts) -> tuple[Run, bool]:
    """The session's run for these facts: reused when the facts are unchanged, else a new one (retrieved and
    planned). Returns (run, started_now)."""
    state = ctx.sessions.load(sid)
    run = current_run(state)
    if run is not None and state.facts_json == facts.to_json() and run.outline is not None:
        return run, False
    return _start_run(ctx, sid, facts, state), True


def apply_outline_text(ctx, sid: str, run: Run, text: str) -> Outline:
    """Save the outline text if it differs from the run's outline (raises OutlineTextError)."""
    outline = run.outline
    assert outline is not None
    if text is None or not str(text).strip() or str(text).strip() == outline_to_text(outline).strip():
        return outline
    edited = text_to_outline(text, outline)
    run.set_outline(edited)
    ctx.sessions.update(sid, outline_text=outline_to_text(edited))
    return edited


def sync_edits(ctx, sid: str, run: Run, texts: Sequence[str | None]) -> int:
    """Commit what the section boxes show (user edits) to the run; returns how many sections changed."""
    changed = 0
    for s, text in zip(run.sections, texts, strict=False):
        if text is None or s.locked or s.status != "done" or text == s.body:
            continue
        ctx.engine.set_section_text(run, s.index, text)
        changed += 1
    state = ctx.sessions.load(sid)
    if state.pending:
        ctx.sessions.update(sid, pending={})
    return changed


# --------------------------------------------------------------------------- examples


def _all_hits(run: Run, engine) -> list:
    retrieval = engine.retrieval(run)
    seen, hits = set(), []
    for hit in [*retrieval.examples, *(h for hs in retrieval.by_section.values() for h in hs)]:
        if hit.id not in seen:
            seen.add(hit.id)
            hits.append(hit)
    return hits


def examples_patch(ctx, state: SessionState, run: Run | None) -> Patch:
    if run is None:
        return Patch(examples=render.examples_table([]), pin=Choices(choices=[], value=[]),
                     exclude=Choices(choices=[], value=[]))
    hits = _all_hits(run, ctx.engine)
    pin_choices = render.example_choices(hits)
    ids = {h.id for h in hits}
    docs: dict[str, str] = {}
    for h in hits:
        docs.setdefault(h.doc_id, (h.title or Path(h.source).name)[:40])
    excluded_docs = [d for d in state.excluded if d not in docs]
    if excluded_docs:
        for hit in ctx.store.get(excluded_docs):
            docs[hit.doc_id] = f"{(hit.title or Path(hit.source).name)[:40]}（已排除）"
    for d in state.excluded:
        docs.setdefault(d, f"{d[:12]}（已排除）")
    return Patch(
        examples=render.examples_table(hits, state.pinned),
        pin=Choices(choices=pin_choices, value=[p for p in state.pinned if p in ids]),
        exclude=Choices(choices=[(label, d) for d, label in docs.items()], value=list(state.excluded)),
    )


def retrieve(ctx, sid: str, form: dict[str, Any], pinned: Sequence[str] = (), excluded: Sequence[str] = ()
             ) -> Patch:
    """检索范文: validate, start/reuse the run, retrieve with the user's pins and exclusions."""
    _save_form(ctx, sid, form)
    check = check_form(form)
    if not check.ok:
        return Patch(errors=errors_patch(check.errors), status=_form_problem_status(check.errors))
    state = ctx.sessions.update(sid, pinned=[str(p) for p in pinned or []],
                                excluded=[str(e) for e in excluded or []])
    run, fresh = ensure_run(ctx, sid, check.facts)
    if not fresh:
        ctx.engine.retrieve(run, pinned=state.pinned, excluded=state.excluded)
    state = ctx.sessions.load(sid)
    hits = _all_hits(run, ctx.engine)
    patch = replace(examples_patch(ctx, state, run), errors=errors_patch(),
                    outline=state.outline_text or outline_to_text(run.outline))
    if not hits:
        patch.status = render.notice("语料库中没有可参考的范文，将仅依据事实起草（可在“语料库”页导入材料）。", "warn")
    else:
        patch.status = render.notice(f"已检索到 {len(hits)} 条参考范文；提纲已生成，可修改后点“生成初稿”。", "ok")
    if fresh:
        patch.sections = section_views(run)
        patch.checks = render.checks_panel(None)
    return patch


def replan(ctx, sid: str, form: dict[str, Any]) -> Patch:
    """重新生成提纲 from the facts (discards outline edits not yet used)."""
    _save_form(ctx, sid, form)
    check = check_form(form)
    if not check.ok:
        return Patch(errors=errors_patch(check.errors), status=_form_problem_status(check.errors))
    run, fresh = ensure_run(ctx, sid, check.facts)
    if not fresh:
        outline = ctx.engine.plan(run)
        ctx.sessions.update(sid, outline_text=outline_to_text(outline))
    state = ctx.sessions.load(sid)
    return replace(examples_patch(ctx, state, run), errors=errors_patch(), outline=state.outline_text,
                   sections=section_views(run), status=render.notice("已按事实重新生成提纲。", "ok"))


def save_outline(ctx, sid: str, text: str) -> Patch:
    state = ctx.sessions.update(sid, outline_text=str(text or ""))
    run = current_run(state)
    if run is None:
        return Patch(status=render.notice("请先填写事实并点“检索范文并生成提纲”。", "warn"))
    try:
        apply_outline_text(ctx, sid, run, text)
    except OutlineTextError as exc:
        return Patch(outline_errors=render.field_errors(exc.problems),
                     status=render.notice("提纲有误，未保存修改（原文已保留）。", "error"))
    return Patch(outline_errors="", sections=section_views(run), status=render.notice("提纲已保存。", "ok"))


# --------------------------------------------------------------------------- writing


def checks_html(ctx, run: Run, report: dict | None = None) -> str:
    report = report if report is not None else ctx.engine.check(run)
    return render.checks_panel(report, ctx.engine.document_text(run))


def _fresh_copy(ctx, sid: str, run: Run) -> Run:
    """A new run for a full rewrite: same facts, pins, exclusions and outline; locked sections carried over."""
    state = ctx.sessions.load(sid)
    new = ctx.engine.redraft(run, pinned=state.pinned, excluded=state.excluded)
    ctx.sessions.update(sid, run_dir=str(new.dir), pending={})
    return new


BUSY = "上一项生成尚未完成，请稍候再试。"


def exclusive(action):
    """Run a streaming action only if the session has no other model task running (else say so)."""

    def wrapper(ctx, sid: str, *args, **kwargs) -> Iterator[Patch]:
        lock = ctx.sessions.task_lock(sid)
        if not lock.acquire(blocking=False):
            yield Patch(status=render.notice(BUSY, "warn"))
            return
        try:
            yield from action(ctx, sid, *args, **kwargs)
        finally:
            lock.release()

    wrapper.__name__, wrapper.__doc__ = action.__name__, action.__doc__
    return wrapper


@exclusive
def generate(ctx, sid: str, form: dict[str, Any], outline_text: str = "",
             texts: Sequence[str | None] = (), interval: float = STREAM_INTERVAL) -> Iterator[Patch]:
    """生成初稿: stream the draft section by section. Sections already written are rewritten in a new run
    (locked ones kept); an interrupted run resumes where it stopped."""
    _save_form(ctx, sid, form)
    if outline_text and str(outline_text).strip():
        ctx.sessions.update(sid, outline_text=str(outline_text))
    check = check_form(form)
    if not check.ok:
        yield Patch(errors=errors_patch(check.errors), status=_form_problem_status(check.errors))
        return
    yield Patch(errors=errors_patch(), status=render.notice("正在检索范文、生成提纲…", "info"))
    run, fresh = ensure_run(ctx, sid, check.facts)
    if not fresh:
        sync_edits(ctx, sid, run, texts)
        try:
            apply_outline_text(ctx, sid, run, outline_text)
        except OutlineTextError as exc:
            yield Patch(outline_errors=render.field_errors(exc.problems),
                        status=render.notice("提纲有误，请修改后再生成（原文已保留）。", "error"))
            return
        if run.sections and all(s.status == "done" or s.locked for s in run.sections):
            run = _fresh_copy(ctx, sid, run)
    state = ctx.sessions.load(sid)
    yield replace(examples_patch(ctx, state, run), outline=outline_to_text(run.outline), outline_errors="",
                  sections=section_views(run))
    yield from stream_patches(ctx, run, ctx.engine.write(run), interval, whole=True)


def stream_patches(ctx, run: Run, events, interval: float, whole: bool) -> Iterator[Patch]:
    total = len(run.sections)
    buffers: dict[int, str] = {}
    last = 0.0
    failed = False
    for ev in events:
        i = ev.section
        if ev.kind == "section_start" and i is not None:
            buffers[i] = ""
            what = "正在改写" if not whole else f"正在撰写第 {i + 1}/{total} 节"
            s = run.sections[i]
            yield Patch(status=render.notice(f"{what}：{s.heading}", "info"),
                        section={i: SectionView(i, s.heading, "", s.locked, "生成中…", list(s.history), busy=True)})
            last = time.monotonic()
        elif ev.kind == "delta" and i is not None:
            buffers[i] = buffers.get(i, "") + ev.text
            now = time.monotonic()
            if now - last >= interval:
                last = now
                s = run.sections[i]
                yield Patch(section={i: SectionView(i, s.heading, buffers[i], s.locked, "生成中…", list(s.history),
                                                    busy=True)})
        elif ev.kind == "repair" and i is not None:
            yield Patch(status=render.notice(f"第 {i + 1} 节核对数字后修改中（第 {ev.data.get('attempt', 1)} 次）…", "info"))
        elif ev.kind == "restart":
            yield Patch(status=render.notice(ev.data.get("message", "本地模型进程已退出，正在重启…"), "warn"))
        elif ev.kind == "section_done" and i is not None:
            s = run.sections[i]
            note = (f"{s.heading}：{ev.data.get('reason', '已更新')}" if ev.data.get("updated")
                    else f"已完成 {sum(x.status == 'done' for x in run.sections)}/{total} 节")
            yield Patch(section={i: section_view(s)}, status=render.notice(note, "info"))
        elif ev.kind == "checks":
            yield Patch(checks=checks_html(ctx, run, ev.data))
        elif ev.kind == "error":
            failed = True
            message = ev.data.get("message", "生成失败")
            patch = Patch(status=render.notice(f"生成中断：{message}（已完成的内容已保存，可再次点击继续）", "error"))
            if i is not None and 0 <= i < total:
                s = run.sections[i]
                if s.body or not whole:
                    patch.section = {i: section_view(s)}
                else:
                    patch.section = {i: SectionView(i, s.heading, buffers.get(i, ""), s.locked, f"失败：{message}",
                                                       list(s.history))}
            yield patch
        elif ev.kind == "done":
            yield Patch(sections=section_views(run), status=render.notice("初稿已生成，可逐节修改、重新生成或导出。", "ok"))
    if not whole and not failed:
        yield Patch(sections=section_views(run), checks=checks_html(ctx, run),
                    status=render.notice("本节已重新生成。", "ok"))


def scratch_dir(sid: str, kind: str) -> Path:
    """An emptied per-session temp dir for files handed to the browser (Gradio serves copies from its cache)."""
    path = Path(tempfile.gettempdir()) / "drafter-web" / sid / kind
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


# --------------------------------------------------------------------------- page restore


def restore_draft(ctx, state: SessionState) -> Patch:
    """What the drafting part of the page shows for a session (on load / reload)."""
    run = current_run(state)
    if run is None:
        return replace(examples_patch(ctx, state, None), outline=state.outline_text, sections=[],
                       checks=render.checks_panel(None))
    written = bool(run.sections) and all(s.status == "done" for s in run.sections)
    return replace(examples_patch(ctx, state, run),
                   outline=state.outline_text or (outline_to_text(run.outline) if run.outline else ""),
                   sections=section_views(run, state.pending),
                   checks=checks_html(ctx, run) if written else render.checks_panel(None))
