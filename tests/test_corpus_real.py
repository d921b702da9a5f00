"""The corpus pipeline on the five real, noisy documents in ../shared/corpus (read, never copied)."""

from __future__ import annotations

import re

import opencc
import pytest

from vectorstore.pipeline import parse_path

# Documents each file yields: 002 holds 第一篇…第五篇; 004 a summary plus an 扩展阅读 article; 001 one summary
# followed by teasers and an orphan title that must not become documents.
EXPECTED_DOCS = {"000": 1, "001": 1, "002": 5, "003": 1, "004": 2}


@pytest.fixture(scope="module")
def parsed(shared_corpus):
    return {f.name[:3]: parse_path(f) for f in sorted(shared_corpus.glob("*.txt"))}


def test_document_counts(parsed):
    assert {k: len(v) for k, v in parsed.items()} == EXPECTED_DOCS


def test_no_gloss_boilerplate_or_traditional_left(parsed):
    t2s = opencc.OpenCC("t2s")
    boiler = re.compile(r"(版权所有|转载请注明|上一篇|下一篇|发布时间|相关热词|欢迎来到|加入收藏|您所在的位置|点击：|www\.)")
    for docs in parsed.values():
        for doc in docs:
            assert not re.search(r"[\u4e00-\u9fff]\([a-zü]+\)", doc.text), doc.title
            assert not boiler.search(doc.text), boiler.search(doc.text)
            assert not re.search(r"(\.\.\.|…)$", doc.text, re.M), doc.title
            # Simplified text is a fixed point of t2s: nothing Traditional is left to convert.
            assert t2s.convert(doc.text) == doc.text, doc.title


def test_spam_and_site_lines_gone(parsed):
    text = parsed["000"][0].text
    assert "视频" not in text and "精品例文" not in text
    assert parsed["000"][0].title == "教文体局党委创先争优活动总结"


def test_titles_signature_and_damaged_date(parsed):
    doc = parsed["001"][0]
    assert doc.title == "博望镇创先争优活动工作小结"
    assert doc.date == "二〇一〇年十月十二日" and doc.year == 2010
    first = parsed["004"][0]
    assert first.signature == "中共轮台县教育和科学技术局委员会"
    assert first.date == "二一二年一月二十九日" and first.year == 2012  # damaged: 二〇一二 with 〇 dropped
    assert parsed["004"][1].title == "教育系统创先争优活动领导点评工作总结"
    assert parsed["003"][0].title == "县教育局创先争优活动实施方案"


def test_genres_and_unit_types(parsed):
    assert [d.genre for d in parsed["002"]][:3] == ["经验材料", "汇报材料", "汇报材料"]
    assert parsed["002"][4].genre == "讲话稿"
    assert parsed["003"][0].genre == "实施方案"
    assert parsed["001"][0].unit_type == "乡镇"
    assert parsed["002"][0].unit_type == "街道"
    assert parsed["000"][0].unit_type == "教育"


def test_headings_and_section_types(parsed):
    doc = parsed["001"][0]
    tops = doc.top_sections()
    assert [s.heading for s in tops] == ["一、基本情况", "二、工作开展情况", "三、下一步计划"]
    assert [s.section_type for s in tops] == ["基本情况", "主要做法", "下一步打算"]
    assert len(tops[1].children) >= 5 and tops[1].children[0].marker.startswith("1")
    report = parsed["002"][1]
    assert [s.section_type for s in report.top_sections()] == ["主要做法", "取得成效", "存在问题", "下一步打算"]
    # a heading glued to the end of a paragraph is recovered
    assert [s.heading for s in parsed["004"][0].top_sections()][:2] == ["一、加强领导，周密部署", "二、开展情况和主要做法"]


def test_figures_land_in_their_section(parsed):
    basic = parsed["001"][0].top_sections()[0]
    assert "35个" in basic.figures and "1730名" in basic.figures
    preamble = parsed["000"][0].sections[0]
    assert preamble.level == 0 and {"15个", "424名"} <= set(preamble.figures)


def test_enumerations(parsed):
    results = parsed["000"][0].top_sections()[1]
    assert len(results.enumerations) >= 3
    assert results.enumerations[0].startswith("一是")
