"""One section's actions behind the UI — regenerate, lock, undo, edit, recheck — and export of the whole draft.

Each returns (or yields) a ``Patch``; the run is changed in place by the engine, so nothing is reloaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from drafter.run import Run
from drafter.webapp import render
from drafter.webapp.drafting import (
    STREAM_INTERVAL,
    checks_html,
    current_run,
    exclusive,
    scratch_dir,
    section_view,
    status_line,
    stream_patches,
    sync_edits,
)
from drafter.webapp.patch import Patch
from drafter.writing import REWRITE_PRESETS


def _slot_run(ctx, sid: str, index: int) -> tuple[Run | None, Patch | None]:
    run = current_run(ctx.sessions.load(sid))
    if run is None or not run.sections:
        return None, Patch(status=render.notice("请先生成初稿。", "warn"))
    if not 0 <= index < len(run.sections):
        return None, Patch(status=render.notice(f"没有第 {index + 1} 节。", "warn"))
    return run, None


@exclusive
def regenerate(ctx, sid: str, index: int, instruction: str = "", preset: str | None = None,
               texts: Sequence[str | None] = (), interval: float = STREAM_INTERVAL) -> Iterator[Patch]:
    run, problem = _slot_run(ctx, sid, index)
    if problem:
        yield problem
        return
    sync_edits(ctx, sid, run, texts)
    if run.sections[index].locked:
        yield Patch(status=render.notice(f"第 {index + 1} 节已锁定，解锁后才能重新生成。", "warn"),
                    section={index: section_view(run.sections[index])})
        return
    preset = preset if preset in REWRITE_PRESETS else None
    yield from stream_patches(ctx, run, ctx.engine.regenerate(run, index, instruction=str(instruction or ""),
                                                       preset=preset), interval, whole=False)


def set_lock(ctx, sid: str, index: int, locked: bool, texts: Sequence[str | None] = ()) -> Patch:
    run, problem = _slot_run(ctx, sid, index)
    if problem:
        return problem
    sync_edits(ctx, sid, run, texts)
    ctx.engine.lock(run, index, bool(locked))
    what = "已锁定（重新生成全文时保持不变）" if locked else "已解锁"
    return Patch(section={index: section_view(run.sections[index])},
                 status=render.notice(f"第 {index + 1} 节{what}。", "ok"))


def undo(ctx, sid: str, index: int, texts: Sequence[str | None] = ()) -> Patch:
    run, problem = _slot_run(ctx, sid, index)
    if problem:
        return problem
    sync_edits(ctx, sid, run, texts)
    if run.sections[index].locked:
        return Patch(status=render.notice(f"第 {index + 1} 节已锁定，解锁后才能撤销。", "warn"))
    if not ctx.engine.undo(run, index):
        return Patch(status=render.notice(f"第 {index + 1} 节没有可撤销的版本。", "warn"),
                     section={index: section_view(run.sections[index])})
    return Patch(section={index: section_view(run.sections[index])}, checks=checks_html(ctx, run),
                 status=render.notice(f"第 {index + 1} 节已恢复到上一版本。", "ok"))


def remember_edit(ctx, sid: str, index: int, text: str) -> None:
    """Autosave a section box while the user types (committed on blur or by the next action)."""
    with ctx.sessions.lock(sid):
        state = ctx.sessions.load(sid)
        state.pending[str(index)] = str(text or "")
        ctx.sessions.save(sid, state)


def commit_edit(ctx, sid: str, index: int, text: str) -> Patch:
    run = current_run(ctx.sessions.load(sid))
    if run is None or not 0 <= index < len(run.sections):
        return Patch()
    sync_edits(ctx, sid, run, [text if i == index else None for i in range(len(run.sections))])
    return Patch(section_status={index: status_line(run.sections[index])})


def recheck(ctx, sid: str, texts: Sequence[str | None] = ()) -> Patch:
    run = current_run(ctx.sessions.load(sid))
    if run is None or not run.sections:
        return Patch(status=render.notice("请先生成初稿。", "warn"))
    sync_edits(ctx, sid, run, texts)
    return Patch(checks=checks_html(ctx, run), status=render.notice("已按当前文字重新检查。", "ok"))


_UNSAFE_NAME = re.compile(r'[\x00-\x1f<>:"/\\|?*\s]+')


def export(ctx, sid: str, texts: Sequence[str | None] = ()) -> Patch:
    """Export .docx and .md of the current text (edits included) into a fresh temp dir for download."""
    run = current_run(ctx.sessions.load(sid))
    if run is None or not run.sections:
        return Patch(status=render.notice("请先生成初稿。", "warn"))
    sync_edits(ctx, sid, run, texts)
    paths = ctx.engine.export(run, formats=("docx", "md"))
    name = _UNSAFE_NAME.sub("_", (run.outline.title if run.outline else "") or "草稿")[:60].strip("._") or "草稿"
    out_dir = scratch_dir(sid, "export")
    files = []
    for fmt in ("docx", "md"):
        target = out_dir / f"{name}.{fmt}"
        target.write_bytes(paths[fmt].read_bytes())
        files.append(str(target))
    return Patch(files=files, checks=checks_html(ctx, run),
                 status=render.notice("已导出 Word 和 Markdown 文件，点击文件名下载。", "ok"))
