"""End to end in headless Chromium with the real local model: fill the form, generate, regenerate one section
with an instruction, lock another and check it unchanged, edit a section and download the .docx with the
edit, upload a GBK .txt to the corpus and find it listed, reload and find the draft restored."""

from __future__ import annotations

import json
import re
import time

import pytest
from browser_helpers import (
    SCREENSHOTS,
    cell_text,
    fill,
    screenshot_on_failure,
    section_text,
    serve,
    set_cell,
    visible_sections,
    wait_ready,
    wait_status,
)
from docx import Document

from drafter.settings import get_settings
from drafter.webapp.context import AppContext
from vectorstore.cli import demo_corpus_files

pytestmark = [pytest.mark.browser, pytest.mark.model, pytest.mark.timeout(900)]

GBK_TITLE = "柳河乡2023年党建工作总结"
GBK_TEXT = f"""{GBK_TITLE}

2023年，柳河乡党委坚持以党建引领乡村振兴，现将有关情况总结如下。

一、基本情况
全乡共有基层党组织18个，党员526名。

二、主要做法
（一）抓学习教育。举办专题读书班3期。
（二）抓阵地建设。新建党群服务站2个。

三、下一步打算
继续加强村级组织建设。

中共柳河乡委员会
2023年12月28日
"""
EDIT = "（编辑测试：本句由浏览器中手工加入。）"


def history_count(status: str) -> int:
    """N of a section status's "历史版本 N 个" (0 when it shows none)."""
    m = re.search(r"历史版本 (\d+) 个", status)
    return int(m.group(1)) if m else 0


def test_draft_edit_export_corpus_reload(browser, shots, tmp_path):
    settings = get_settings()
    ctx = AppContext(settings)
    ctx.store.ingest(demo_corpus_files())
    metrics: dict[str, float] = {}
    with serve(ctx) as url:
        context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        with screenshot_on_failure(page, shots):
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            started = time.perf_counter()
            page.goto(url)
            wait_ready(page)
            metrics["page_load_s"] = time.perf_counter() - started

            # 1. fill the form (a short target keeps the real model quick)
            fill(page, "unit", "青山镇党委")
            page.locator("#f-unit_type input").fill("乡镇")
            page.keyboard.press("Enter")
            fill(page, "period", "2024年")
            fill(page, "theme", "创先争优")
            for row, (label, value, unit) in enumerate([("基层党组织", "42", "个"), ("党员", "1286", "名")]):
                set_cell(page, row, 0, label)
                set_cell(page, row, 1, value)
                set_cell(page, row, 2, unit)
            fill(page, "activities", "举办党课培训12期，设立党员先锋岗")
            fill(page, "achievements", "群众满意度明显提升")
            fill(page, "plans", "建立创先争优长效机制")
            fill(page, "signature", "中共青山镇委员会")
            fill(page, "date", "2024年12月20日")
            fill(page, "target_chars", "300")
            shots(page, "form-filled")

            # 2. generate: sections stream in one by one
            page.click("#btn-generate")
            started = time.perf_counter()
            page.wait_for_function("() => { const t = document.querySelector('#sec-0-text textarea');"
                                   " const s = document.querySelector('#status .notice-error');"
                                   " return (t && t.value.trim().length > 0) || s; }", timeout=300_000)
            assert not page.locator("#status .notice-error").count(), page.locator("#status").inner_text()
            metrics["first_text_s"] = time.perf_counter() - started
            shots(page, "streaming")
            wait_status(page, "初稿已生成", timeout=300_000)
            metrics["generate_s"] = time.perf_counter() - started
            n = visible_sections(page)
            assert n >= 3
            before = [section_text(page, i) for i in range(n)]
            assert all(t.strip() for t in before), before
            assert "检查结果" in page.locator("#checks").inner_text()
            shots(page, "draft-done")

            # 3. lock section 0, regenerate section 1 with an instruction (the section may already have a
            # version in its history: the text before the over-length trim)
            versions = history_count(page.locator("#sec-1-status").inner_text())
            page.locator("#sec-0-lock input").check()
            wait_status(page, "第 1 节已锁定")
            page.locator("#sec-1-instr textarea, #sec-1-instr input").first.fill("语言更加简练，突出党员先锋岗")
            page.click("#sec-1-regen")
            wait_status(page, "本节已重新生成", timeout=300_000)
            after = [section_text(page, i) for i in range(n)]
            assert after[0] == before[0], "the locked section changed"
            assert history_count(page.locator("#sec-1-status").inner_text()) == versions + 1
            assert "已锁定" in page.locator("#sec-0-status").inner_text()
            shots(page, "regenerated")

            # the locked section refuses to be regenerated and stays as it was
            page.click("#sec-0-regen")
            wait_status(page, "已锁定，解锁后才能重新生成")
            assert section_text(page, 0) == before[0]

            # 4. edit section 2 by hand, export and find the edit in the .docx
            box = page.locator("#sec-2-text textarea")
            box.click()
            box.press("End")
            page.keyboard.press("Control+End")
            page.keyboard.type(EDIT)
            page.click("#btn-export")
            wait_status(page, "已导出")
            link = page.locator("#downloads a[download$='.docx']").first
            with page.expect_download() as info:
                link.click()
            path = tmp_path / "draft.docx"
            info.value.save_as(path)
            paragraphs = "\n".join(p.text for p in Document(str(path)).paragraphs)
            assert EDIT in paragraphs
            assert after[0].split("\n")[0][:10] in paragraphs  # the locked section is in the document too
            shots(page, "exported")

            # 5. corpus tab: upload a GBK .txt and find it in the list
            gbk = tmp_path / "liuhe_2023.txt"
            gbk.write_bytes(GBK_TEXT.encode("gbk"))
            page.get_by_role("tab", name="语料库").click()
            page.locator("#corpus-files input[type=file]").set_input_files(str(gbk))
            page.wait_for_selector("#corpus-files :text('liuhe_2023.txt')", timeout=30_000)
            page.click("#corpus-ingest")
            page.wait_for_function("t => document.querySelector('#corpus-list').innerText.includes(t)", arg=GBK_TITLE,
                                   timeout=120_000)
            listing = page.locator("#corpus-list").inner_text()
            assert "liuhe_2023.txt" in listing and "gb" in listing.lower()
            shots(page, "corpus-gbk")

            # 6. reload: form and draft (with the edit) come back
            final = [section_text(page, i) for i in range(n)]
            page.reload()
            wait_ready(page)
            page.wait_for_function("() => (document.querySelector('#sec-0-text textarea')||{}).value?.length > 0",
                                   timeout=30_000)
            assert [section_text(page, i) for i in range(n)] == final
            assert EDIT in section_text(page, 2)
            assert page.locator("#f-unit textarea, #f-unit input").first.input_value() == "青山镇党委"
            assert cell_text(page, 1, 1) == "1286"
            assert page.locator("#sec-0-lock input").is_checked()
            shots(page, "reloaded")
            context.close()

    outside = sorted({u for u in requests if not u.startswith(url.rstrip("/"))})
    assert not outside, f"requests left the machine: {outside}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    print("\nbrowser metrics:", json.dumps(metrics))

