"""The facts form: raw form values ↔ facts dicts, and validation errors placed next to their field.

A form is a dict keyed by ``FORM_FIELDS``: text fields are strings, ``figures`` a table of rows
``[名称, 数值, 单位]``, the four list fields one item per line, ``target_chars`` a number or empty. The raw
form is what gets autosaved, so an invalid entry is never lost; ``check_form`` validates it with
``drafter.facts`` and maps each problem to the form field (and the table row or line) it concerns.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from drafter.facts import LIST_FIELDS, Facts, FactsError, validate_facts

TEXT_FIELDS = ("genre", "title", "unit", "unit_type", "period", "theme", "signature", "date")
FORM_FIELDS = (
    "genre", "title", "unit", "unit_type", "period", "theme", "figures",
    *LIST_FIELDS, "signature", "date", "target_chars",
)  # fmt: skip
FIGURE_HEADERS = ["名称", "数值", "单位"]
FIGURE_COLUMNS = {"label": "名称", "value": "数值", "unit": "单位"}
FIELD_NAMES = {
    "genre": "文种", "title": "标题", "unit": "单位名称", "unit_type": "单位类型", "period": "时间范围",
    "theme": "主题", "figures": "数据", "activities": "主要工作", "achievements": "成效",
    "problems": "问题不足", "plans": "下一步打算", "signature": "落款", "date": "日期", "target_chars": "目标字数",
}  # fmt: skip
GENERAL = "_general"  # problems that belong to no single field
EMPTY_FIGURE_ROWS = 3


def empty_form() -> dict[str, Any]:
    form: dict[str, Any] = dict.fromkeys(FORM_FIELDS, "")
    form["genre"] = "工作总结"
    form["figures"] = [["", "", ""] for _ in range(EMPTY_FIGURE_ROWS)]
    form["target_chars"] = None
    return form


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float) and value != value:  # NaN from an empty pandas cell
        return ""
    return str(value).strip()


def normalise_rows(rows: Any) -> list[list[str]]:
    """Table rows as lists of three strings (accepts lists, tuples, a pandas frame or gradio's dict form)."""
    if rows is None:
        return []
    if hasattr(rows, "values") and hasattr(rows, "columns"):  # pandas.DataFrame
        rows = rows.values.tolist()
    elif isinstance(rows, dict) and "data" in rows:
        rows = rows["data"]
    out = []
    for row in rows or []:
        cells = [_cell(c) for c in (list(row) if isinstance(row, list | tuple) else [row])]
        out.append(([*cells, "", "", ""])[:3])
    return out


def normalise_form(values: dict[str, Any]) -> dict[str, Any]:
    """A complete form dict from whatever the UI (or a saved session) gave; unknown keys are dropped."""
    form = empty_form()
    for name in FORM_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name == "figures":
            form[name] = normalise_rows(value)
        elif name == "target_chars":
            form[name] = _target_value(value)
        else:
            form[name] = "" if value is None else str(value)
    return form


def _target_value(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _lines(text: str) -> list[tuple[int, str]]:
    """(line number from 1, item) for each non-empty line."""
    return [(n, line.strip()) for n, line in enumerate(str(text or "").splitlines(), 1) if line.strip()]


@dataclass
class FormData:
    """The facts dict built from a form, with where each list entry came from (for error placement)."""

    data: dict[str, Any]
    figure_rows: list[int] = field(default_factory=list)  # figures[i] came from table row figure_rows[i] (1-based)
    item_lines: dict[str, list[int]] = field(default_factory=dict)  # activities[i] came from line item_lines[..][i]


def form_to_data(form: dict[str, Any]) -> FormData:
    form = normalise_form(form)
    data: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        text = form[name].strip()
        if text:
            data[name] = text
    figures, rows = [], []
    for n, (label, value, unit) in enumerate(form["figures"], 1):
        if label or value or unit:
            figures.append({"label": label, "value": value, "unit": unit})
            rows.append(n)
    if figures:
        data["figures"] = figures
    lines: dict[str, list[int]] = {}
    for name in LIST_FIELDS:
        entries = _lines(form[name])
        if entries:
            data[name] = [text for _, text in entries]
            lines[name] = [n for n, _ in entries]
    target = form["target_chars"]
    if target is not None:
        data["target_chars"] = _target_number(target)
    return FormData(data, rows, lines)


def _target_number(value: Any) -> Any:
    """An integral number as int; anything else is passed on for the facts validator to reject in Chinese."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return str(value)
    return int(number) if number == number.to_integral_value() else str(value)


def is_blank(form: dict[str, Any]) -> bool:
    """Nothing entered but the default genre (empty table rows do not count)."""
    return all(name == "genre" for name in form_to_data(form).data)


@dataclass
class FormCheck:
    facts: Facts | None
    errors: dict[str, list[str]]  # form field (or GENERAL) → Chinese messages
    data: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.facts is not None


_PATH = re.compile(r"^(?P<field>[a-z_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<sub>[a-z_]+))?$")


def _place(path: str, message: str, built: FormData) -> tuple[str, str]:
    """(form field, message saying where in the field) for one FactsError problem."""
    text = message[len(path) + 1 :] if path and message.startswith(path + "：") else message
    m = _PATH.match(path or "")
    if not m or m["field"] not in FORM_FIELDS:
        return GENERAL, message
    name, index, sub = m["field"], m["index"], m["sub"]
    if index is None:
        return name, text
    i = int(index)
    if name == "figures":
        row = built.figure_rows[i] if i < len(built.figure_rows) else i + 1
        col = f"“{FIGURE_COLUMNS[sub]}”" if sub in FIGURE_COLUMNS else ""
        text = re.sub(r"figures\[(\d+)\]", lambda g: f"第{_row_of(built, int(g[1]))}行", text)
        return name, f"第{row}行{col}：{text}"
    line_numbers = built.item_lines.get(name, [])
    line = line_numbers[i] if i < len(line_numbers) else i + 1
    return name, f"第{line}行：{text}"


def _row_of(built: FormData, i: int) -> int:
    return built.figure_rows[i] if i < len(built.figure_rows) else i + 1


def check_form(form: dict[str, Any]) -> FormCheck:
    """Validate the form; every problem is placed under its field, nothing is dropped."""
    built = form_to_data(form)
    try:
        facts = validate_facts(built.data)
    except FactsError as exc:
        errors: dict[str, list[str]] = {}
        for path, message in exc.problems:
            name, text = _place(path, message, built)
            errors.setdefault(name, []).append(text)
        return FormCheck(None, errors, built.data)
    return FormCheck(facts, {}, built.data)


def facts_to_form(data: Facts | dict[str, Any]) -> dict[str, Any]:
    """A form showing ``data`` (valid facts or a raw dict read from a file — shown as far as it goes)."""
    if isinstance(data, Facts):
        data = json.loads(data.to_json())
    form = empty_form()
    for name in TEXT_FIELDS:
        value = data.get(name)
        if value is not None and not isinstance(value, list | dict):
            form[name] = str(value)
    rows = []
    for fig in data.get("figures") or []:
        if isinstance(fig, dict):
            rows.append([_cell(fig.get("label")), _cell(fig.get("value")), _cell(fig.get("unit"))])
        elif isinstance(fig, list | tuple):
            rows.append((([_cell(c) for c in fig]) + ["", "", ""])[:3])
    form["figures"] = [*rows, ["", "", ""]]  # a free row to type into
    for name in LIST_FIELDS:
        items = data.get(name) or []
        if isinstance(items, str):
            items = [items]
        if isinstance(items, list):
            form[name] = "\n".join(str(x) for x in items if x is not None)
    form["target_chars"] = _target_value(data.get("target_chars"))
    return form


def unknown_fields(data: dict[str, Any]) -> list[str]:
    return [k for k in data if k not in FORM_FIELDS]


def parse_facts_file(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """(facts dict, None) or (None, Chinese error) for an uploaded facts JSON file."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "事实文件不是 UTF-8 编码，请另存为 UTF-8 后再导入"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}"
    if not isinstance(data, dict):
        return None, "事实文件应为 JSON 对象（{…}），而不是列表或单个值"
    return data, None


def form_json(form: dict[str, Any]) -> tuple[str, FormCheck]:
    """The facts as JSON for download: normalised when valid, else the raw entries (nothing lost)."""
    result = check_form(form)
    if result.facts is not None:
        return result.facts.to_json(), result
    return json.dumps(result.data, ensure_ascii=False, indent=2), result


def facts_fingerprint(facts: Facts) -> str:
    return facts.to_json()
