"""The shared heading parser: markers and variants, false positives, offsets, and the real documents."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from drafter.zh.headings import match_heading, parse_headings
from drafter.zh.numerals import cn_to_int, to_chinese


@pytest.mark.parametrize(
    ("text", "value"),
    [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("九十九", 99), ("二〇", 20), ("一〇", 10), ("〇", 0),
     ("一百零五", 105), ("两", 2), ("", None), ("十十", None), ("一二", None), ("零五", None), ("abc", None),
     ("一是", None), ("二十十", None)],
)
def test_cn_to_int(text: str, value: int | None) -> None:
    assert cn_to_int(text) == value


@given(st.integers(min_value=1, max_value=99))
def test_cn_to_int_reads_what_to_chinese_writes(n: int) -> None:
    assert cn_to_int(to_chinese(n)) == n


@pytest.mark.parametrize(
    ("line", "level", "ordinal", "marker", "title", "standard"),
    [
        ("一、基本情况", 1, 1, "一、", "基本情况", True),
        ("十二、其他", 1, 12, "十二、", "其他", True),
        ("一.基本情况", 1, 1, "一.", "基本情况", False),
        ("　二、主要做法", 1, 2, "二、", "主要做法", True),
        ("（一）加强组织领导", 2, 1, "（一）", "加强组织领导", True),
        ("(一)强化组织领导", 2, 1, "(一)", "强化组织领导", False),
        ("（一)混合括号", 2, 1, "（一)", "混合括号", False),
        ("  (十二) 其他", 2, 12, "(十二)", "其他", False),
        ("1.有安排。一是部署从早", 3, 1, "1.", "有安排。一是部署从早", True),
        ("1．有安排", 3, 1, "1．", "有安排", True),
        ("1、动员部署阶段。", 3, 1, "1、", "动员部署阶段。", False),
        ("12. 测试", 3, 12, "12.", "测试", True),
        ("１．全角数字", 3, 1, "１．", "全角数字", True),
        ("（1）学习", 4, 1, "（1）", "学习", True),
        ("(2)宣传", 4, 2, "(2)", "宣传", False),
    ],
)
def test_headings_recognised(line: str, level: int, ordinal: int, marker: str, title: str, standard: bool) -> None:
    h = match_heading(line)
    assert h is not None
    assert (h.level, h.ordinal, h.marker, h.title, h.standard) == (level, ordinal, marker, title, standard)


@pytest.mark.parametrize(
    "line",
    ["1286名党员参加了活动", "2024年，全镇……", "一是加强学习", "一把手带头", "三会一课制度", "1.5万元用于",
     "51. 超过五十的序号", "0. 零号", "(2024)年", "三、四月份开展集中学习", "一、二年级学生", "1.", "二十大精神",
     "党员1286名", "（2024年）", "第一议题", "统一思想"],
)
def test_not_headings(line: str) -> None:
    assert match_heading(line) is None


def test_offsets_point_at_the_heading_lines() -> None:
    text = "标题\r\n\n一、基本情况\n正文1286名。\n（一）做法\n1.第一条\n（1）细目\n"
    headings = parse_headings(text)
    assert [h.level for h in headings] == [1, 2, 3, 4]
    for h in headings:
        assert text[h.start:h.end].strip().startswith(h.marker)
        assert text.split("\n")[h.line_no].rstrip("\r") == text[h.start:h.end]
    assert headings[0].line_no == 2


@given(st.integers(min_value=51, max_value=100000), st.sampled_from(["名党员", "个", "万元", "人次参加"]))
def test_numbers_at_line_start_are_not_level3_headings(n: int, rest: str) -> None:
    assert match_heading(f"{n}{rest}") is None
    assert match_heading(f"{n}、{rest}") is None


# --- the real documents -----------------------------------------------------------------------------------


def _read(path: Path) -> str:
    return opencc.OpenCC("t2s").convert(path.read_text(encoding="utf-8"))


def _found(text: str) -> list[tuple[int, int, str]]:
    return [(h.level, h.ordinal, h.title) for h in parse_headings(text)]


def test_real_town_summary_headings(shared_corpus: Path) -> None:
    found = _found(_read(next(shared_corpus.glob("001_*.txt"))))
    level1 = [(o, t) for lvl, o, t in found if lvl == 1]
    assert level1 == [(1, "基本情况"), (2, "工作开展情况"), (3, "下一步计划")]
    level3 = [o for lvl, o, _ in found if lvl == 3]
    assert level3 == [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 6, 7]
    assert any(t.startswith("存在主要问题") for lvl, _, t in found if lvl == 3)


def test_real_bureau_summary_headings(shared_corpus: Path) -> None:
    found = _found(_read(next(shared_corpus.glob("000_*.txt"))))
    level1 = [(o, t) for lvl, o, t in found if lvl == 1]
    assert level1 == [(1, "主要做法"), (2, "活动成效"), (3, "工作启示及建议")]
    level2 = [(o, t[:6]) for lvl, o, t in found if lvl == 2]
    assert (1, "强化组织领导") in level2 and (2, "突出学习宣传") in level2
    assert all(not h.standard for h in parse_headings(_read(next(shared_corpus.glob("000_*.txt")))) if h.level == 2)


def test_real_reports_and_experience_headings(shared_corpus: Path) -> None:
    found = _found(_read(next(shared_corpus.glob("002_*.txt"))))
    titles = [t for lvl, _, t in found if lvl == 1]
    for expected in ("进展情况及主要作法", "取得的初步成效", "存在的主要问题", "下阶段工作安排", "完善创建机制,规范品牌创建工作"):
        assert expected in titles
    level3 = [(o, t[:3]) for lvl, o, t in found if lvl == 3]
    for expected in ((1, "有安排"), (5, "有宣传")):
        assert expected in level3
    found4 = _found(_read(next(shared_corpus.glob("004_*.txt"))))
    assert [t for lvl, _, t in found4 if lvl == 1][-3:] == ["点评形式灵活", "点评内容具体", "点评效果明显"]
    found3 = _found(_read(next(shared_corpus.glob("003_*.txt"))))
    assert [t for lvl, _, t in found3 if lvl == 1] == ["指导思想", "创先争优活动的主要内容", "活动载体", "方法步骤", "相关要求"]


def test_real_documents_give_no_number_lines_as_headings(shared_corpus: Path) -> None:
    for path in sorted(shared_corpus.glob("*.txt")):
        for h in parse_headings(_read(path)):
            assert h.title == "" or not h.title[0].isdigit(), (path.name, h)
            if h.level in (3, 4):
                assert h.ordinal <= 50
