"""The corpus and settings tabs of the web app: their widgets and events; uploads, removals and settings are
done by ``drafter.webapp.corpus`` and ``drafter.webapp.config``."""

from __future__ import annotations

from typing import Any

import gradio as gr

from drafter.webapp import config, corpus, render
from drafter.webapp.context import AppContext

# --------------------------------------------------------------------------- corpus tab


def corpus_tab() -> dict[str, Any]:
    """The corpus tab's widgets by name; ``view`` lists those ``corpus_view`` fills."""
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


def corpus_view(ctx: AppContext) -> list[Any]:
    """Values for the corpus tab's ``view`` widgets: the documents table and the removal menu."""
    try:
        docs = ctx.store.documents()
        choices = corpus.document_sources(ctx.store)
    except Exception as exc:  # a broken store must not break the page; say what happened
        return [render.notice(f"无法读取语料库：{exc}", "error"), gr.update(choices=[], value=None)]
    return [render.documents_table(docs), gr.update(choices=choices, value=None)]


def wire_corpus(ctx: AppContext, c: dict[str, Any]) -> None:
    """Upload and ingest, remove, rebuild from the demo corpus, refresh."""
    def progress_cb(progress: gr.Progress):
        return lambda i, total, name: progress((i, total), desc=f"正在导入 {name}")

    def on_ingest(files, progress=gr.Progress()):  # noqa: B008 - gradio's progress injection
        if not files:
            return [render.notice("请先选择要上传的文件。", "warn"), *corpus_view(ctx), None]
        summary = corpus.upload_and_ingest(ctx.settings, ctx.store, files, progress=progress_cb(progress))
        return [render.notice(summary, "ok"), *corpus_view(ctx), None]

    c["ingest"].click(on_ingest, [c["files"]], [c["status"], *c["view"], c["files"]])

    def on_remove(source):
        message = corpus.remove(ctx.settings, ctx.store, source)
        return [render.notice(message, "ok"), *corpus_view(ctx)]

    c["remove"].click(on_remove, [c["remove_pick"]], [c["status"], *c["view"]])

    def on_rebuild(progress=gr.Progress()):  # noqa: B008
        from vectorstore.cli import demo_corpus_files

        summary = corpus.rebuild(ctx.settings, ctx.store, demo_corpus_files(), progress=progress_cb(progress))
        return [render.notice(summary, "ok"), *corpus_view(ctx)]

    c["rebuild"].click(on_rebuild, None, [c["status"], *c["view"]])
    c["refresh"].click(lambda: corpus_view(ctx), None, c["view"])


# --------------------------------------------------------------------------- settings tab


def settings_tab() -> dict[str, Any]:
    """The settings tab's widgets by name; ``view`` lists those ``settings_view`` fills."""
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
                                    value=config.LOCAL_MODEL_CHOICES["quality"], elem_id="s-local-model")
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
    s["view"] = [s["base_url"], s["model"], s["api_key"], s["key_status"], s["model_status"], s["login_status"],
                 s["local_model"]]
    return s


def settings_view(ctx: AppContext) -> list[Any]:
    """Values for the settings tab's ``view`` widgets (the API key box always empty)."""
    settings = ctx.settings
    form = config.model_form(settings)
    try:
        status = config.model_status(settings)
    except Exception as exc:  # status is informative only
        status = f"无法读取模型状态：{exc}"
    return [form.base_url, form.model, "", render.notice(config.key_status(settings)), render.notice(status),
            render.notice(config.login_status(settings)), config.LOCAL_MODEL_CHOICES[settings.local_model]]


def wire_settings(ctx: AppContext, s: dict[str, Any]) -> None:
    """Save the model endpoint, the local model choice and the login."""
    def on_save(base_url, model, api_key, clear_key):
        ok, message = config.save_model_settings(ctx.settings.home, base_url, model, api_key, clear_key)
        if ok:
            ctx.reload_settings()
        view = settings_view(ctx)
        if not ok:  # keep what was typed (but never echo the key back)
            view[0], view[1] = base_url, model
        return [*view, render.notice(message, "ok" if ok else "error"), False]

    s["save"].click(on_save, [s["base_url"], s["model"], s["api_key"], s["clear_key"]],
                    [*s["view"], s["message"], s["clear_key"]])
    s["refresh"].click(lambda: settings_view(ctx), None, s["view"])

    def on_save_local(choice):
        ok, message = config.save_local_model(ctx.settings.home, choice)
        if ok:
            ctx.reload_settings()
        return [*settings_view(ctx), render.notice(message, "ok" if ok else "error")]

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


