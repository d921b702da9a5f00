"""Form ↔ facts: conversion, validation errors placed next to their field (row / line), nothing lost."""

from __future__ import annotations

import json

import pytest

from drafter.facts import validate_facts
from drafter.webapp.form import (
    FORM_FIELDS,
    GENERAL,
    check_form,
    empty_form,
    facts_to_form,
    form_json,
    form_to_data,
    normalise_form,
    parse_facts_file,
)
from drafter.webapp.presets import SAMPLE_FACTS


def good_form(**changes):
    form = empty_form()
    form.update(unit="青山镇党委", unit_type="乡镇", period="2024年", theme="创先争优",
                figures=[["基层党组织", "42", "个"], ["", "", ""], ["党员", "1,286", "名"]],
                activities="举办党课培训12期\n\n  设立党员先锋岗  ", achievements="群众满意度明显提升",
                signature="中共青山镇委员会", date="2024-12-20", target_chars="1200")
    form.update(changes)
    return form


def test_valid_form_builds_normalised_facts():
    result = check_form(good_form())
    assert result.ok and result.errors == {}
    facts = result.facts
    assert [f.text() for f in facts.figures] == ["基层党组织42个", "党员1286名"]  # empty row skipped, 1,286 → 1286
    assert facts.activities == ["举办党课培训12期", "设立党员先锋岗"]  # blank line dropped, spaces stripped
    assert facts.date == "2024年12月20日"
    assert facts.target_chars == 1200


def test_errors_name_the_table_row_and_column_the_user_sees():
    form = good_form(figures=[["党员", "很多", "名"], ["", "", ""], ["", "5", "个"]], unit="  ")
    result = check_form(form)
    assert not result.ok
    assert result.errors["unit"] == ["必填：请填写单位名称（如“城关镇党委”）"]
    figures = result.errors["figures"]
    assert any(m.startswith("第1行“数值”：") and "不是数字" in m for m in figures), figures
    assert any(m.startswith("第3行“名称”：") for m in figures), figures  # row 3 of the table, not figures[1]


def test_list_errors_name_the_line_number():
    long_item = "很" * 501
    result = check_form(good_form(activities=f"第一项\n\n{long_item}"))
    assert result.errors["activities"] == ["第3行：过长：最多 500 字，现有 501 字"]


def test_target_chars_errors():
    assert check_form(good_form(target_chars="abc")).errors["target_chars"][0].endswith("不是整数")
    assert "超出范围" in check_form(good_form(target_chars="50")).errors["target_chars"][0]
    assert check_form(good_form(target_chars="1200.0")).facts.target_chars == 1200
    assert check_form(good_form(target_chars="")).facts.target_chars is None


def test_duplicate_figures_are_reported_on_the_figures_field():
    result = check_form(good_form(figures=[["党员", "5", "名"], ["党员", "5", "名"]]))
    assert result.errors["figures"] == ["第2行：与 第1行 重复（党员5名）"]


def test_every_problem_is_placed_and_none_is_dropped():
    form = good_form(unit="", date="x" * 60, figures=[["a", "-3", ""]], plans="y" * 600)
    result = check_form(form)
    placed = sum(len(v) for v in result.errors.values())
    assert placed == 4
    assert set(result.errors) <= {*FORM_FIELDS, GENERAL}


def test_form_round_trips_through_facts():
    facts = check_form(good_form()).facts
    again = check_form(facts_to_form(facts)).facts
    assert again == facts


def test_facts_to_form_keeps_invalid_values_visible():
    data = {"unit": "", "figures": [{"label": "党员", "value": "很多", "unit": "名"}], "activities": "只有一条",
            "target_chars": 5}
    form = facts_to_form(data)
    assert form["figures"][0] == ["党员", "很多", "名"]
    assert form["activities"] == "只有一条"
    assert form["target_chars"] == 5
    assert not check_form(form).ok


def test_normalise_form_accepts_gradio_shapes():
    form = normalise_form({"figures": {"data": [["党员", 1286.0, "名"], [None, float("nan"), None]],
                                       "headers": ["名称", "数值", "单位"]}, "target_chars": 1200.0,
                           "unexpected": "dropped"})
    assert form["figures"] == [["党员", "1286", "名"], ["", "", ""]]
    assert form["target_chars"] == 1200
    assert "unexpected" not in form


def test_parse_facts_file_errors_are_chinese_and_specific():
    assert parse_facts_file(b"\xff\xfe\x00bad")[1] == "事实文件不是 UTF-8 编码，请另存为 UTF-8 后再导入"
    assert "第 1 行第 2 列" in parse_facts_file(b"{,}")[1]
    assert parse_facts_file(b"[1, 2]")[1].startswith("事实文件应为 JSON 对象")
    data, problem = parse_facts_file(json.dumps({"unit": "某单位"}, ensure_ascii=False).encode("utf-8-sig"))
    assert problem is None and data == {"unit": "某单位"}


def test_form_json_saves_normalised_or_raw():
    text, result = form_json(good_form())
    assert result.ok and validate_facts(json.loads(text)) == result.facts
    text, result = form_json(good_form(figures=[["党员", "很多", "名"]]))
    assert not result.ok and json.loads(text)["figures"] == [{"label": "党员", "value": "很多", "unit": "名"}]


@pytest.mark.parametrize("name", list(SAMPLE_FACTS))
def test_presets_are_valid_facts(name):
    result = check_form(facts_to_form(SAMPLE_FACTS[name]))
    assert result.ok, result.errors


def test_form_to_data_records_where_entries_came_from():
    built = form_to_data(good_form())
    assert built.figure_rows == [1, 3]
    assert built.item_lines["activities"] == [1, 3]
