"""The real app in headless Chromium, drafting with a scripted model: offline (every request stays on
127.0.0.1, and the page works with only loopback reachable), validation beside the fields, autosave and
restore, session isolation, no script from facts/corpus/model text, the API key never shown again, login."""

from __future__ import annotations

import ipaddress
import json
import socket
import stat
import time
from pathlib import Path

import pytest
from browser_helpers import (
    cell_text,
    field,
    fill,
    pick,
    scripted_context,
    section_text,
    serve,
    set_cell,
    visible_sections,
    wait_ready,
    wait_status,
)

from drafter.settings import get_settings

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

VIEWPORT = {"width": 1400, "height": 1000}
ZH = {"viewport": VIEWPORT, "locale": "zh-CN"}


def watch(page) -> dict[str, list]:
    """Record every request, failed request and dialog of a page."""
    seen: dict[str, list] = {"requests": [], "failed": [], "dialogs": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))

    def on_dialog(d):
        seen["dialogs"].append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    return seen


def use_preset(page, name: str = "乡镇创先争优活动总结") -> None:
    pick(page, "preset-name", name)
    page.click("#preset-apply")
    wait_status(page, "已填入示例")


@pytest.fixture
def server_connections(monkeypatch):
    """Every address this process (the app server) connects to."""
    seen: list = []
    original = socket.socket.connect

    def connect(self, address):
        seen.append(address)
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


def is_loopback(address) -> bool:
    if isinstance(address, str | bytes):  # unix socket
        return True
    return ipaddress.ip_address(address[0]).is_loopback


@pytest.mark.parametrize("network", ["recorded", "loopback-only"])
def test_page_is_offline(network, browser, offline_browser, shots, server_connections):
    """All requests go to the app on 127.0.0.1; with every other host unreachable the app still works; the
    server itself connects to nothing but loopback."""
    ctx = scripted_context()
    chromium = offline_browser if network == "loopback-only" else browser
    with serve(ctx) as url:
        context = chromium.new_context(**ZH)
        page = context.new_page()
        seen = watch(page)
        started = time.perf_counter()
        page.goto(url)
        wait_ready(page)
        load_s = time.perf_counter() - started
        use_preset(page)
        page.click("#btn-generate")
        wait_status(page, "初稿已生成")
        assert visible_sections(page) == 5 and section_text(page, 0)
        assert "检查结果" in page.locator("#checks").inner_text()
        page.get_by_role("tab", name="语料库").click()
        page.wait_for_function("() => document.querySelector('#corpus-list').innerText.includes('共 12 篇')")
        page.get_by_role("tab", name="设置").click()
        page.wait_for_selector("#s-model-status :text('本地模型文件')")
        fonts = page.evaluate("() => [...document.styleSheets].map(s => s.href).filter(Boolean)")
        shots(page, f"{network}-settings")
        page.get_by_role("tab", name="起草").click()
        shots(page, f"{network}-draft")
        context.close()
    origin = url.rstrip("/")
    assert seen["requests"], "no request recorded"
    outside = sorted({u for u in seen["requests"] if not u.startswith(origin) and not u.startswith("data:")})
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert not [u for u in seen["failed"] if not u.startswith(origin)]
    assert all(h.startswith(origin) for h in fonts), fonts
    assert server_connections, "the connection hook saw nothing"
    assert [a for a in server_connections if not is_loopback(a)] == []
    print(f"\n{network}: page load {load_s:.2f} s, {len(seen['requests'])} requests, all to {origin}")


