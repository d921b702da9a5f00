"""The drafting actions behind the UI, on the real engine with scripted models and a real temp Chroma store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document

from drafter.llm import MockModel
from drafter.llm.errors import LLMTimeoutError
from drafter.run import Run
from drafter.settings import get_settings
from drafter.webapp import drafting, page, section_actions
from drafter.webapp.context import AppContext
from drafter.webapp.form import facts_to_form
from drafter.webapp.outline_text import outline_to_text
from drafter.webapp.patch import Patch
from drafter.webapp.presets import SAMPLE_FACTS
from vectorstore.cli import demo_corpus_files

TEXT = "坚持把党建工作摆在突出位置，健全工作机制，压实工作责任，推动各项任务落地见效。"
REWRITE = "以党员先锋岗为抓手，示范带动作用进一步显现，改写稿更加简练。"


def scripted(n: int = 60) -> MockModel:
    model = MockModel("draft")
    for _ in range(n):
        model.enqueue([TEXT[:10], TEXT[10:]])
    return model


@pytest.fixture
def ctx():
    context = AppContext(get_settings(), model=scripted(), rewrite_model=MockModel("rewrite"))
    context.store.ingest(demo_corpus_files())
    return context


@pytest.fixture
def sid(ctx):
    return ctx.sessions.ensure_id(None)


def preset_form(name: str = "乡镇创先争优活动总结", **changes):
    form = facts_to_form(SAMPLE_FACTS[name])
    form.update(changes)
    return form


def run_of(ctx, sid) -> Run:
    return Run.load(ctx.sessions.load(sid).run_dir)


def generate(ctx, sid, form=None, outline="", texts=()) -> list[Patch]:
    return list(drafting.generate(ctx, sid, form or preset_form(), outline, texts, interval=0))


def test_retrieve_shows_examples_and_an_editable_outline(ctx, sid):
    patch = drafting.retrieve(ctx, sid, preset_form())
    assert "青溪镇党委2011年创先争优活动工作总结" in patch.examples
    assert patch.pin.choices and patch.exclude.choices
    assert "一、基本情况" in patch.outline and "数据：基层党组织42个" in patch.outline
    assert "已检索到" in patch.status
    state = ctx.sessions.load(sid)
    assert state.run_dir and json.loads(state.facts_json)["unit"] == "青山镇党委"


def test_invalid_form_is_reported_per_field_and_kept(ctx, sid):
    form = preset_form(unit="", target_chars="abc")
    patch = drafting.retrieve(ctx, sid, form)
    assert "必填" in patch.errors["unit"] and "不是整数" in patch.errors["target_chars"]
    assert patch.errors["figures"] == ""
    assert "2 处需要修改" in patch.status
    state = ctx.sessions.load(sid)
    assert state.form["target_chars"] == "abc" and state.run_dir is None
    assert next(p for p in generate(ctx, sid, form) if p.errors is not None).errors["unit"]


def test_exclude_and_pin_change_what_is_retrieved(ctx, sid):
    drafting.retrieve(ctx, sid, preset_form())
    run = run_of(ctx, sid)
    first = ctx.engine.retrieval(run)
    excluded = first.examples[0].doc_id
    section_hit = next(h for hits in first.by_section.values() for h in hits)
    patch = drafting.retrieve(ctx, sid, preset_form(), pinned=[section_hit.id], excluded=[excluded])
    again = ctx.engine.retrieval(run_of(ctx, sid))
    doc_ids = {h.doc_id for h in again.examples} | {h.doc_id for hs in again.by_section.values() for h in hs}
    assert excluded not in doc_ids
    assert again.pinned == [section_hit.id] and section_hit.id in patch.pin.value
    assert patch.exclude.value == [excluded]
    assert any(value == excluded and "已排除" in label for label, value in patch.exclude.choices)


def test_generate_streams_each_section_then_checks(ctx, sid):
    patches = generate(ctx, sid)
    streamed = [p.section for p in patches if p.section and any(v.busy for v in p.section.values())]
    assert streamed, "no streamed update"
    assert any(v.body.endswith("\n" + TEXT[:10]) for s in streamed for v in s.values())  # the first chunk, alone
    final = [p for p in patches if p.sections is not None][-1].sections
    run = run_of(ctx, sid)
    assert [v.body for v in final] == [s.body for s in run.sections]
    # 基本情况, 取得成效 and 存在问题 are written by frames from the facts, 主要做法 by the model; 下一步打算 is its
    # frame, each plan carried on by the model (the embedded default, 1.5B)
    framed = {0, 2, 3}
    assert all(TEXT in v.body for i, v in enumerate(final) if i not in framed | {4})
    assert all(TEXT not in final[i].body and final[i].body for i in framed)
    assert final[4].body.startswith("下一步，") and "一是" in final[4].body
    assert run.facts.unit in final[0].body
    assert [v.heading for v in final][:2] == ["一、基本情况", "二、主要做法"]
    assert any("检查结果" in (p.checks or "") for p in patches)
    assert "初稿已生成" in patches[-1].status
    starts = [p.status for p in patches if "正在撰写" in (p.status or "")]
    assert "第 1/5 节" in starts[0] and "第 5/5 节" in starts[-1]


def test_outline_edits_are_used_and_bad_outlines_are_refused(ctx, sid):
    drafting.retrieve(ctx, sid, preset_form())
    text = ctx.sessions.load(sid).outline_text.replace("二、主要做法", "二、主要工作举措")
    bad = text + "\n胡乱的一行"
    patches = generate(ctx, sid, outline=bad)
    assert "胡乱的一行" in patches[-1].outline_errors and "提纲有误" in patches[-1].status
    assert ctx.sessions.load(sid).outline_text == bad  # what was typed is kept
    patches = generate(ctx, sid, outline=text)
    assert run_of(ctx, sid).sections[1].heading == "二、主要工作举措"
    assert "二、主要工作举措" in patches[-1].sections[1].heading


def test_save_outline_and_replan(ctx, sid):
    assert "请先" in drafting.save_outline(ctx, sid, "一、甲").status
    drafting.retrieve(ctx, sid, preset_form())
    text = ctx.sessions.load(sid).outline_text.replace("五、下一步工作打算", "五、今后打算")
    patch = drafting.save_outline(ctx, sid, text)
    assert patch.outline_errors == "" and patch.sections[4].heading == "五、今后打算"
    patch = drafting.replan(ctx, sid, preset_form())
    assert "五、下一步工作打算" in patch.outline


def test_regenerate_lock_undo(ctx, sid):
    generate(ctx, sid)
    before = [s.body for s in run_of(ctx, sid).sections]
    section_actions.set_lock(ctx, sid, 0, True)
    rewrite = ctx.engine.clients.rewrite_model
    rewrite.enqueue([REWRITE[:6], REWRITE[6:]])
    patches = list(section_actions.regenerate(ctx, sid, 1, "突出党员先锋岗", "更加正式", interval=0))
    prompt = rewrite.history[-1][0][-1]["content"]
    assert "突出党员先锋岗" in prompt and "庄重" in prompt  # the instruction and the preset reach the model
    run = run_of(ctx, sid)
    assert REWRITE in run.sections[1].body and run.sections[1].history == [before[1]]
    assert run.sections[0].body == before[0] and run.sections[0].locked
    assert "本节已重新生成" in patches[-1].status and "历史版本 1 个" in patches[-1].sections[1].status
    assert any((p.section or {}).get(1) and p.section[1].busy for p in patches)
    # a locked section is neither regenerated nor undone
    locked = list(section_actions.regenerate(ctx, sid, 0, "随便改", None, interval=0))
    assert "已锁定" in locked[-1].status and run_of(ctx, sid).sections[0].body == before[0]
    assert "已锁定" in section_actions.undo(ctx, sid, 0).status
    undone = section_actions.undo(ctx, sid, 1)
    assert undone.section[1].body == before[1] and run_of(ctx, sid).sections[1].body == before[1]
    assert "没有可撤销" in section_actions.undo(ctx, sid, 1).status
    unlocked = section_actions.set_lock(ctx, sid, 0, False)
    assert not unlocked.section[0].locked and "已解锁" in unlocked.status


def test_regenerate_failure_keeps_the_text(ctx, sid):
    generate(ctx, sid)
    before = run_of(ctx, sid).sections[2].body
    ctx.engine.clients.rewrite_model.enqueue(LLMTimeoutError(5))
    patches = list(section_actions.regenerate(ctx, sid, 2, "扩写", None, interval=0))
    assert "模型服务在 5 秒内没有响应" in patches[-1].status
    assert patches[-1].section[2].body == before == run_of(ctx, sid).sections[2].body


def test_slot_actions_need_a_draft(ctx, sid):
    assert "请先生成初稿" in list(section_actions.regenerate(ctx, sid, 0))[-1].status
    assert "请先生成初稿" in section_actions.set_lock(ctx, sid, 0, True).status
    assert "请先生成初稿" in section_actions.export(ctx, sid).status
    generate(ctx, sid)
    assert "没有第 9 节" in section_actions.undo(ctx, sid, 8).status


def test_edits_are_committed_and_exported(ctx, sid, tmp_path):
    generate(ctx, sid)
    run = run_of(ctx, sid)
    texts = [s.body for s in run.sections]
    texts[2] = texts[2] + "（手工补充的一句话。）"
    patch = section_actions.export(ctx, sid, texts)
    docx, md = patch.files
    assert docx.endswith("青山镇党委2024年创先争优工作总结.docx") and md.endswith(".md")
    paragraphs = [p.text for p in Document(docx).paragraphs]
    assert any("（手工补充的一句话。）" in p for p in paragraphs)
    assert "（手工补充的一句话。）" in Path(md).read_text(encoding="utf-8")
    run = run_of(ctx, sid)
    assert run.sections[2].body == texts[2] and len(run.sections[2].history) == 1


def test_typing_is_autosaved_restored_and_committed_on_blur(ctx, sid):
    generate(ctx, sid)
    section_actions.remember_edit(ctx, sid, 0, "正在输入的文字")
    _, _, patch = page.open_session(ctx, sid)
    assert patch.sections[0].body == "正在输入的文字"  # restored before it was committed
    section_actions.commit_edit(ctx, sid, 0, "正在输入的文字。")
    run = run_of(ctx, sid)
    assert run.sections[0].body == "正在输入的文字。" and ctx.sessions.load(sid).pending == {}


def test_recheck_highlights_an_invented_number(ctx, sid):
    generate(ctx, sid)
    texts = [s.body for s in run_of(ctx, sid).sections]
    texts[0] += "全镇新发展党员9999名。"
    html = section_actions.recheck(ctx, sid, texts).checks
    assert '<mark class="flag flag-invented"' in html and ">9999名<" in html.replace("</mark>", "<")


def test_generate_again_starts_a_new_run_keeping_locked_sections(ctx, sid):
    generate(ctx, sid)
    first = run_of(ctx, sid)
    texts = [s.body for s in first.sections]
    texts[1] = "锁定前手工改过的第二节。"
    section_actions.set_lock(ctx, sid, 1, True, texts)
    patches = generate(ctx, sid, texts=texts)
    second = run_of(ctx, sid)
    assert second.dir != first.dir
    assert second.sections[1].body == "锁定前手工改过的第二节。" and second.sections[1].locked
    assert all(s.status == "done" for s in second.sections)
    assert patches[-1].sections[1].locked


def test_model_failure_is_reported_in_chinese_and_generation_resumes(sid):
    model = MockModel("draft")
    model.enqueue(TEXT).enqueue(LLMTimeoutError(7))
    for _ in range(40):
        model.enqueue(TEXT)
    ctx = AppContext(get_settings(), model=model)
    patches = generate(ctx, sid)
    assert "生成中断" in patches[-1].status and "7 秒内没有响应" in patches[-1].status
    run = run_of(ctx, sid)
    assert run.sections[0].status == "done" and run.sections[1].status == "failed"
    kept = run.sections[0].body
    patches = generate(ctx, sid)
    run = run_of(ctx, sid)
    assert all(s.status == "done" for s in run.sections) and run.sections[0].body == kept
    assert "初稿已生成" in patches[-1].status


def test_reload_restores_everything_and_sessions_are_isolated(ctx, sid):
    form = preset_form(theme="创先争优<script>")
    generate(ctx, sid, form)
    section_actions.set_lock(ctx, sid, 0, True)
    again, restored_form, patch = page.open_session(ctx, sid)
    assert again == sid and restored_form["theme"] == "创先争优<script>"
    run = run_of(ctx, sid)
    assert [v.body for v in patch.sections] == [s.body for s in run.sections]
    assert patch.sections[0].locked and outline_to_text(run.outline) == patch.outline
    assert "检查结果" in patch.checks and "青溪镇" in patch.examples
    other, other_form, other_patch = page.open_session(ctx, None)
    assert other != sid and other_form["unit"] == "" and other_patch.sections == []
    assert ctx.sessions.load(other).run_dir is None


def test_forged_session_id_starts_a_new_session(ctx):
    sid, form, _ = page.open_session(ctx, "../../../etc")
    assert len(sid) == 32 and form["unit"] == ""


def test_one_model_task_per_session_at_a_time(ctx, sid):
    running = drafting.generate(ctx, sid, preset_form(), "", (), interval=0)
    next(running)  # holds the session's task lock while suspended
    assert drafting.BUSY in next(iter(section_actions.regenerate(ctx, sid, 0))).status
    other = ctx.sessions.ensure_id(None)
    assert "请先生成初稿" in list(section_actions.regenerate(ctx, other, 0))[-1].status  # other sessions are free
    list(running)  # finishing releases the lock
    ctx.engine.clients.rewrite_model.enqueue(REWRITE)
    patches = list(section_actions.regenerate(ctx, sid, 0, "", None, interval=0))
    assert all(drafting.BUSY not in (p.status or "") for p in patches)
