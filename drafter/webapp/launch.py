"""Serving the web app: offline launch settings (system fonts only, no Google Fonts, no CDN asset, no share
link, no API page, optional login), ``serve`` for ``python app.py`` and the ``drafter web`` command.

Gradio is imported only when the app is built, so the CLI can register ``web`` without loading it; the
package's ``__init__`` has set the offline environment by then.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from drafter.webapp import config

if TYPE_CHECKING:
    import gradio as gr

    from drafter.webapp.context import AppContext

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
    import gradio as gr

    font = gr.themes.Font
    return gr.themes.Default(
        font=[font("Noto Sans CJK SC"), font("Microsoft YaHei"), font("PingFang SC"), font("WenQuanYi Micro Hei"),
              "sans-serif"],
        font_mono=[font("Noto Sans Mono CJK SC"), font("DejaVu Sans Mono"), "monospace"],
    )


def launch_kwargs(ctx: AppContext) -> dict[str, Any]:
    """Arguments for ``Blocks.launch``: offline theme, no share link, no API page, optional login."""
    settings = ctx.settings
    return {
        "server_name": settings.host, "server_port": settings.port, "auth": config.login_checker(settings),
        "auth_message": "请输入用户名和密码", "share": False, "theme": theme(), "css": CSS,
        "footer_links": [], "ssr_mode": False, "pwa": False, "mcp_server": False, "run_history": False,
        "show_error": True, "favicon_path": None, "max_file_size": "25mb",
    }


def serve() -> None:
    """Build the app and serve it on settings.host:settings.port with the queue enabled (blocks)."""
    from drafter.webapp.context import AppContext
    from drafter.webapp.ui import build_app

    ctx = AppContext()
    demo = build_app(ctx)
    demo.queue(default_concurrency_limit=4)
    demo.launch(**launch_kwargs(ctx))


def register(subparsers: argparse._SubParsersAction) -> None:
    web = subparsers.add_parser("web", help="启动网页界面（地址和端口取自设置 DRAFTER_HOST / DRAFTER_PORT，默认 127.0.0.1:7860）")
    web.set_defaults(func=cmd_web)


def cmd_web(args: argparse.Namespace) -> int:
    serve()
    return 0