def test_invalid_fields_are_explained_in_chinese_and_nothing_typed_is_lost(browser, shots):
    ctx = scripted_context(ingest_demo=False)
    with serve(ctx) as url:
        context = browser.new_context(**ZH)
        page = context.new_page()
        page.goto(url)
        wait_ready(page)
        fill(page, "period", "2024年")
        set_cell(page, 0, 0, "党员")
        set_cell(page, 0, 1, "很多")
        set_cell(page, 0, 2, "名")
        fill(page, "activities", "第一项\n" + "长" * 501)
        fill(page, "target_chars", "一千")
        page.click("#btn-check")
        wait_status(page, "需要修改")
        assert "必填：请填写单位名称" in page.locator("#err-unit").inner_text()
        assert "第1行“数值”：'很多' 不是数字" in page.locator("#err-figures").inner_text()
        assert "第2行：过长：最多 500 字，现有 501 字" in page.locator("#err-activities").inner_text()
        assert "'一千' 不是整数" in page.locator("#err-target_chars").inner_text()
        assert page.locator("#err-period").inner_text().strip() == ""
        shots(page, "errors-beside-fields")
        # generating refuses with the same errors and keeps everything typed
        page.click("#btn-generate")
        wait_status(page, "需要修改")
        assert visible_sections(page) == 0
        page.reload()
        wait_ready(page)
        page.wait_for_function("() => document.querySelector('#err-unit').innerText.includes('必填')")
        assert field(page, "period").input_value() == "2024年"
        assert field(page, "target_chars").input_value() == "一千"
        assert cell_text(page, 0, 1) == "很多"
        assert field(page, "activities").input_value().endswith("长" * 501)
        shots(page, "restored-after-reload")
        # fixing the field clears its error
        fill(page, "unit", "青山镇党委")
        fill(page, "target_chars", "1200")
        set_cell(page, 0, 1, "1286")
        fill(page, "activities", "第一项")
        page.click("#btn-check")
        wait_status(page, "格式正确")
        assert page.locator("#err-unit").inner_text().strip() == ""
        context.close()


def test_two_browser_sessions_are_isolated_and_reload_restores(browser, shots):
    ctx = scripted_context()
    with serve(ctx) as url:
        a = browser.new_context(**ZH)
        page_a = a.new_page()
        page_a.goto(url)
        wait_ready(page_a)
        use_preset(page_a)
        fill(page_a, "unit", "甲单位党委")
        page_a.click("#btn-generate")
        wait_status(page_a, "初稿已生成")
        drafted = [section_text(page_a, i) for i in range(visible_sections(page_a))]
        b = browser.new_context(**ZH)
        page_b = b.new_page()
        page_b.goto(url)
        wait_ready(page_b)
        assert field(page_b, "unit").input_value() == ""
        assert visible_sections(page_b) == 0
        assert "甲单位" not in page_b.content()
        fill(page_b, "unit", "乙单位党委")
        shots(page_b, "other-session-empty")
        page_a.reload()
        wait_ready(page_a)
        page_a.wait_for_function("() => (document.querySelector('#sec-0-text textarea')||{}).value?.length > 0")
        assert field(page_a, "unit").input_value() == "甲单位党委"
        assert [section_text(page_a, i) for i in range(visible_sections(page_a))] == drafted
        assert "一、基本情况" in page_a.locator("#outline textarea").input_value()
        shots(page_a, "first-session-restored")
        ids = [c.evaluate("() => Object.entries(localStorage).filter(([k]) => k.includes('drafter_session'))")
               for c in (page_a, page_b)]
        assert ids[0] and ids[1] and ids[0] != ids[1]
        a.close()
        b.close()
    states = [json.loads((d / "state.json").read_text(encoding="utf-8"))
              for d in (get_settings().home / "sessions").iterdir()]
    assert sorted(s["form"]["unit"] for s in states) == ["乙单位党委", "甲单位党委"]


PAYLOADS = {
    "img": '<img src=x onerror="window.__xss=1">',
    "script": "<script>window.__xss=2</script>",
    "template": "${window.__xss=3}",
    "svg": '"><svg onload="window.__xss=4">',
}


