"""The web app's Gradio Blocks: the three tabs and the draft tab's events, each handler one call into
``drafter.webapp`` (``page``, ``drafting``) whose ``Patch`` ``UI.updates`` maps to widgets.

Each browser keeps an encrypted session id in its local storage (``gr.BrowserState``); everything typed is
autosaved under ``<home>/sessions/<id>/`` and restored on reload.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import gradio as gr

from drafter.webapp import drafting, page, section_actions, ui_admin
from drafter.webapp.context import AppContext
from drafter.webapp.errors import safe_call, safe_stream
from drafter.webapp.outline_text import MAX_SECTIONS
from drafter.webapp.patch import Patch
from drafter.webapp.widgets import UI, Slot, draft_tab

SESSION_KEY = "drafter_session"


def _form(names: list[str], values: tuple) -> dict[str, Any]:
    return dict(zip(names, values, strict=True))


def _reply(ui: UI, patch: Patch) -> dict[Any, Any]:
    """What a handler returns: the patch's updates (Gradio wants ``skip()`` for "nothing changes")."""
    return ui.updates(patch) or gr.skip()


def build_app(ctx: AppContext) -> gr.Blocks:
    """The Blocks (not launched). ``ctx`` carries settings, store, engine and sessions."""
    ui = UI()
    with gr.Blocks(title="公文起草助手", analytics_enabled=False, delete_cache=(3600, 24 * 3600)) as demo:
        session = gr.BrowserState(None, storage_key=SESSION_KEY, secret=ctx.browser_secret())
        gr.HTML("<h2 style='margin:4px 0'>公文起草助手 · 工作总结 / 汇报材料 / 经验材料</h2>")
        ui.status = gr.HTML(elem_id="status")
        with gr.Tabs():
            with gr.Tab("起草", id="draft"):
                draft_tab(ui)
            with gr.Tab("语料库", id="corpus"):
                corpus_ui = ui_admin.corpus_tab()
            with gr.Tab("设置", id="settings"):
                settings_ui = ui_admin.settings_tab()

        form_names = list(ui.form)
        form_inputs = [ui.form[n] for n in form_names]
        texts = [s.text for s in ui.slots]
        outputs = ui.outputs()

        # --- page load: session id, restore everything ---------------------------------------------------
        def on_load(sid):
            sid, form, patch = page.open_session(ctx, sid)
            return {session: sid, **ui.updates(replace(patch, form=form)),
                    **dict(zip(corpus_ui["view"], ui_admin.corpus_view(ctx), strict=True)),
                    **dict(zip(settings_ui["view"], ui_admin.settings_view(ctx), strict=True))}

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
            return _reply(ui, safe_call(lambda: page.validate(ctx, sid, _form(form_names, values))))

        ui.buttons["check"].click(on_validate, [session, *form_inputs], outputs, show_progress="hidden")

        def on_preset(sid, name):
            return _reply(ui, safe_call(lambda: page.apply_preset(ctx, sid, name)))

        ui.buttons["preset"].click(on_preset, [session, ui.preset_name], outputs, show_progress="hidden")

        def on_import(sid, file):
            return _reply(ui, safe_call(lambda: page.import_facts(ctx, sid, file)))

        ui.buttons["import"].upload(on_import, [session, ui.buttons["import"]], outputs, show_progress="hidden")

        def on_export_facts(sid, *values):
            return _reply(ui, safe_call(lambda: page.export_facts(ctx, sid, _form(form_names, values))))

        ui.buttons["save_facts"].click(on_export_facts, [session, *form_inputs], outputs, show_progress="hidden")

        # --- examples and outline -------------------------------------------------------------------------
        def on_retrieve(sid, pinned, excluded, *values):
            form = _form(form_names, values)
            return _reply(ui, safe_call(lambda: drafting.retrieve(ctx, sid, form, pinned or [], excluded or [])))

        for button in (ui.buttons["retrieve"], ui.buttons["reretrieve"]):
            button.click(on_retrieve, [session, ui.pin, ui.exclude, *form_inputs], outputs, show_progress="hidden")

        def on_replan(sid, *values):
            return _reply(ui, safe_call(lambda: drafting.replan(ctx, sid, _form(form_names, values))))

        ui.buttons["replan"].click(on_replan, [session, *form_inputs], outputs, show_progress="hidden")

        def on_outline_save(sid, text):
            return _reply(ui, safe_call(lambda: drafting.save_outline(ctx, sid, text)))

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
                yield _reply(ui, patch)

        ui.buttons["generate"].click(on_generate, [session, ui.outline, *form_inputs, *texts], outputs,
                                     show_progress="hidden", concurrency_limit=2, concurrency_id="model")

        for i, slot in enumerate(ui.slots):
            _wire_slot(ctx, ui, i, slot, session, texts, outputs)

        def on_recheck(sid, *section_texts):
            return _reply(ui, safe_call(lambda: section_actions.recheck(ctx, sid, list(section_texts))))

        ui.buttons["recheck"].click(on_recheck, [session, *texts], outputs, show_progress="hidden")

        def on_export(sid, *section_texts):
            return _reply(ui, safe_call(lambda: section_actions.export(ctx, sid, list(section_texts))))

        ui.buttons["export"].click(on_export, [session, *texts], outputs, show_progress="hidden")

        ui_admin.wire_corpus(ctx, corpus_ui)
        ui_admin.wire_settings(ctx, settings_ui)
        assert len(ui.slots) == MAX_SECTIONS
    return demo


def _wire_slot(ctx: AppContext, ui: UI, i: int, slot: Slot, session, texts: list, outputs: list) -> None:
    def on_regen(sid, instruction, preset, *section_texts):
        texts_now = list(section_texts)
        for patch in safe_stream(lambda: section_actions.regenerate(ctx, sid, i, instruction, preset, texts_now)):
            yield _reply(ui, patch)

    slot.regen.click(on_regen, [session, slot.instruction, slot.preset, *texts], outputs, show_progress="hidden",
                     concurrency_limit=2, concurrency_id="model")

    def on_lock(sid, locked, *section_texts):
        return _reply(ui, safe_call(lambda: section_actions.set_lock(ctx, sid, i, locked, list(section_texts))))

    slot.lock.input(on_lock, [session, slot.lock, *texts], outputs, show_progress="hidden")

    def on_undo(sid, *section_texts):
        return _reply(ui, safe_call(lambda: section_actions.undo(ctx, sid, i, list(section_texts))))

    slot.undo.click(on_undo, [session, *texts], outputs, show_progress="hidden")

    def on_type(sid, text):
        if sid:
            section_actions.remember_edit(ctx, sid, i, text)

    slot.text.input(on_type, [session, slot.text], None, show_progress="hidden", trigger_mode="always_last",
                    queue=False)

    def on_blur(sid, text):
        return _reply(ui, safe_call(lambda: section_actions.commit_edit(ctx, sid, i, text)))

    slot.text.blur(on_blur, [session, slot.text], outputs, show_progress="hidden")
