"""Helpers for the browser tests: launch the real app in-process, screenshots, and page actions on the
app's elem_ids (Gradio's DOM around them is not ours, so every selector starts from an elem_id)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

REPO = Path(__file__).resolve().parents[2]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BASE_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Only loopback works: every host name resolves to nothing and any proxied request goes to a closed port.
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-server=http://127.0.0.1:9",
                "--proxy-bypass-list=127.0.0.1;localhost"]
SCREENSHOTS = REPO / "artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(ctx, **launch) -> Iterator[str]:
    """Launch the app for ``ctx`` on a free port; yields its URL; closes it afterwards."""
    from drafter.webapp.launch import launch_kwargs
    from drafter.webapp.ui import build_app

    demo = build_app(ctx)
    demo.queue(default_concurrency_limit=4)
    kwargs = launch_kwargs(ctx)
    kwargs.update(server_port=free_port(), prevent_thread_lock=True, quiet=True, **launch)
    demo.launch(**kwargs)
    try:
        yield demo.local_url
    finally:
        demo.close()


class Shots:
    """Numbered screenshots of one test: artifacts/screenshots/<test>/<nn>-<name>.png."""

    def __init__(self, name: str) -> None:
        self.dir = SCREENSHOTS / name
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def __call__(self, page, name: str, full_page: bool = True) -> Path:
        self.n += 1
        path = self.dir / f"{self.n:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


def wait_ready(page, timeout: float = 30_000) -> None:
    """The page has loaded and the session was opened (the load event stored the session id)."""
    page.wait_for_selector("#f-unit textarea, #f-unit input", timeout=timeout)
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.includes('drafter_session'))",
                           timeout=timeout)
    time.sleep(0.3)


def field(page, name: str):
    return page.locator(f"#f-{name} textarea, #f-{name} input").first


def fill(page, name: str, value: str) -> None:
    """Enter a value and leave the field, as a user does (Gradio sends the change when the field blurs)."""
    box = field(page, name)
    box.fill(value)
    box.blur()


def set_cell(page, row: int, col: int, value: str) -> None:
    """Put a value in a table cell: open the cell's editor and fill it in one step (typed keystrokes got lost
    or landed in the next cell on a loaded machine), then check what the cell shows; fail loudly if it never
    takes the value."""
    cell = page.locator(f'#f-figures [data-testid="cell-{row}-{col}"]')
    for _ in range(5):
        cell.dblclick()
        editor = cell.locator("input, textarea").first
        try:
            editor.wait_for(state="visible", timeout=5_000)
            editor.fill(value)
            editor.press("Enter")
        except PlaywrightError:
            page.keyboard.press("Escape")
            continue
        time.sleep(0.15)
        if cell_text(page, row, col) == value:
            return
    raise AssertionError(f"table cell {row},{col} would not take {value!r} (shows {cell_text(page, row, col)!r})")


def cell_text(page, row: int, col: int) -> str:
    return page.locator(f'#f-figures [data-testid="cell-{row}-{col}"] span').first.inner_text().strip()


def pick(page, elem_id: str, option: str) -> None:
    page.locator(f"#{elem_id} input").first.click()
    page.locator("[role=option]", has_text=option).first.click()
    time.sleep(0.2)


def section_text(page, i: int) -> str:
    return page.locator(f"#sec-{i}-text textarea").input_value()


def visible_sections(page) -> int:
    return sum(1 for i in range(8) if page.locator(f"#sec-{i}").is_visible())


MAX_WAIT_MS = 300_000  # no test waits longer than 5 minutes on anything, a dead model least of all


def wait_status(page, text: str, timeout: float = 60_000, where: str = "#status") -> None:
    """Wait until the status shows ``text`` — or an error notice, which fails the test at once with its text
    (a crashed model shows 生成中断 within seconds; waiting out the timeout would hide that)."""
    handle = page.wait_for_function(
        """([sel, t]) => { const el = document.querySelector(sel); if (!el) return false;
             if (el.innerText.includes(t)) return 'ok';
             const err = el.querySelector('.notice-error'); return err ? 'error: ' + err.innerText : false; }""",
        arg=[where, text], timeout=min(timeout, MAX_WAIT_MS))
    outcome = handle.json_value()
    if outcome != "ok":
        raise AssertionError(f"waiting for “{text}”, the page reported an error instead: {outcome}")


MOCK_TEXT = "坚持把党建工作摆在突出位置，健全工作机制，压实工作责任，推动各项任务落地见效。"


def scripted_context(settings=None, answers: int = 60, text: str = MOCK_TEXT, ingest_demo: bool = True):
    """An AppContext whose engine writes with a scripted model (for UI behaviour tests, not draft quality)."""
    from drafter.llm import MockModel
    from drafter.settings import get_settings
    from drafter.webapp.context import AppContext
    from vectorstore.cli import demo_corpus_files

    model = MockModel("scripted")
    for _ in range(answers):
        model.enqueue([text[: len(text) // 2], text[len(text) // 2 :]])
    ctx = AppContext(settings or get_settings(), model=model)
    if ingest_demo:
        ctx.store.ingest(demo_corpus_files())
    return ctx


@contextlib.contextmanager
def screenshot_on_failure(page, shots: Shots) -> Iterator[None]:
    """Keep a screenshot and the status line of the page when a step fails."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):
            shots(page, "failure")
            print("status at failure:", page.locator("#status").inner_text())
        raise