def test_text_from_facts_corpus_and_model_cannot_run_script(browser, shots, tmp_path):
    payload = "".join(PAYLOADS.values())
    ctx = scripted_context(text="坚持党建引领。" + payload + "推动工作落实。")
    doc = tmp_path / "xss_doc.txt"
    doc.write_text(f"柳河乡2023年党建工作总结\n\n2023年，柳河乡党委{payload}坚持以党建引领乡村振兴，现将有关情况总结如下。\n\n"
                   "一、主要做法\n举办专题读书班3期。\n\n二、下一步打算\n继续加强村级组织建设。\n", encoding="utf-8")
    ctx.store.ingest([doc])
    with serve(ctx) as url:
        context = browser.new_context(**ZH)
        page = context.new_page()
        seen = watch(page)
        page.goto(url)
        wait_ready(page)
        use_preset(page)
        fill(page, "unit", "青山镇党委" + PAYLOADS["img"])
        fill(page, "theme", PAYLOADS["script"][:40])
        fill(page, "activities", "举办党课培训12期" + PAYLOADS["svg"] + "\n" + PAYLOADS["template"])
        set_cell(page, 2, 0, "结对帮扶" + PAYLOADS["img"][:30])
        page.click("#btn-retrieve")
        wait_status(page, "已检索到")
        page.click("#btn-generate")
        wait_status(page, "初稿已生成")
        examples = page.locator("#examples").inner_text()
        assert "<script>window.__xss=2</script>" in examples  # shown as text, not run
        assert PAYLOADS["img"] in page.locator("#outline textarea").input_value()
        checks = page.locator("#checks").inner_text()  # the model's text (its markdown __ stripped by the engine)
        assert "<script>window." in checks and "${window." in checks and "<svg onload=" in checks
        page.locator("#sec-0-text textarea").fill(section_text(page, 0) + PAYLOADS["img"])
        page.click("#btn-recheck")
        wait_status(page, "已按当前文字重新检查")
        page.get_by_role("tab", name="语料库").click()
        page.wait_for_function("() => document.querySelector('#corpus-list').innerText.includes('xss_doc.txt')")
        shots(page, "corpus-list")
        page.get_by_role("tab", name="起草").click()
        page.reload()
        wait_ready(page)
        page.wait_for_function("() => (document.querySelector('#sec-0-text textarea')||{}).value?.length > 0")
        time.sleep(1)
        shots(page, "payloads-as-text")
        assert page.evaluate("() => window.__xss") is None
        assert seen["dialogs"] == []
        injected = page.evaluate("() => document.querySelectorAll('#examples img, #checks img, #checks svg,"
                                 " #examples svg, #corpus-list img, .doc-preview img, .doc-preview script').length")
        assert injected == 0
        assert not [u for u in seen["requests"] if u.rstrip("/").endswith("/x")]  # <img src=x> never loaded
        context.close()


def test_saved_api_key_is_never_shown_again(browser, shots):
    ctx = scripted_context(ingest_demo=False)
    secret = "sk-test-abcdef123456"
    with serve(ctx) as url:
        context = browser.new_context(**ZH)
        page = context.new_page()
        bodies: list[str] = []
        page.on("response", lambda r: bodies.append(r.url))
        page.goto(url)
        wait_ready(page)
        page.get_by_role("tab", name="设置").click()
        page.locator("#s-base-url textarea, #s-base-url input").first.fill("http://127.0.0.1:9/v1")
        page.locator("#s-model textarea, #s-model input").first.fill("served-model")
        page.locator("#s-api-key input").fill(secret)
        page.click("#s-save")
        wait_status(page, "已保存", where="#s-message")
        assert page.locator("#s-api-key input").input_value() == ""
        assert "API 密钥：已保存" in page.locator("#s-key-status").inner_text()
        shots(page, "key-saved")
        page.reload()
        wait_ready(page)
        page.get_by_role("tab", name="设置").click()
        page.wait_for_function("() => document.querySelector('#s-key-status').innerText.includes('已保存')")
        assert page.locator("#s-model textarea, #s-model input").first.input_value() == "served-model"
        assert page.locator("#s-api-key input").input_value() == ""
        assert secret not in page.content()
        config_json = page.evaluate("async () => await (await fetch('config')).text()")
        assert secret not in config_json
        storage = page.evaluate("() => JSON.stringify(localStorage)")
        assert secret not in storage
        shots(page, "key-not-shown-after-reload")
        context.close()
    env = get_settings().home / ".env"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600 and secret in env.read_text(encoding="utf-8")
    assert ctx.settings.llm_base_url == "http://127.0.0.1:9/v1"


