"""Number extraction and normalisation: a table of written forms and their comparable values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drafter.zh.numbers import extract_numbers
from drafter.zh.numerals import format_decimal, parse_cn_number, parse_number, to_chinese
from drafter.zh.units import canonical_unit, normalize, same_quantity

# (text, [(raw, normalized, kind, approx), ...])
NORMALISATIONS = [
    ("党员1286名", [("1286名", "1286人", "arabic", "")]),
    ("党员一千二百八十六名", [("一千二百八十六名", "1286人", "chinese", "")]),
    ("基层党组织42个", [("42个", "42个", "arabic", "")]),
    ("黨支部 15 個".replace("個", "个"), [("15 个", "15个", "arabic", "")]),
    ("营业收入86.4亿元", [("86.4亿元", "8640000000元", "mixed", "")]),
    ("营业收入864000万元", [("864000万元", "8640000000元", "mixed", "")]),
    ("营业收入8640000000元", [("8640000000元", "8640000000元", "arabic", "")]),
    ("营业收入八十六点四亿元", [("八十六点四亿元", "8640000000元", "chinese", "")]),
    ("利润3,650万元", [("3,650万元", "36500000元", "mixed", "")]),
    ("满意度96.3%", [("96.3%", "96.3%", "arabic", "")]),
    ("满意度96.3％", [("96.3％", "96.3%", "arabic", "")]),
    ("满意度百分之九十六点三", [("百分之九十六点三", "96.3%", "chinese", "")]),
    ("满意度百分之96.3", [("百分之96.3", "96.3%", "mixed", "")]),
    ("达到百分之百", [("百分之百", "100%", "chinese", "")]),
    ("下降2.5个百分点", [("2.5个百分点", "2.5个百分点", "arabic", "")]),
    ("参训1.2万人次", [("1.2万人次", "12000人次", "mixed", "")]),
    ("群众两万人", [("两万人", "20000人", "chinese", "")]),
    ("三万五千人", [("三万五千人", "35000人", "chinese", "")]),
    ("一百零五户", [("一百零五户", "105户", "chinese", "")]),
    ("十二点五亿元", [("十二点五亿元", "1250000000元", "chinese", "")]),
    ("近500人参加", [("500人", "500人", "arabic", "近")]),
    ("30余名干部", [("30余名", "30人", "arabic", "余")]),
    ("二十多个支部", [("二十多个", "20个", "chinese", "多")]),
    ("90%以上", [("90%", "90%", "arabic", "以上")]),
    ("3-5个", [("3", "3个", "arabic", ""), ("5个", "5个", "arabic", "")]),
    ("５０名", [("５０名", "50人", "arabic", "")]),
    ("2024年12月20日", [("2024年", "2024年", "date", ""), ("12月", "12月", "date", ""), ("20日", "20日", "date", "")]),
    ("二〇二四年", [("二〇二四年", "2024年", "date", "")]),
    ("2024-12-20", [("2024", "2024年", "date", ""), ("12", "12月", "date", ""), ("20", "20日", "date", "")]),
    ("6月22日上午", [("6月", "6月", "date", ""), ("22日", "22日", "date", "")]),
    ("12月20号", [("12月", "12月", "date", ""), ("20号", "20日", "date", "")]),
    ("近3年来", [("3年", "3年", "arabic", "近")]),
    ("3个月", [("3个月", "3个月", "arabic", "")]),
    ("获全市第3名", [("3名", "3人", "ordinal", "")]),
    ("5千克", [("5千克", "5千克", "arabic", "")]),
    ("5公斤", [("5公斤", "5千克", "arabic", "")]),
    ("1286", [("1286", "1286", "arabic", "")]),
    ("1.2万", [("1.2万", "12000", "mixed", "")]),
    ("建党90周年", [("90周年", "90周年", "arabic", "")]),
]


@pytest.mark.parametrize(("text", "expected"), NORMALISATIONS, ids=[t for t, _ in NORMALISATIONS])
def test_normalisation_table(text: str, expected: list[tuple[str, str, str, str]]) -> None:
    got = [(n.raw, n.normalized, n.kind, n.approx) for n in extract_numbers(text)]
    assert got == expected


@pytest.mark.parametrize(
    "text",
    ["坚持“三会一课”制度", "践行“三个代表”重要思想", "争创“五个好”党组织", "深入开展“两学一做”", "落实“第一议题”制度",
     "学习贯彻党的二十大精神", "十九届四中全会", "一是加强学习，二是完善制度", "一把手带头", "深入一线", "统一思想",
     "一起研究", "进一步加强", "十分重要", "千方百计", "千家万户", "“十四五”规划", "三分之一的党员", "5G网络", "G20峰会",
     "19:04:04", "百姓满意", "三五成群", "通过12345热线", "拨打110报警", "96110反诈专线"],
)
def test_set_phrases_and_non_numbers(text: str) -> None:
    assert extract_numbers(text) == []


def test_hotline_skip_keeps_real_counts() -> None:
    assert [n.raw for n in extract_numbers("12345热线受理诉求1380件，接待120人，共110名党员")] == ["1380件", "120人", "110名"]


def test_heading_ordinals_are_not_numbers() -> None:
    text = "一、基本情况\n（二）主要做法\n3.有学习。党员12名\n（4）细目"
    assert [n.raw for n in extract_numbers(text)] == ["12名"]


def test_spans_point_at_the_raw_text() -> None:
    text = "全镇有基层党组织42个，党员一千二百八十六名，收入86.4亿元，满意度96.3%。"
    for n in extract_numbers(text):
        assert text[n.span[0]:n.span[1]] == n.raw


@pytest.mark.parametrize(
    ("text", "value"),
    [("一千二百八十六", "1286"), ("九十六点三", "96.3"), ("二〇二四", "2024"), ("三万五", "35000"), ("一千二", "1200"),
     ("一百零五", "105"), ("十万零一十", "100010"), ("一亿二千万", "120000000"), ("十二点五亿", "1250000000"),
     ("十", "10"), ("两万", "20000"), ("三五", None), ("百", None), ("一二", None)],
)
def test_parse_cn_number(text: str, value: str | None) -> None:
    got = parse_cn_number(text)
    assert (format_decimal(got) if got is not None else None) == value


@given(st.integers(min_value=0, max_value=10**12))
def test_chinese_roundtrip_integers(n: int) -> None:
    assert parse_cn_number(to_chinese(n)) == n


@given(st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False))
def test_chinese_roundtrip_decimals(d: Decimal) -> None:
    assert parse_cn_number(to_chinese(d)) == d


@given(st.integers(min_value=11, max_value=10**8), st.sampled_from(["名", "个", "万元", "%", "人次"]))
def test_written_in_chinese_reads_like_arabic(n: int, unit: str) -> None:
    arabic = extract_numbers(f"共{n}{unit}。")
    chinese = extract_numbers(f"共{to_chinese(n)}{unit}。")
    assert len(arabic) == len(chinese) == 1
    assert arabic[0].key == chinese[0].key


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [(("86.4", "亿元"), ("864000", "万元"), True), (("86.4", "亿元"), ("8640000000", "元"), True),
     (("1286", "名"), ("1286", "人"), True), (("96.3", "%"), ("96.3", "％"), True),
     (("96.3", "%"), ("96.3", "个百分点"), False), (("86.4", "亿元"), ("86.4", "万元"), False),
     (("42", "个"), ("42", "名"), False), (("2.5", "百分点"), ("2.5", "个百分点"), True),
     (("5", "公斤"), ("5", "千克"), True)],
)
def test_same_quantity(a: tuple[str, str], b: tuple[str, str], same: bool) -> None:
    assert same_quantity(a, b) is same


def test_units_and_parse_number() -> None:
    assert canonical_unit("亿元") == "元"
    assert canonical_unit("个党支部") == "个"
    assert normalize("3650", "万元") == (Decimal("36500000"), "元")
    assert parse_number("3,650") == Decimal("3650")
    assert parse_number("１２") == Decimal("12")
    assert parse_number("约三十") is None
    assert parse_number("12a") is None
    assert format_decimal(Decimal("8.64E+9")) == "8640000000"
    assert format_decimal(Decimal("86.40")) == "86.4"


def test_an_approximation_the_facts_write_themselves_is_no_false_approximation():
    # a leave-one-out draft said "近两年来" as its facts did, and was told it contradicted the facts' "两年"
    from drafter.checks.figures import invented_numbers
    from drafter.facts import validate_facts

    said = validate_facts({"unit": "区教育局党委", "achievements": ["近两年来，班子成员团结协作，高标准完成各项任务"]})
    assert invented_numbers("近两年来，局党委班子团结协作。", said) == []
    exact = validate_facts({"unit": "区教育局党委", "achievements": ["两年来，班子成员团结协作，高标准完成各项任务"]})
    assert [f.code for f in invented_numbers("近两年来，局党委班子团结协作。", exact)] == ["NUM_APPROX_FALSE"]
    assert [f.code for f in invented_numbers("超过两年来，局党委班子团结协作。", said)] == ["NUM_APPROX_FALSE"]


def test_a_misbound_number_names_the_figure_the_verb_has_when_it_was_entered_as_a_figure():
    # a LOO case: the other number came from the figures (label, value, unit), whose wording all_text lacks, and
    # the message read "事实中开展的是，"
    from drafter.checks.figures import misbound_numbers
    from drafter.facts import validate_facts

    facts = validate_facts({"unit": "区委组织部", "activities": ["组织党员培训2000人次"],
                            "figures": [{"label": "开展志愿服务", "value": 3000, "unit": "人次"}]})
    [finding] = misbound_numbers("全年共开展2000人次。", facts)
    assert "事实中开展的是3000人次" in finding.message_zh and "2000人次是组织的数" in finding.message_zh
