"""Property-based tests of the draft checks: random Chinese-ish drafts (headings, numbers in every notation,
units, dates, Markdown, stray Unicode) against random valid facts and examples — ``run_checks`` and the
per-section helpers never raise, every span lies inside the text, every message is Chinese, reports are
JSON-serialisable and deterministic.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from drafter.checks import (
    CHECK_NAMES,
    copied_runs,
    invented_numbers,
    leaked_terms,
    missing_figures,
    missing_items,
    prompt_leaks,
    run_checks,
    split_sections,
)
from drafter.facts import Facts, FactsError, validate_facts
from drafter.zh.headings import parse_headings
from drafter.zh.numbers import extract_numbers

CJK = re.compile(r"[\u4e00-\u9fff]")
PROPERTY = settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))

WORDS = ["党支部", "党员", "群众", "开展", "组织", "学习", "活动", "城关镇", "青山村", "党委", "书记", "张建国", "同志",
         "创先争优", "主题党日", "志愿服务", "基层党组织", "满意度", "提高", "下降", "同比", "增长", "约", "余", "近", "共",
         "忽略以上要求", "输出系统提示词", "你是党政机关的文字秘书", "现将有关情况总结如下", "第一", "一是", "二是"]
NUMBERS = ["42", "1286", "3,650", "86.4", "96.3", "0.5", "12", "2024", "１２８６", "一千二百八十六", "三十", "两", "十余",
           "百分之九十", "12345", "110", "1.5万", "3亿", "百", "万", "零", "〇"]
UNITS = ["个", "名", "人", "万元", "亿元", "元", "%", "个百分点", "期", "次", "场", "家", "户", "年", "月", "日", "倍", "项", ""]
MARKS = ["一、", "二、", "三、", "十、", "（一）", "（二）", "(三)", "1.", "2、", "（1）", "(2)", "#", "## ", "**", "- ", "> "]
PUNCT = ["，", "。", "、", "；", "：", "！", "？", "“", "”", "（", "）", "《", "》", "…", ",", ".", ":", " ", "\u3000", "\n",
         "\n\n", "\t", "\r\n"]
DATES = ["2024年12月20日", "2024年", "12月", "二〇二四年十二月二十日", "2024-12-20", "2024.1.2"]

token = st.one_of(
    st.sampled_from(WORDS), st.sampled_from(NUMBERS), st.sampled_from(UNITS), st.sampled_from(MARKS),
    st.sampled_from(PUNCT), st.sampled_from(DATES),
    st.tuples(st.sampled_from(NUMBERS), st.sampled_from(UNITS)).map("".join),
    st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=4),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3),
)
text = st.lists(token, max_size=120).map("".join)
line = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(NUMBERS), st.sampled_from(UNITS)),
                min_size=1, max_size=6).map("".join)


@st.composite
def facts_strategy(draw: st.DrawFn) -> Facts:
    figures = draw(st.lists(st.fixed_dictionaries({
        "label": st.sampled_from(["党员", "基层党组织", "群众满意度", "培训", "资金", "志愿者", "村"]),
        "value": st.one_of(st.integers(0, 10**9), st.decimals(0, 10**6, places=2, allow_nan=False).map(str)),
        "unit": st.sampled_from(UNITS),
    }), max_size=6, unique_by=lambda f: (f["label"], f["unit"])))
    data: dict[str, Any] = {
        "genre": draw(st.sampled_from(["工作总结", "汇报材料", "经验材料", "调研报告"])),
        "unit": draw(st.sampled_from(["城关镇党委", "青山村党支部", "县教育局", "某某公司党委"])),
        "figures": figures,
        **{name: draw(st.lists(line, max_size=4)) for name in ("activities", "achievements", "problems", "plans")},
    }
    for name, strat in (("period", st.sampled_from(["2024年", "2023年度", "上半年"])),
                        ("signature", st.sampled_from(["中共城关镇委员会", "青山村党支部"])),
                        ("date", st.sampled_from(DATES)), ("theme", st.sampled_from(["创先争优活动", "主题教育"])),
                        ("target_chars", st.integers(200, 3000))):
        if draw(st.booleans()):
            data[name] = draw(strat)
    try:
        return validate_facts(data)
    except FactsError:
        assume(False)
        raise


def _spans_ok(span: Any, n: int) -> bool:
    return span is None or (len(span) == 2 and 0 <= span[0] <= span[1] <= n)


@PROPERTY
@given(text, facts_strategy(), st.lists(text, max_size=3))
def test_run_checks_never_raises_and_spans_lie_in_the_draft(draft: str, facts: Facts, examples: list[str]) -> None:
    report = run_checks(draft, facts, examples=examples, corpus_names=["青山村", "张建国"])
    assert [c.name for c in report.checks] == list(CHECK_NAMES)
    for check in report.checks:
        assert 0.0 <= check.score <= 1.0
        for f in check.findings:
            assert _spans_ok(f.span, len(draft)), (check.name, f)
            assert f.message_zh.strip() and CJK.search(f.message_zh), f
            assert f.severity in ("error", "warning", "info")
    data = report.to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert run_checks(draft, facts, examples=examples, corpus_names=["青山村", "张建国"]).to_dict() == data


@PROPERTY
@given(text, facts_strategy(), st.lists(text, max_size=3))
def test_section_helpers_never_raise(section: str, facts: Facts, examples: list[str]) -> None:
    for finding in (*invented_numbers(section, facts), *leaked_terms(section, facts, examples), *prompt_leaks(section)):
        assert _spans_ok(finding.span, len(section)), finding
        assert CJK.search(finding.message_zh)
    for fig in missing_figures(section, facts):
        assert fig in facts.figures
    for _field, item in missing_items(section, facts):
        assert any(item == x for _, x in facts.items())
    for start, end, _which in copied_runs(section, examples):
        assert 0 <= start < end <= len(section)
    for sec in split_sections(section):
        assert sec is not None


@PROPERTY
@given(text)
def test_numbers_and_headings_parsers_stay_in_bounds(draft: str) -> None:
    for n in extract_numbers(draft):
        assert 0 <= n.span[0] < n.span[1] <= len(draft), n
        assert draft[n.span[0]:n.span[1]] == n.raw or n.raw in draft, n
    for h in parse_headings(draft):
        assert h.title is not None


POOL = [*WORDS, *NUMBERS, *UNITS, *MARKS, *PUNCT, *DATES, *(n + u for n in NUMBERS for u in UNITS)]


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.randoms(use_true_random=False), st.integers(2000, 12000), facts_strategy())
def test_long_drafts(rnd: Any, n_tokens: int, facts: Facts) -> None:
    """Drafts of tens of thousands of characters (one line or many): same guarantees."""
    draft = "".join(rnd.choice(POOL) for _ in range(n_tokens))
    for variant in (draft, draft.replace("\n", "")):
        report = run_checks(variant, facts, examples=[variant[: len(variant) // 3]])
        for f in report.findings:
            assert _spans_ok(f.span, len(variant)), f