def test_login_when_configured(browser, shots, monkeypatch):
    monkeypatch.setenv("DRAFTER_AUTH_USER", "clerk")
    monkeypatch.setenv("DRAFTER_AUTH_PASSWORD", "s3cret-pass")
    get_settings.cache_clear()
    ctx = scripted_context(ingest_demo=False)
    with serve(ctx) as url:
        context = browser.new_context(**ZH)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("input[type=password]")
        assert page.locator("#f-unit").count() == 0
        inputs = page.locator("input")
        inputs.first.fill("clerk")
        page.locator("input[type=password]").fill("wrong-pass")
        page.keyboard.press("Enter")
        page.wait_for_timeout(1000)
        assert page.locator("#f-unit").count() == 0
        shots(page, "login-refused")
        page.locator("input").first.fill("clerk")
        page.locator("input[type=password]").fill("s3cret-pass")
        page.keyboard.press("Enter")
        wait_ready(page)
        shots(page, "logged-in")
        context.close()


def test_import_and_export_facts_json(browser, tmp_path):
    ctx = scripted_context(ingest_demo=False)
    facts = {"unit": "东风社区党委", "genre": "汇报材料", "figures": [{"label": "网格", "value": "18", "unit": "个"}],
             "activities": ["推行网格化管理"], "target_chars": 800}
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    with serve(ctx) as url:
        context = browser.new_context(**ZH, accept_downloads=True)
        page = context.new_page()
        page.goto(url)
        wait_ready(page)
        with page.expect_file_chooser() as chooser:
            page.click("#facts-import")
        chooser.value.set_files(str(path))
        wait_status(page, "已导入事实")
        assert field(page, "unit").input_value() == "东风社区党委"
        assert cell_text(page, 0, 0) == "网格"
        page.click("#facts-save")
        wait_status(page, "已保存事实")
        with page.expect_download() as info:
            page.locator("#facts-file a").first.click()
        saved = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
        assert saved["unit"] == "东风社区党委" and saved["figures"][0]["value"] == "18"
        context.close()


def test_corpus_remove_and_rebuild_and_example_exclusion(browser, shots):
    ctx = scripted_context()
    with serve(ctx) as url:
        context = browser.new_context(**ZH)
        page = context.new_page()
        page.goto(url)
        wait_ready(page)
        # exclude the best example's document and retrieve again: it is gone from the panel
        use_preset(page)
        page.click("#btn-retrieve")
        wait_status(page, "已检索到")
        first_title = page.locator("#examples tr").nth(1).locator("td").nth(1).inner_text().split("\n")[0]
        page.locator("#pin-exclude").click()
        page.locator("#exclude label", has_text=first_title).first.click()
        page.click("#btn-reretrieve")
        page.wait_for_function("t => !document.querySelector('#examples').innerText.includes(t)", arg=first_title)
        assert page.locator("#exclude label", has_text="已排除").count() == 1
        shots(page, "example-excluded")
        # corpus: remove one document, then rebuild brings the demo corpus back
        page.get_by_role("tab", name="语料库").click()
        page.wait_for_function("() => document.querySelector('#corpus-list').innerText.includes('共 12 篇')")
        pick(page, "corpus-remove-pick", "01_xiangzhen")
        page.click("#corpus-remove")
        wait_status(page, "已删除", where="#corpus-status")
        page.wait_for_function("() => document.querySelector('#corpus-list').innerText.includes('共 11 篇')")
        shots(page, "removed")
        page.click("#corpus-rebuild")
        wait_status(page, "已重建语料库", where="#corpus-status", timeout=120_000)
        assert "共 12 篇" in page.locator("#corpus-list").inner_text()
        shots(page, "rebuilt")
        context.close()
