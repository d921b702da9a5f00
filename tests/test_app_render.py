"""HTML rendering: everything escaped (no markup from facts, corpus or model survives), highlights by span."""

from __future__ import annotations

import re

from drafter.retrieval import Exemplar
from drafter.webapp import render
from vectorstore.store import DocumentInfo

PAYLOADS = ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "\"><svg onload=alert(1)>",
            "${alert(1)}", "&lt;script&gt;"]


def no_markup(html: str, payload: str) -> None:
    assert payload not in html or payload == "${alert(1)}"
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<svg" not in html.lower()


def hit(title: str, text: str = "正文") -> Exemplar:
    return Exemplar(id="h1", doc_id="d1", kind="document", title=title, source=f"/x/{title}.txt", section_type="全文",
                    heading="", text=text, score=0.5)


def test_examples_and_documents_are_escaped():
    for p in PAYLOADS:
        no_markup(render.examples_table([hit(p, p)]), p)
        docs = [DocumentInfo(doc_id="d", title=p, source=f"/u/{p}.txt", genre=p, unit_type=p, year=None, sections=1,
                             encoding=p)]
        no_markup(render.documents_table(docs), p)
        no_markup(render.field_errors([p]), p)
        no_markup(render.notice(p, "error"), p)
        no_markup(render.history_html([p]), p)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in render.examples_table([hit(PAYLOADS[0])])


def test_notice_kind_is_escaped_too():
    assert '"' not in render.notice("x", 'a" onclick="b').split('class="')[1].split('"')[0]


def test_highlight_wraps_flagged_spans_and_escapes_everything():
    text = "党员<b>1300</b>名，基层党组织42个"
    start = text.index("1300")
    findings = [{"code": "NUM_INVENTED", "message_zh": "“1300”不在事实中<script>", "span": [start, start + 4]},
                {"code": "FIG_MISSING", "message_zh": "缺少", "span": None},
                {"code": "NUM_INVENTED", "message_zh": "overlap", "span": [start + 1, start + 3]}]
    html = render.highlighted(text, findings)
    assert html.count("<mark") == 1
    assert '<mark class="flag flag-invented" title="“1300”不在事实中&lt;script&gt;">1300</mark>' in html
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">") == text


def test_spans_out_of_range_are_clipped_or_dropped():
    html = render.highlighted("abc", [{"code": "NUM_INVENTED", "span": [2, 99], "message_zh": "m"},
                                      {"code": "NUM_INVENTED", "span": [5, 6], "message_zh": "m"}])
    assert html.count("<mark") == 1 and ">c</mark>" in html


def test_checks_panel_lists_checks_missing_figures_and_highlights():
    report = {"passed": False, "score": 0.5, "checks": {
        "numbers": {"name": "numbers", "passed": False, "score": 0.5, "findings": [
            {"code": "NUM_INVENTED", "message_zh": "“99”不在事实中，疑为编造的数字", "span": [2, 4], "severity": "error"},
            {"code": "FIG_MISSING", "message_zh": "缺少事实数据：党员1286名", "span": None, "severity": "error"}]},
        "length": {"name": "length", "passed": True, "score": 1.0, "findings": []}}}
    html = render.checks_panel(report, "党员99名")
    assert "数字</b>：未通过" in html and "篇幅</b>：通过" in html
    assert "缺少的数据" in html and "党员1286名" in html
    assert '<mark class="flag flag-invented"' in html and "文中标出 1 处" in html
    assert "生成初稿后" in render.checks_panel(None)


def test_example_choices_are_plain_labels_with_ids():
    assert render.example_choices([hit("甲" * 60)]) == [(f"1. {'甲' * 40}（全文）", "h1")]
