"""The facts model: normalisation, every problem reported at once per field path, JSON/YAML loading."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from drafter.facts import Facts, FactsError, load_facts, validate_facts

CASES = Path(__file__).resolve().parent.parent / "evals" / "cases"


def minimal(**extra: object) -> dict[str, object]:
    return {"unit": "城关镇党委", **extra}


def test_minimal_facts_get_defaults() -> None:
    f = validate_facts(minimal())
    assert f.genre == "工作总结"
    assert f.figures == [] and f.activities == [] and f.problems == []
    assert f.target_chars is None


@pytest.mark.parametrize(
    ("value", "unit", "want_value", "want_unit"),
    [(42, "个", "42", "个"), ("86.4", "亿元", "86.4", "亿元"), ("3,650", "万元", "3650", "万元"), (86.4, "亿元", "86.4", "亿元"),
     ("86.40", "亿元", "86.4", "亿元"), ("１２８６", "名", "1286", "名"), ("一千二百八十六", "名", "1286", "名"),
     ("86.4亿元", "", "86.4", "亿元"), ("96.3%", None, "96.3", "%"), ("42个", "个", "42", "个"), (" 15 ", "个", "15", "个")],
)
def test_figure_values_are_normalised(value: object, unit: str | None, want_value: str, want_unit: str) -> None:
    fig = {"label": "数据", "value": value}
    if unit is not None:
        fig["unit"] = unit
    f = validate_facts(minimal(figures=[fig]))
    assert (f.figures[0].value, f.figures[0].unit) == (want_value, want_unit)


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    data = {
        "unit": "", "foo": 1, "target_chars": 50, "activities": "一条文字而非列表",
        "figures": [{"label": "a", "value": "约三十"}, {"label": "", "value": True},
                    {"label": "b", "value": "86.4亿元", "unit": "万元"}, "x", {"label": "c", "value": -3, "unit": "%"}],
        "plans": ["", "长" * 600], "problems": [None],
    }
    with pytest.raises(FactsError) as info:
        validate_facts(data)
    problems = dict(info.value.problems)
    assert problems["figures[0].value"] == "figures[0].value：'约三十' 不是数字"
    assert problems["unit"].startswith("unit：")
    assert "未知字段" in problems["foo"]
    assert "200–20000" in problems["target_chars"]
    assert "列表" in problems["activities"]
    assert problems["figures[1].label"] == "figures[1].label：不能为空"
    assert "不是数字" in problems["figures[1].value"]
    assert "不一致" in problems["figures[2].value"] and "亿元" in problems["figures[2].value"]
    assert "对象" in problems["figures[3]"]
    assert "负数" in problems["figures[4].value"]
    assert problems["plans[0]"] == "plans[0]：不能为空"
    assert "最多 500 字" in problems["plans[1]"]
    assert "空值" in problems["problems[0]"]
    assert len(info.value.problems) == 13
    text = str(info.value)
    assert all(msg in text for _, msg in info.value.problems)
    assert text.count("\n") == 12


def test_missing_unit_is_required() -> None:
    with pytest.raises(FactsError) as info:
        validate_facts({"genre": "工作总结"})
    assert info.value.problems[0][0] == "unit"
    assert "单位" in info.value.problems[0][1]


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [("figures", [{"label": f"数据{i}", "value": i, "unit": "个"} for i in range(201)], "最多 200 项"),
     ("activities", [f"做法{i}" for i in range(101)], "最多 100 项"),
     ("title", "题" * 101, "最多 100 字"),
     ("target_chars", 20001, "200–20000"),
     ("target_chars", "很多", "不是整数")],
)
def test_size_limits(field: str, value: object, fragment: str) -> None:
    with pytest.raises(FactsError) as info:
        validate_facts(minimal(**{field: value}))
    assert info.value.problems[0][0] == field
    assert fragment in info.value.problems[0][1]


def test_unit_length_limit() -> None:
    with pytest.raises(FactsError) as info:
        validate_facts({"unit": "单" * 101})
    assert info.value.problems == [("unit", "unit：过长：最多 100 字，现有 101 字")]


def test_duplicate_figures_are_reported_not_dropped() -> None:
    figs = [{"label": "党员", "value": 1286, "unit": "名"}, {"label": "党员", "value": "1,286", "unit": "名"}]
    with pytest.raises(FactsError) as info:
        validate_facts(minimal(figures=figs))
    assert info.value.problems[0][0] == "figures[1]"
    assert "重复" in info.value.problems[0][1]


def test_non_dict_input() -> None:
    with pytest.raises(FactsError) as info:
        validate_facts(["not", "a", "dict"])
    assert "对象" in str(info.value)


def test_all_numbers_include_numbers_inside_items() -> None:
    f = validate_facts(minimal(
        figures=[{"label": "党员", "value": 1286, "unit": "名"}],
        activities=["举办党课培训12期", "开展主题党日活动"],
        achievements=["两个村被评为先进，获奖金三万元"],
        date="2024年12月20日",
    ))
    found = {(n.source, n.value, n.unit, n.kind) for n in f.all_numbers()}
    assert ("figures[0]", Decimal(1286), "名", "figure") in found
    assert ("activities[0]", Decimal(12), "期", "arabic") in found
    assert ("achievements[0]", Decimal(3), "万元", "chinese") in found
    assert ("date", Decimal(2024), "年", "date") in found
    assert not any(n.source == "activities[1]" for n in f.all_numbers())


def test_to_json_roundtrip_and_key_order() -> None:
    f = validate_facts(minimal(figures=[{"unit": "亿元", "value": "86.4", "label": "营业收入"}], plans=["计划一"],
                               date="2024-12-20", period=2024))
    text = f.to_json()
    data = json.loads(text)
    assert list(data["figures"][0]) == ["label", "value", "unit"]
    assert data["date"] == "2024年12月20日"
    assert data["period"] == "2024"
    assert "营业收入" in text  # Chinese is not escaped
    assert validate_facts(data) == f


def test_load_json_and_yaml(tmp_path: Path) -> None:
    yaml_text = (
        "unit: 城关镇党委\n"
        "date: 2024-12-20\n"
        "figures:\n"
        "  - {label: 营业收入, value: 86.4, unit: 亿元}\n"
        "  - {label: 党员, value: 1286, unit: 名}\n"
        "activities:\n  - 举办党课培训12期\n"
    )
    (tmp_path / "f.yaml").write_text(yaml_text, encoding="utf-8")
    f = load_facts(tmp_path / "f.yaml")
    assert f.date == "2024年12月20日"
    assert [(x.value, x.unit) for x in f.figures] == [("86.4", "亿元"), ("1286", "名")]
    (tmp_path / "f.json").write_text(f.to_json(), encoding="utf-8")
    assert load_facts(tmp_path / "f.json") == f


def test_load_errors_are_specific(tmp_path: Path) -> None:
    with pytest.raises(FactsError, match="找不到事实文件"):
        load_facts(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text('{"unit": "x",\n "figures": [}', encoding="utf-8")
    with pytest.raises(FactsError, match=r"不是有效的 JSON：第 2 行"):
        load_facts(tmp_path / "bad.json")
    (tmp_path / "bad.yaml").write_text("unit: [unclosed\n", encoding="utf-8")
    with pytest.raises(FactsError, match="不是有效的 YAML"):
        load_facts(tmp_path / "bad.yaml")
    (tmp_path / "gbk.json").write_bytes('{"unit": "城关镇"}'.encode("gbk"))
    with pytest.raises(FactsError, match="UTF-8"):
        load_facts(tmp_path / "gbk.json")


def test_unknown_genre_is_kept() -> None:
    assert validate_facts(minimal(genre="述职报告")).genre == "述职报告"
    assert validate_facts(minimal(genre="")).genre == "工作总结"


def test_all_eval_cases_are_valid_facts() -> None:
    files = sorted(CASES.glob("*.json"))
    assert len(files) >= 12
    genres = set()
    unit_types = set()
    for path in files:
        facts = load_facts(path)
        assert isinstance(facts, Facts)
        genres.add(facts.genre)
        unit_types.add(facts.unit_type)
    assert genres >= {"工作总结", "汇报材料", "经验材料"}
    assert len(unit_types) >= 6
