"""Property-based tests of facts validation: any input gives a ``Facts`` or a ``FactsError`` whose every message
is non-empty Chinese naming its field; never any other exception. Size limits come with clear messages.

Each property runs an explicit number of generated inputs (``max_examples``); ``deadline=None`` because the
machine is shared and a slow example is not a failure.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drafter.facts import (
    LIST_FIELDS,
    MAX_FIGURES,
    MAX_ITEM_CHARS,
    MAX_ITEMS,
    MAX_TARGET,
    MIN_TARGET,
    Facts,
    FactsError,
    validate_facts,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
TEXT_FIELDS = ("genre", "title", "unit", "unit_type", "period", "theme", "signature", "date")
FIELDS = (*TEXT_FIELDS, "figures", *LIST_FIELDS, "target_chars")
PROPERTY = settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))

# --- strategies ----------------------------------------------------------------------------------------

cn_chars = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
any_chars = st.characters(codec="utf-8", exclude_categories=("Cs",))
cn_text = st.text(cn_chars, min_size=1, max_size=12)
numberish = st.one_of(
    st.integers(-10**12, 10**12).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=3).map(str),
    st.sampled_from(["3,650", "１２８６", "一千二百八十六", "86.4亿元", "96.3%", "约三十", "42个", " 15 ", "1e309",
                     "-0", "0.0001", "NaN", "inf", "三十余", "2024-12-20", "", "   ", "12.5万", "十万八千", "百分之九十"]),
)
scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.text(any_chars, max_size=40), cn_text, numberish, st.dates().map(lambda d: d),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)),
)
value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                     max_leaves=8)
figure = st.one_of(
    st.fixed_dictionaries({"label": st.one_of(cn_text, scalar), "value": st.one_of(numberish, scalar)},
                          optional={"unit": st.one_of(st.sampled_from(["个", "名", "万元", "亿元", "%", ""]), scalar),
                                    "extra": scalar}),
    value,
)
field_value: dict[str, Any] = {
    **{name: st.one_of(cn_text, scalar, value) for name in TEXT_FIELDS},
    "genre": st.one_of(st.sampled_from(["工作总结", "汇报材料", "经验材料", "", None]), scalar),
    "date": st.one_of(st.dates().map(str), st.sampled_from(["2024年12月20日", "2024/1/2", "2024-13-40"]), scalar),
    "figures": st.one_of(st.lists(figure, max_size=6), value),
    **{name: st.one_of(st.lists(st.one_of(cn_text, scalar), max_size=5), value) for name in LIST_FIELDS},
    "target_chars": st.one_of(st.integers(-10**6, 10**6), scalar),
}
facts_like = st.one_of(
    st.fixed_dictionaries({"unit": field_value["unit"]},
                          optional={**{k: v for k, v in field_value.items() if k != "unit"},
                                    "unknown_field": value, "Unit": value}),
    st.dictionaries(st.text(max_size=12), value, max_size=6),
    value,
)


# --- the properties ------------------------------------------------------------------------------------


def _assert_clear(err: FactsError) -> None:
    assert err.problems, "a FactsError must say what is wrong"
    for path, message in err.problems:
        assert message.strip(), f"empty message for {path!r}"
        assert CJK.search(message), f"message for {path!r} is not Chinese: {message!r}"
        if path:
            # the message names the field it is about, e.g. "figures[2].value：'约三十' 不是数字"
            assert message.startswith(f"{path}："), (path, message)
    assert str(err).strip()


@PROPERTY
@given(facts_like)
def test_any_input_gives_facts_or_clear_error(data: Any) -> None:
    try:
        facts = validate_facts(data)
    except FactsError as err:
        _assert_clear(err)
        return
    assert isinstance(facts, Facts)
    assert facts.unit.strip()
    # validated facts always survive their own JSON round trip and list their numbers
    again = validate_facts(json.loads(facts.to_json()))
    assert again == facts
    for n in facts.all_numbers():
        assert isinstance(n.value, Decimal)


@PROPERTY
@given(st.lists(figure, max_size=8))
def test_any_figures_list(figures: list[Any]) -> None:
    try:
        facts = validate_facts({"unit": "城关镇党委", "figures": figures})
    except FactsError as err:
        _assert_clear(err)
        for path, _ in err.problems:
            assert path.startswith("figures"), path
        return
    for f in facts.figures:
        assert Decimal(f.value).is_finite() and Decimal(f.value) >= 0


@PROPERTY
@given(st.sampled_from(FIELDS), value)
def test_one_bad_field_is_named(name: str, bad: Any) -> None:
    """Whatever goes wrong with one field, the problem is reported under that field (not elsewhere)."""
    try:
        validate_facts({"unit": "城关镇党委", name: bad} if name != "unit" else {"unit": bad})
    except FactsError as err:
        _assert_clear(err)
        for path, _ in err.problems:
            assert path == name or path.startswith((f"{name}[", f"{name}.")), (name, path)


# --- size limits ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "path", "fragment"),
    [
        ({"figures": [{"label": f"指标{i}", "value": i} for i in range(MAX_FIGURES + 1)]}, "figures",
         f"最多 {MAX_FIGURES} 项，现有 {MAX_FIGURES + 1} 项"),
        *[({name: ["开展学习"] * (MAX_ITEMS + 1)}, name, f"最多 {MAX_ITEMS} 项，现有 {MAX_ITEMS + 1} 项")
          for name in LIST_FIELDS],
        ({"activities": ["长" * (MAX_ITEM_CHARS + 1)]}, "activities[0]",
         f"最多 {MAX_ITEM_CHARS} 字，现有 {MAX_ITEM_CHARS + 1} 字"),
        ({"unit": "单" * 101}, "unit", "最多 100 字，现有 101 字"),
        ({"title": "题" * 101}, "title", "最多 100 字"),
        ({"period": "年" * 51}, "period", "最多 50 字"),
        ({"figures": [{"label": "名" * 51, "value": 1}]}, "figures[0].label", "最多 50 字"),
        ({"figures": [{"label": "党员", "value": 1, "unit": "位" * 21}]}, "figures[0].unit", "最多 20 字"),
        ({"target_chars": MAX_TARGET + 1}, "target_chars", f"{MIN_TARGET}–{MAX_TARGET}"),
        ({"target_chars": MIN_TARGET - 1}, "target_chars", f"{MIN_TARGET}–{MAX_TARGET}"),
    ],
)
def test_size_limits_have_clear_messages(data: dict[str, Any], path: str, fragment: str) -> None:
    with pytest.raises(FactsError) as info:
        validate_facts({"unit": "城关镇党委", **data})
    problems = dict(info.value.problems)
    assert path in problems, problems
    assert fragment in problems[path], problems[path]
    _assert_clear(info.value)


def test_limits_are_inclusive() -> None:
    """Exactly at each limit is accepted: the limits reject only what is over them."""
    facts = validate_facts({
        "unit": "单" * 100, "figures": [{"label": f"指标{i}", "value": i} for i in range(MAX_FIGURES)],
        **{name: ["长" * MAX_ITEM_CHARS] * MAX_ITEMS for name in LIST_FIELDS}, "target_chars": MAX_TARGET,
    })
    assert len(facts.figures) == MAX_FIGURES and len(facts.activities) == MAX_ITEMS


def test_huge_input_is_rejected_quickly_with_every_problem() -> None:
    """A pasted megabyte in every field is refused with one message per field, not a crash or a hang."""
    huge = "党" * 1_000_000
    with pytest.raises(FactsError) as info:
        validate_facts({"unit": huge, "title": huge, "activities": [huge] * 3, "figures": [{"label": huge,
                                                                                            "value": huge}]})
    paths = {p for p, _ in info.value.problems}
    assert {"unit", "title", "activities[0]", "activities[2]", "figures[0].label", "figures[0].value"} <= paths
    _assert_clear(info.value)
    assert all(len(m) < 400 for _, m in info.value.problems), "messages must not echo the megabyte back"


@pytest.mark.parametrize(
    ("data", "path", "fragment"),
    [
        ({"target_chars": float("inf")}, "target_chars", "不是整数"),  # was pydantic's English text
        ({"target_chars": 1.5e97}, "target_chars", "超出范围"),  # was "Unable to parse input string…"
        ({"figures": [{"label": "党员", "value": "9" * 100_000}]}, "figures[0].value", "过长（100000 字）"),
        ({"figures": [{"label": "党员", "value": {"k": "党" * 10_000}}]}, "figures[0].value", "不是数字"),
        ({"figures": [{"label": "党员", "value": -(10**500)}]}, "figures[0].value", "负数"),
    ],
)
def test_regressions_found_by_the_properties(data: dict[str, Any], path: str, fragment: str) -> None:
    with pytest.raises(FactsError) as info:
        validate_facts({"unit": "城关镇党委", **data})
    message = dict(info.value.problems)[path]
    assert fragment in message and len(message) < 200, message
    _assert_clear(info.value)
