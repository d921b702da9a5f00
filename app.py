"""drafter's web app (Gradio Blocks): builds widgets and wires events; all logic is in ``drafter.webapp``.

    python app.py            # serves on settings.host:settings.port (127.0.0.1:7860), queue enabled

Offline by construction: analytics off, system fonts only (no Google Fonts), no CDN asset, no share link.
Each browser keeps an encrypted session id in its local storage (``gr.BrowserState``); everything typed is
autosaved under ``<home>/sessions/<id>/`` and restored on reload.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")

from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from drafter.facts import GENRES, LIST_FIELDS
from drafter.webapp import config, corpus, drafting, page, render
from drafter.webapp.context import AppContext
from drafter.webapp.errors import safe_call, safe_stream
from drafter.webapp.form import FIELD_NAMES, FIGURE_HEADERS, FORM_FIELDS, GENERAL
from drafter.webapp.outline_text import MAX_SECTIONS
from drafter.webapp.presets import PRESETS

SESSION_KEY = "drafter_session"
UNIT_TYPES = ["乡镇", "街道", "社区", "村", "机关", "学校", "医院", "国企", "企业", "事业单位"]
LIST_HINTS = {
    "activities": "每行一项，如：举办党课培训12期", "achievements": "每行一项，如：2个党支部获评县级先进基层党组织",
    "problems": "每行一项（可不填）", "plans": "每行一项（可不填）",
}  # fmt: skip

CSS = """
.err-slot:has(.prose:empty), .err-slot:has(.html-container:empty) { display: none !important; }
.field-error { color: #b42318 !important; font-size: 0.88em; margin: 2px 0 4px 0 !important;
  padding-left: 0 !important; list-style: none !important; text-align: left !important; }
