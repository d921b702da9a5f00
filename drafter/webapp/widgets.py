"""The draft tab's widgets and the web contract's Gradio side: ``UI`` holds every widget a ``Patch`` may change,
``draft_tab`` lays them out, and ``UI.updates`` turns a ``Patch`` into Gradio's ``{component: update}`` dict.

Widget building only; what to show is decided in ``drafter.webapp.drafting`` and ``drafter.webapp.page``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from drafter.facts import GENRES, LIST_FIELDS
from drafter.webapp import render
from drafter.webapp.form import FIELD_NAMES, FIGURE_HEADERS, FORM_FIELDS, GENERAL
from drafter.webapp.outline_text import MAX_SECTIONS
from drafter.webapp.patch import Patch, SectionView
from drafter.webapp.presets import SAMPLE_FACTS
from drafter.writing import REWRITE_PRESETS

UNIT_TYPES = ["乡镇", "街道", "社区", "村", "机关", "学校", "医院", "国企", "企业", "事业单位"]
LIST_HINTS = {
    "activities": "每行一项，如：举办党课培训12期", "achievements": "每行一项，如：2个党支部获评县级先进基层党组织",
    "problems": "每行一项（可不填）", "plans": "每行一项（可不填）",
}  # fmt: skip


@dataclass
class Slot:
    """One section box and its controls."""

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
    """The draft tab's widgets (filled in by ``draft_tab``)."""

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
        """Every widget a patch may change: the ``outputs`` of each drafting event. Their order is only the
        order of the values a Gradio API client receives (the section boxes last)."""
        out = [self.status, *self.errors.values(), self.outline, self.outline_errors, self.examples, self.pin,
               self.exclude, self.checks, self.files, self.facts_file, *self.form.values()]
        for s in self.slots:
            out += [s.group, s.text, s.lock, s.status, s.history]
        return out

    def updates(self, patch: Patch) -> dict[Any, Any]:
        """The patch as Gradio's ``{component: update}`` dict; widgets the patch does not name are left as they
        are. An unknown form field or section index raises at once."""
        out: dict[Any, Any] = {}
        simple = {self.status: patch.status, self.outline: patch.outline, self.outline_errors: patch.outline_errors,
                  self.examples: patch.examples, self.checks: patch.checks}
        out.update({widget: value for widget, value in simple.items() if value is not None})
        for name, html in (patch.errors or {}).items():
            out[self.errors[name]] = html
        if patch.form is not None:
            out.update({self.form[name]: _widget_value(name, value) for name, value in patch.form.items()})
        for widget, choices in ((self.pin, patch.pin), (self.exclude, patch.exclude)):
            if choices is not None:
                out[widget] = gr.update(choices=choices.choices, value=choices.value)
        for widget, files in ((self.files, patch.files), (self.facts_file, patch.facts_file)):
            if files is not None:
                out[widget] = gr.update(value=files, visible=True)
        if patch.sections is not None:
            for i, slot in enumerate(self.slots):
                if i < len(patch.sections):
                    out.update(_slot_updates(slot, patch.sections[i]))
                else:
                    out.update({slot.group: gr.update(visible=False), slot.text: gr.update(value="", label=f"第{i + 1}节"),
                                slot.lock: False, slot.status: "", slot.history: ""})
        for i, view in (patch.section or {}).items():
            out.update(_slot_updates(self.slots[i], view))
        for i, line in (patch.section_status or {}).items():
            out.setdefault(self.slots[i].status, line)
        return out


def _slot_updates(slot: Slot, view: SectionView) -> dict[Any, Any]:
    return {
        slot.group: gr.update(visible=True),
        slot.text: gr.update(value=view.body, label=view.heading, interactive=not view.locked and not view.busy),
        slot.lock: view.locked,
        slot.status: f'<div class="section-status">{render.esc(view.status)}</div>',
        slot.history: render.history_html(view.history),
    }


def _widget_value(name: str, value: Any) -> Any:
    if name == "target_chars":
        return "" if value is None else str(value)
    return value


def _labelled_error(name: str) -> Any:
    return gr.HTML("", elem_id=f"err-{name}", padding=False, elem_classes=["err-slot"])


def draft_tab(ui: UI) -> None:
    """Lay out the draft tab, filling ``ui`` with its widgets."""
    with gr.Row():
        with gr.Column(scale=5):
            gr.Markdown("#### 一、填写事实")
            with gr.Row(equal_height=True):
                ui.preset_name = gr.Dropdown(list(SAMPLE_FACTS), value=next(iter(SAMPLE_FACTS)), show_label=False, container=False, scale=3,
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
                        preset = gr.Dropdown(list(REWRITE_PRESETS), value=None, show_label=False, scale=2,
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