.field-error li { color: #b42318 !important; margin: 0 !important; list-style: none !important; }
.field-error li::before { content: "✕ "; font-weight: bold; }
.notice { padding: 6px 10px; border-radius: 6px; margin: 4px 0; }
.notice-info { background: #eef4ff; } .notice-ok { background: #ecfdf3; }
.notice-warn { background: #fffaeb; } .notice-error { background: #fef3f2; color: #b42318; }
.doc-preview { white-space: pre-wrap; line-height: 1.8; border: 1px solid #e4e7ec; padding: 10px;
  border-radius: 6px; max-height: 520px; overflow-y: auto; }
mark.flag { padding: 0 2px; border-radius: 3px; }
mark.flag-invented { background: #fda29b; } mark.flag-unverified { background: #fedf89; }
mark.flag-leak, mark.flag-copy { background: #d6bbfb; }
table.examples, table.documents { width: 100%; border-collapse: collapse; font-size: 0.92em; table-layout: fixed; }
table.examples td, table.documents td { overflow-wrap: anywhere; word-break: break-all; }
table.examples th:nth-child(1) { width: 2em; } table.examples th:nth-child(3) { width: 24%; }
table.examples th:nth-child(4) { width: 5.5em; } table.examples th:nth-child(5) { width: 4.5em; }
.examples-wrap { max-height: 420px; overflow-y: auto; }
table.documents th:nth-child(1) { width: 30%; } table.documents th:nth-child(2) { width: 24%; }
.section-box { gap: 6px !important; }
#checks-col { position: sticky; top: 8px; align-self: flex-start; }
table.examples td, table.examples th, table.documents td, table.documents th {
  border: 0 !important; border-bottom: 1px solid #e4e7ec !important; padding: 4px 6px; text-align: left;
  vertical-align: top; }
.excerpt { color: #667085; font-size: 0.88em; }
.tag { font-size: 0.8em; margin-left: 4px; padding: 0 4px; border-radius: 4px; background: #eef4ff; }
.check { margin: 4px 0; } .check-bad b { color: #b42318; } .check-ok b { color: #067647; }
.sev-warning, .sev-info { color: #667085; }
.section-status { color: #475467; font-size: 0.9em; min-height: 1em; }
"""


def theme() -> gr.themes.Base:
    """The default theme with system CJK fonts only (the stock theme fetches Google Fonts)."""
    font = gr.themes.Font
    return gr.themes.Default(
        font=[font("Noto Sans CJK SC"), font("Microsoft YaHei"), font("PingFang SC"), font("WenQuanYi Micro Hei"),
              "sans-serif"],
        font_mono=[font("Noto Sans Mono CJK SC"), font("DejaVu Sans Mono"), "monospace"],
    )


@dataclass
class Slot:
    group: Any
    text: Any
    instruction: Any
    preset: Any
    regen: Any
    lock: Any
    undo: Any
    status: Any
    history: Any


@dataclass
class UI:
    status: Any = None
    form: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)
    outline: Any = None
    outline_errors: Any = None
    examples: Any = None
    pin: Any = None
    exclude: Any = None
    slots: list[Slot] = field(default_factory=list)
    checks: Any = None
    files: Any = None
    facts_file: Any = None
    preset_name: Any = None
    buttons: dict[str, Any] = field(default_factory=dict)

    def outputs(self) -> list[Any]:
        """Every widget a drafting patch may change, in a fixed order (see ``updates``)."""
        out = [self.status, *self.errors.values(), self.outline, self.outline_errors, self.examples, self.pin,
               self.exclude, self.checks, self.files, self.facts_file, *self.form.values()]
        for s in self.slots:
            out += [s.group, s.text, s.lock, s.status, s.history]
        return out

    def updates(self, patch: drafting.Patch) -> list[Any]:
        """The patch as one value/update per ``outputs()`` widget; what the patch does not name is left as is."""
        keep = gr.update()
        form = patch.get("form")
        errors = patch.get("errors") or {}
        out = [patch.get("status", keep)]
        out += [errors.get(name, keep) for name in self.errors]
        out.append(patch.get("outline", keep))
        out.append(patch.get("outline_errors", keep))
        out.append(patch.get("examples", keep))
        out.append(gr.update(choices=patch["pin_choices"], value=patch["pin_value"]) if "pin_choices" in patch
                   else keep)
        out.append(gr.update(choices=patch["exclude_choices"], value=patch["exclude_value"])
                   if "exclude_choices" in patch else keep)
        out.append(patch.get("checks", keep))
        out.append(gr.update(value=patch["files"], visible=True) if "files" in patch else keep)
        out.append(gr.update(value=patch["facts_file"], visible=True) if "facts_file" in patch else keep)
        out += [_widget_value(name, form[name]) if form is not None else keep for name in self.form]
        full = patch.get("sections")
        partial = patch.get("section") or {}
        statuses = patch.get("section_status") or {}
        for i in range(len(self.slots)):
            if full is not None and i >= len(full):
                out += [gr.update(visible=False), gr.update(value="", label=f"第{i + 1}节"), False, "", ""]
                continue
            view = partial.get(i) or (full[i] if full is not None else None)
            if view is None:
                out += [keep, keep, keep, statuses.get(i, keep), keep]
                continue
            out += [
                gr.update(visible=True),
                gr.update(value=view.body, label=view.heading, interactive=not view.locked and not view.busy),
                view.locked,
                f'<div class="section-status">{render.esc(view.status)}</div>',
                render.history_html(view.history),
            ]
        return out


def _widget_value(name: str, value: Any) -> Any:
    if name == "target_chars":
        return "" if value is None else str(value)
    return value


def _form(names: list[str], values: tuple) -> dict[str, Any]:
    return dict(zip(names, values, strict=True))


def build_app(ctx: AppContext) -> gr.Blocks:
    """The Blocks (not launched). ``ctx`` carries settings, store, engine and sessions."""
    ui = UI()
    with gr.Blocks(title="公文起草助手", analytics_enabled=False, delete_cache=(3600, 24 * 3600)) as demo:
        session = gr.BrowserState(None, storage_key=SESSION_KEY, secret=ctx.browser_secret())
        gr.HTML("<h2 style='margin:4px 0'>公文起草助手 · 工作总结 / 汇报材料 / 经验材料</h2>")
        ui.status = gr.HTML(elem_id="status")
        with gr.Tabs():
            with gr.Tab("起草", id="draft"):
                _draft_tab(ui)
            with gr.Tab("语料库", id="corpus"):
                corpus_ui = _corpus_tab()
            with gr.Tab("设置", id="settings"):
                settings_ui = _settings_tab()

        form_names = list(ui.form)
        form_inputs = [ui.form[n] for n in form_names]
        texts = [s.text for s in ui.slots]
        outputs = ui.outputs()
        n_slots = len(ui.slots)

        # --- page load: session id, restore everything ---------------------------------------------------
        def on_load(sid):
            sid, form, patch = page.open_session(ctx, sid)
            return [sid, *ui.updates({**patch, "form": form}), *_corpus_view(ctx), *_settings_view(ctx)]

        demo.load(on_load, inputs=[session],
                  outputs=[session, *outputs, *corpus_ui["view"], *settings_ui["view"]], show_progress="hidden")

        # --- form ----------------------------------------------------------------------------------------
        def on_autosave(sid, *values):
            if sid:
                page.autosave(ctx, sid, _form(form_names, values))

        # `change`, not `input`: Gradio fires `input` for key presses only, so text committed by an IME or
        # pasted would be missed; `change` also follows loads and presets, which only re-save the same form.
        gr.on([c.change for c in form_inputs], on_autosave, inputs=[session, *form_inputs], outputs=None,
              show_progress="hidden", trigger_mode="always_last", queue=False)

        def on_validate(sid, *values):
            return ui.updates(safe_call(lambda: page.validate(ctx, sid, _form(form_names, values))))

        ui.buttons["check"].click(on_validate, [session, *form_inputs], outputs, show_progress="hidden")

        def on_preset(sid, name):
            return ui.updates(safe_call(lambda: page.apply_preset(ctx, sid, name)))

        ui.buttons["preset"].click(on_preset, [session, ui.preset_name], outputs, show_progress="hidden")

        def on_import(sid, file):
            return ui.updates(safe_call(lambda: page.import_facts(ctx, sid, file)))

        ui.buttons["import"].upload(on_import, [session, ui.buttons["import"]], outputs, show_progress="hidden")

        def on_export_facts(sid, *values):
            return ui.updates(safe_call(lambda: page.export_facts(ctx, sid, _form(form_names, values))))

        ui.buttons["save_facts"].click(on_export_facts, [session, *form_inputs], outputs, show_progress="hidden")

        # --- examples and outline -------------------------------------------------------------------------
        def on_retrieve(sid, pinned, excluded, *values):
            form = _form(form_names, values)
            return ui.updates(safe_call(lambda: drafting.retrieve(ctx, sid, form, pinned or [], excluded or [])))

        for button in (ui.buttons["retrieve"], ui.buttons["reretrieve"]):
            button.click(on_retrieve, [session, ui.pin, ui.exclude, *form_inputs], outputs, show_progress="hidden")

        def on_replan(sid, *values):
            return ui.updates(safe_call(lambda: drafting.replan(ctx, sid, _form(form_names, values))))

        ui.buttons["replan"].click(on_replan, [session, *form_inputs], outputs, show_progress="hidden")

        def on_outline_save(sid, text):
            return ui.updates(safe_call(lambda: drafting.save_outline(ctx, sid, text)))

        ui.buttons["save_outline"].click(on_outline_save, [session, ui.outline], outputs, show_progress="hidden")

        def on_outline_input(sid, text):
            if sid:
                ctx.sessions.update(sid, outline_text=str(text or ""))

        ui.outline.change(on_outline_input, [session, ui.outline], None, show_progress="hidden",
                          trigger_mode="always_last", queue=False)

        # --- writing --------------------------------------------------------------------------------------
        def on_generate(sid, outline_text, *values):
            form = _form(form_names, values[: len(form_names)])
            texts_now = list(values[len(form_names):])
            for patch in safe_stream(lambda: drafting.generate(ctx, sid, form, outline_text, texts_now)):
                yield ui.updates(patch)

        ui.buttons["generate"].click(on_generate, [session, ui.outline, *form_inputs, *texts], outputs,
                                     show_progress="hidden", concurrency_limit=2, concurrency_id="model")

        for i, slot in enumerate(ui.slots):
            _wire_slot(ctx, ui, i, slot, session, texts, outputs)

        def on_recheck(sid, *section_texts):
            return ui.updates(safe_call(lambda: drafting.recheck(ctx, sid, list(section_texts))))

        ui.buttons["recheck"].click(on_recheck, [session, *texts], outputs, show_progress="hidden")

        def on_export(sid, *section_texts):
            return ui.updates(safe_call(lambda: drafting.export(ctx, sid, list(section_texts))))

        ui.buttons["export"].click(on_export, [session, *texts], outputs, show_progress="hidden")

        _wire_corpus(ctx, corpus_ui)
        _wire_settings(ctx, settings_ui)
        assert n_slots == MAX_SECTIONS
    return demo


def _labelled_error(name: str) -> Any:
    return gr.HTML("", elem_id=f"err-{name}", padding=False, elem_classes=["err-slot"])


def _draft_tab(ui: UI) -> None:
    with gr.Row():
        with gr.Column(scale=5):
            gr.Markdown("#### 一、填写事实")
            with gr.Row(equal_height=True):
                ui.preset_name = gr.Dropdown(list(PRESETS), value=next(iter(PRESETS)), show_label=False, container=False, scale=3,
                                             min_width=180, elem_id="preset-name", info=None)
                ui.buttons["preset"] = gr.Button("填入示例", size="sm", scale=1, min_width=90, elem_id="preset-apply")
                ui.buttons["import"] = gr.UploadButton("导入事实 JSON", file_types=[".json"], size="sm", scale=1,
                                                       min_width=110, elem_id="facts-import")
                ui.buttons["save_facts"] = gr.Button("保存事实 JSON", size="sm", scale=1, min_width=110,
                                                     elem_id="facts-save")
            ui.facts_file = gr.File(label="事实文件", visible=False, interactive=False, elem_id="facts-file")
            with gr.Row():
                with gr.Column(min_width=160):
                    ui.form["genre"] = gr.Dropdown(list(GENRES), value="工作总结", label=FIELD_NAMES["genre"],
                                                   elem_id="f-genre")
                    ui.errors["genre"] = _labelled_error("genre")
                with gr.Column(min_width=200):
                    ui.form["unit"] = gr.Textbox(label=FIELD_NAMES["unit"] + "（必填）", placeholder="如：青山镇党委",
                                                 elem_id="f-unit")
                    ui.errors["unit"] = _labelled_error("unit")
                with gr.Column(min_width=160):
                    ui.form["unit_type"] = gr.Dropdown(UNIT_TYPES, value=None, allow_custom_value=True,
                                                       label=FIELD_NAMES["unit_type"], elem_id="f-unit_type")
                    ui.errors["unit_type"] = _labelled_error("unit_type")
            with gr.Row():
                with gr.Column(min_width=160):
                    ui.form["period"] = gr.Textbox(label=FIELD_NAMES["period"], placeholder="如：2024年",
                                                   elem_id="f-period")
                    ui.errors["period"] = _labelled_error("period")
                with gr.Column(min_width=160):
                    ui.form["theme"] = gr.Textbox(label=FIELD_NAMES["theme"], placeholder="如：创先争优",
                                                  elem_id="f-theme")
                    ui.errors["theme"] = _labelled_error("theme")
                with gr.Column(min_width=200):
                    ui.form["title"] = gr.Textbox(label=FIELD_NAMES["title"] + "（可不填，自动拟定）",
                                                  elem_id="f-title")
                    ui.errors["title"] = _labelled_error("title")
            ui.form["figures"] = gr.Dataframe(
                headers=FIGURE_HEADERS, datatype=["str", "str", "str"], column_count=3, row_count=3,
                type="array", interactive=True, label="数据（名称 / 数值 / 单位，可增删行）", elem_id="f-figures",
            )
            ui.errors["figures"] = _labelled_error("figures")
            with gr.Row():
                for name in LIST_FIELDS[:2]:
                    with gr.Column():
                        ui.form[name] = gr.Textbox(label=FIELD_NAMES[name], lines=4, max_lines=10, placeholder=LIST_HINTS[name],
                                                   elem_id=f"f-{name}")
                        ui.errors[name] = _labelled_error(name)
            with gr.Row():
                for name in LIST_FIELDS[2:]:
                    with gr.Column():
                        ui.form[name] = gr.Textbox(label=FIELD_NAMES[name], lines=3, max_lines=10, placeholder=LIST_HINTS[name],
                                                   elem_id=f"f-{name}")
                        ui.errors[name] = _labelled_error(name)
            with gr.Row():
                with gr.Column(min_width=180):
                    ui.form["signature"] = gr.Textbox(label=FIELD_NAMES["signature"], elem_id="f-signature")
                    ui.errors["signature"] = _labelled_error("signature")
                with gr.Column(min_width=160):
                    ui.form["date"] = gr.Textbox(label=FIELD_NAMES["date"], placeholder="如：2024年12月20日",
                                                 elem_id="f-date")
                    ui.errors["date"] = _labelled_error("date")
                with gr.Column(min_width=140):
                    ui.form["target_chars"] = gr.Textbox(label=FIELD_NAMES["target_chars"] + "（200–20000）",
                                                         placeholder="如：1200", elem_id="f-target_chars")
                    ui.errors["target_chars"] = _labelled_error("target_chars")
            ui.errors[GENERAL] = _labelled_error(GENERAL)
            # keep the form dict in FORM_FIELDS order (the autosave/restore order)
            ui.form = {name: ui.form[name] for name in FORM_FIELDS}
            ui.errors = {name: ui.errors[name] for name in (*FORM_FIELDS, GENERAL)}
            with gr.Row():
                ui.buttons["check"] = gr.Button("检查填写", elem_id="btn-check")
                ui.buttons["retrieve"] = gr.Button("检索范文并生成提纲", elem_id="btn-retrieve")
                ui.buttons["generate"] = gr.Button("生成初稿", variant="primary", elem_id="btn-generate")
        with gr.Column(scale=4):
            gr.Markdown("#### 二、参考范文与提纲")
            with gr.Accordion("参考范文", open=True):
                ui.examples = gr.HTML(render.examples_table([]), elem_id="examples")
                with gr.Accordion("固定或排除范文", open=False, elem_id="pin-exclude"):
                    ui.pin = gr.CheckboxGroup([], label="固定使用", elem_id="pin")
                    ui.exclude = gr.CheckboxGroup([], label="排除（整篇不用）", elem_id="exclude")
                    ui.buttons["reretrieve"] = gr.Button("按选择重新检索", size="sm", elem_id="btn-reretrieve")
            with gr.Accordion("提纲（可修改后再生成）", open=True):
                ui.outline = gr.Textbox(lines=16, max_lines=40, show_label=False, elem_id="outline",
                                        placeholder="点“检索范文并生成提纲”后在此修改：“一、标题”为节，“（一）”为小标题，"
                                                    "“数据：”“要点：”为本节须写入的内容。")
                ui.outline_errors = gr.HTML("", elem_id="outline-errors")
                with gr.Row():
                    ui.buttons["save_outline"] = gr.Button("保存提纲", size="sm", elem_id="btn-save-outline")
                    ui.buttons["replan"] = gr.Button("按事实重新生成提纲", size="sm", elem_id="btn-replan")
    gr.Markdown("#### 三、初稿\n点“生成初稿”后各节在此逐节显示；可直接修改，或填写要求后重新生成，锁定的节保持不变。")
    with gr.Row():
        with gr.Column(scale=3):
            for i in range(MAX_SECTIONS):
                with gr.Column(visible=False, variant="panel", elem_id=f"sec-{i}",
                               elem_classes=["section-box"]) as group:
                    text = gr.Textbox(label=f"第{i + 1}节", lines=6, max_lines=30, elem_id=f"sec-{i}-text")
                    with gr.Row(equal_height=True):
                        instruction = gr.Textbox(placeholder="修改要求，如：突出党员先锋岗的作用", show_label=False,
                                                 scale=5, elem_id=f"sec-{i}-instr", container=False)
                        preset = gr.Dropdown(list(drafting.PRESET_NAMES), value=None, show_label=False, scale=2,
                                             elem_id=f"sec-{i}-preset", container=False, min_width=110)
                        regen = gr.Button("重新生成", size="sm", scale=1, elem_id=f"sec-{i}-regen", min_width=90)
                    with gr.Row(equal_height=True):
                        lock = gr.Checkbox(label="锁定", value=False, scale=1, elem_id=f"sec-{i}-lock",
                                           container=False, min_width=80)
                        undo = gr.Button("撤销", size="sm", scale=1, elem_id=f"sec-{i}-undo", min_width=70)
                        status = gr.HTML("", elem_id=f"sec-{i}-status", scale=6)
                    with gr.Accordion("历史版本", open=False):
                        history = gr.HTML("", elem_id=f"sec-{i}-history")
                ui.slots.append(Slot(group, text, instruction, preset, regen, lock, undo, status, history))
            with gr.Row():
                ui.buttons["recheck"] = gr.Button("重新检查", elem_id="btn-recheck")
                ui.buttons["export"] = gr.Button("导出 Word / Markdown", variant="primary", elem_id="btn-export")
            ui.files = gr.File(label="下载", file_count="multiple", visible=False, interactive=False,
                               elem_id="downloads")
        with gr.Column(scale=2, elem_id="checks-col"):
            gr.Markdown("#### 四、检查")
            ui.checks = gr.HTML(render.checks_panel(None), elem_id="checks")


def _wire_slot(ctx: AppContext, ui: UI, i: int, slot: Slot, session, texts: list, outputs: list) -> None:
    def on_regen(sid, instruction, preset, *section_texts):
        texts_now = list(section_texts)
        for patch in safe_stream(lambda: drafting.regenerate(ctx, sid, i, instruction, preset, texts_now)):
            yield ui.updates(patch)

    slot.regen.click(on_regen, [session, slot.instruction, slot.preset, *texts], outputs, show_progress="hidden",
                     concurrency_limit=2, concurrency_id="model")

    def on_lock(sid, locked, *section_texts):
        return ui.updates(safe_call(lambda: drafting.set_lock(ctx, sid, i, locked, list(section_texts))))

    slot.lock.input(on_lock, [session, slot.lock, *texts], outputs, show_progress="hidden")

    def on_undo(sid, *section_texts):
        return ui.updates(safe_call(lambda: drafting.undo(ctx, sid, i, list(section_texts))))

    slot.undo.click(on_undo, [session, *texts], outputs, show_progress="hidden")

    def on_type(sid, text):
        if sid:
            drafting.remember_edit(ctx, sid, i, text)

    slot.text.input(on_type, [session, slot.text], None, show_progress="hidden", trigger_mode="always_last",
                    queue=False)

    def on_blur(sid, text):
        return ui.updates(safe_call(lambda: drafting.commit_edit(ctx, sid, i, text)))

    slot.text.blur(on_blur, [session, slot.text], outputs, show_progress="hidden")


# --------------------------------------------------------------------------- corpus tab


def _corpus_tab() -> dict[str, Any]:
    c: dict[str, Any] = {}
    gr.Markdown("上传往年的工作总结、汇报材料（txt / md / docx / doc / wps / rtf / odt / pdf / ofd，GBK 编码也可），"
                "导入后用作参考范文。")
    with gr.Row():
        c["files"] = gr.File(label="选择文件", file_count="multiple", file_types=corpus.UPLOAD_TYPES,
                             type="filepath", elem_id="corpus-files", scale=3)
        with gr.Column(scale=1):
            c["ingest"] = gr.Button("导入语料库", variant="primary", elem_id="corpus-ingest")
            c["rebuild"] = gr.Button("重建语料库", elem_id="corpus-rebuild")
            c["refresh"] = gr.Button("刷新列表", size="sm", elem_id="corpus-refresh")
    c["status"] = gr.HTML("", elem_id="corpus-status")
    with gr.Row():
        c["remove_pick"] = gr.Dropdown([], label="选择要删除的文档", scale=3, elem_id="corpus-remove-pick")
        c["remove"] = gr.Button("删除", variant="stop", scale=1, elem_id="corpus-remove")
    c["list"] = gr.HTML("", elem_id="corpus-list")
    c["view"] = [c["list"], c["remove_pick"]]
    return c


def _corpus_view(ctx: AppContext) -> list[Any]:
    try:
        docs = ctx.store.documents()
        choices = corpus.document_sources(ctx.store)
    except Exception as exc:  # a broken store must not break the page; say what happened
        return [render.notice(f"无法读取语料库：{exc}", "error"), gr.update(choices=[], value=None)]
    return [render.documents_table(docs), gr.update(choices=choices, value=None)]


def _wire_corpus(ctx: AppContext, c: dict[str, Any]) -> None:
    def progress_cb(progress: gr.Progress):
        return lambda i, total, name: progress((i, total), desc=f"正在导入 {name}")

    def on_ingest(files, progress=gr.Progress()):  # noqa: B008 - gradio's progress injection
        if not files:
            return [render.notice("请先选择要上传的文件。", "warn"), *_corpus_view(ctx), None]
        summary = corpus.upload_and_ingest(ctx.settings, ctx.store, files, progress=progress_cb(progress))
        return [render.notice(summary, "ok"), *_corpus_view(ctx), None]

    c["ingest"].click(on_ingest, [c["files"]], [c["status"], *c["view"], c["files"]])

    def on_remove(source):
        message = corpus.remove(ctx.settings, ctx.store, source)
        return [render.notice(message, "ok"), *_corpus_view(ctx)]

    c["remove"].click(on_remove, [c["remove_pick"]], [c["status"], *c["view"]])

    def on_rebuild(progress=gr.Progress()):  # noqa: B008
        from vectorstore.cli import demo_corpus_files

        summary = corpus.rebuild(ctx.settings, ctx.store, demo_corpus_files(), progress=progress_cb(progress))
        return [render.notice(summary, "ok"), *_corpus_view(ctx)]

    c["rebuild"].click(on_rebuild, None, [c["status"], *c["view"]])
    c["refresh"].click(lambda: _corpus_view(ctx), None, c["view"])


# --------------------------------------------------------------------------- settings tab


def _settings_tab() -> dict[str, Any]:
    s: dict[str, Any] = {}
    gr.Markdown("#### 模型服务\n留空接口地址即使用内置本地模型（离线可用）；也可填写 OpenAI 兼容接口"
                "（如 vLLM、Ollama、llama.cpp 服务，或 DeepSeek、通义千问等）。")
    with gr.Row():
        s["base_url"] = gr.Textbox(label="接口地址", placeholder="http://127.0.0.1:8000/v1", elem_id="s-base-url")
        s["model"] = gr.Textbox(label="模型名称", elem_id="s-model")
    with gr.Row():
        s["api_key"] = gr.Textbox(label="API 密钥（保存后不再显示）", type="password", value="",
                                  placeholder="留空则保持不变", elem_id="s-api-key")
        s["clear_key"] = gr.Checkbox(label="清除已保存的密钥", value=False, elem_id="s-clear-key")
    s["key_status"] = gr.HTML("", elem_id="s-key-status")
    s["save"] = gr.Button("保存模型设置", variant="primary", elem_id="s-save")
    with gr.Row():
        s["local_model"] = gr.Radio(list(config.LOCAL_MODEL_CHOICES.values()), label="内置本地模型",
                                    value=config.LOCAL_MODEL_CHOICES["speed"], elem_id="s-local-model")
        s["save_local"] = gr.Button("保存内置模型选择", size="sm", elem_id="s-save-local")
    s["model_status"] = gr.HTML("", elem_id="s-model-status")
    s["refresh"] = gr.Button("刷新状态", size="sm", elem_id="s-refresh")
    gr.Markdown("#### 登录（可选）\n启用后，打开页面需输入用户名和密码；重启应用后生效。")
    with gr.Row():
        s["user"] = gr.Textbox(label="用户名", elem_id="s-user")
        s["password"] = gr.Textbox(label="密码（至少 8 位）", type="password", elem_id="s-password")
    with gr.Row():
        s["save_login"] = gr.Button("保存登录设置", elem_id="s-save-login")
        s["disable_login"] = gr.Button("关闭登录", elem_id="s-disable-login")
    s["login_status"] = gr.HTML("", elem_id="s-login-status")
    s["message"] = gr.HTML("", elem_id="s-message")
    s["view"] = [s["base_url"], s["model"], s["api_key"], s["key_status"], s["model_status"], s["login_status"]]
    return s


def _settings_view(ctx: AppContext) -> list[Any]:
    settings = ctx.settings
    form = config.model_form(settings)
    try:
        status = config.model_status(settings)
    except Exception as exc:  # status is informative only
        status = f"无法读取模型状态：{exc}"
    return [form.base_url, form.model, "", render.notice(config.key_status(settings)), render.notice(status),
            render.notice(config.login_status(settings))]


def _wire_settings(ctx: AppContext, s: dict[str, Any]) -> None:
    def on_save(base_url, model, api_key, clear_key):
        ok, message = config.save_model_settings(ctx.settings.home, base_url, model, api_key, clear_key)
        if ok:
            ctx.reload_settings()
        view = _settings_view(ctx)
        if not ok:  # keep what was typed (but never echo the key back)
            view[0], view[1] = base_url, model
        return [*view, render.notice(message, "ok" if ok else "error"), False]

    s["save"].click(on_save, [s["base_url"], s["model"], s["api_key"], s["clear_key"]],
                    [*s["view"], s["message"], s["clear_key"]])
    s["refresh"].click(lambda: _settings_view(ctx), None, s["view"])

    def on_save_local(choice):
        ok, message = config.save_local_model(ctx.settings.home, choice)
        if ok:
            ctx.reload_settings()
        return [*_settings_view(ctx), render.notice(message, "ok" if ok else "error")]

    s["save_local"].click(on_save_local, [s["local_model"]], [*s["view"], s["message"]])

    def on_login(user, password):
        ok, message = config.save_login(ctx.settings.home, user, password)
        return [render.notice(message, "ok" if ok else "error"), render.notice(config.login_status(ctx.settings)),
                ""]

    s["save_login"].click(on_login, [s["user"], s["password"]], [s["message"], s["login_status"], s["password"]])

    def on_disable():
        _, message = config.save_login(ctx.settings.home, "", "", disable=True)
        return [render.notice(message, "ok"), render.notice(config.login_status(ctx.settings))]

    s["disable_login"].click(on_disable, None, [s["message"], s["login_status"]])


# --------------------------------------------------------------------------- launch


def launch_kwargs(ctx: AppContext) -> dict[str, Any]:
    """Arguments for ``Blocks.launch``: offline theme, no share link, no API page, optional login."""
    settings = ctx.settings
    return {
        "server_name": settings.host, "server_port": settings.port, "auth": config.login_checker(settings),
        "auth_message": "请输入用户名和密码", "share": False, "theme": theme(), "css": CSS,
        "footer_links": [], "ssr_mode": False, "pwa": False, "mcp_server": False, "run_history": False,
        "show_error": True, "favicon_path": None, "max_file_size": "25mb",
    }


def main() -> None:
    ctx = AppContext()
    demo = build_app(ctx)
    demo.queue(default_concurrency_limit=4)
    demo.launch(**launch_kwargs(ctx))


if __name__ == "__main__":
    main()
