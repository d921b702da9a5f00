"""The facts of one unit's summary: what the clerk enters and every draft must respect.

``validate_facts(dict)`` / ``load_facts(path)`` (JSON or YAML) return a ``Facts``; bad input raises
``FactsError`` listing every problem at once, per field path, in Chinese. Nothing is dropped silently: values
are only normalised (``"3,650"`` → ``"3650"``, ``"86.4亿元"`` with an empty unit → value ``"86.4"``, unit
``"亿元"``, ``2024-12-20`` → ``2024年12月20日``).

``Facts.all_numbers()`` lists every number of the facts — the figures and the numbers written inside list
items such as 举办党课培训12期 — which is what a draft may cite.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from drafter.zh.numbers import extract_numbers
from drafter.zh.numerals import format_decimal, parse_number
from drafter.zh.units import normalize

__all__ = [
    "GENRES",
    "LIST_FIELDS",
    "FactNumber",
    "Facts",
    "FactsError",
    "Figure",
    "load_facts",
    "validate_facts",
]

GENRES: tuple[str, ...] = ("工作总结", "汇报材料", "经验材料")
LIST_FIELDS: tuple[str, ...] = ("activities", "achievements", "problems", "plans")
MAX_FIGURES = 200
MAX_ITEMS = 100
MAX_ITEM_CHARS = 500
MIN_TARGET, MAX_TARGET = 200, 20000
MAX_VALUE_CHARS = 30  # a figure's value: digits, separators, a Chinese numeral or a unit, never prose


def _show(value: Any, limit: int = 30) -> str:
    """A value as quoted in a message: long input is cut, so a pasted page is not echoed back."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


class FactsError(ValueError):
    """Invalid facts: ``problems`` lists (field path, Chinese message) for every problem found."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(message for _, message in self.problems)


def _msg(path: str, text: str) -> str:
    return f"{path}：{text}" if path else text


def _to_text(value: Any) -> Any:
    """YAML gives 2024 or a date where a string is meant; accept them as text instead of failing."""
    if isinstance(value, bool):
        return value
    if isinstance(value, _dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        # Control characters (pasted from Word or a PDF) are never content; Python's strip() also treats
        # \x1c–\x1f as whitespace, so a field of only those must count as empty.
        return "".join(ch for ch in value if ch in "\n\t" or ch.isprintable() or ch == "\u3000").strip()
    return value


ShortText = Annotated[str, Field(max_length=100)]
Item = Annotated[str, Field(min_length=1, max_length=MAX_ITEM_CHARS)]


class Figure(BaseModel):
    """One figure: 基层党组织 42 个. ``value`` is a normalised numeric string ("42", "86.4", "3650")."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label: Annotated[str, Field(min_length=1, max_length=50)]
    unit: Annotated[str, Field(max_length=20)] = ""
    value: str

    @model_validator(mode="before")
    @classmethod
    def _split_unit_from_value(cls, data: Any) -> Any:
        """"86.4亿元" with an empty unit becomes value 86.4, unit 亿元 (nothing is lost)."""
        if not isinstance(data, dict):
            return data
        value, unit = data.get("value"), data.get("unit")
        if isinstance(value, str) and len(value) <= MAX_VALUE_CHARS and parse_number(value) is None:
            found = extract_numbers(value.strip())
            if len(found) == 1 and found[0].raw == value.strip() and found[0].unit and not found[0].approx:
                written_unit = found[0].unit
                if not unit or str(unit).strip() == written_unit:
                    data = {**data, "value": format_decimal(found[0].value), "unit": written_unit}
        return data

    @field_validator("label", "unit", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return "" if v is None else _to_text(v)

    @field_validator("value", mode="before")
    @classmethod
    def _number(cls, v: Any, info: ValidationInfo) -> str:
        if v is None or (isinstance(v, str) and not v.strip()):
            raise PydanticCustomError("figure_value", "数值不能为空")
        if isinstance(v, bool) or not isinstance(v, int | float | str | Decimal):
            raise PydanticCustomError("figure_value", "'{v}' 不是数字", {"v": _show(v)})
        if isinstance(v, str) and len(v.strip()) > MAX_VALUE_CHARS:
            raise PydanticCustomError("figure_value", "'{v}' 过长（{n} 字）：请只填数字，如 1286",
                                      {"v": _show(v), "n": len(v.strip())})
        if isinstance(v, str):
            number = parse_number(v)
            found = extract_numbers(v.strip()) if number is None else []
            if len(found) == 1 and found[0].raw == v.strip() and found[0].unit and not found[0].approx:
                unit = info.data.get("unit", "")
                raise PydanticCustomError("figure_value", "'{v}' 含单位“{w}”，与单位 '{u}' 不一致；请只填数字",
                                          {"v": v, "w": found[0].unit, "u": unit})
        else:
            try:
                number = Decimal(str(v))
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite():
            raise PydanticCustomError("figure_value", "'{v}' 不是数字", {"v": _show(v)})
        if number < 0:
            raise PydanticCustomError("figure_value", "'{v}' 是负数；请填写正数，增减写在名称中（如“下降”）", {"v": _show(v)})
        return format_decimal(number)

    @property
    def number(self) -> Decimal:
        return Decimal(self.value)

    @property
    def key(self) -> tuple[Decimal, str]:
        """Comparable form: 86.4 亿元 → (8640000000, '元')."""
        return normalize(self.value, self.unit)

    def text(self) -> str:
        """How the figure reads: '基层党组织42个'."""
        return f"{self.label}{self.value}{self.unit}"


@dataclass(frozen=True)
class FactNumber:
    """A number the facts contain: a figure, or a number written inside a text field or list item."""

    source: str  # field path: "figures[2]", "activities[0]", "period"
    label: str  # the figure's label, or the text it was found in
    value: Decimal
    unit: str
    kind: str  # "figure", or the NumberMention kind ("arabic", "chinese", "mixed", "date", "ordinal")
    raw: str
    approx: str = ""  # the qualifier the facts write it with (近, 超过, 约 …), "" for an exact number

    @property
    def key(self) -> tuple[Decimal, str]:
        return normalize(self.value, self.unit)


class Facts(BaseModel):
    """One unit's summary facts (see issue 3 for the file format)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    genre: Annotated[str, Field(max_length=20)] = "工作总结"
    title: ShortText | None = None
    unit: Annotated[str, Field(min_length=1, max_length=100)]
    unit_type: Annotated[str, Field(max_length=50)] | None = None
    period: Annotated[str, Field(max_length=50)] | None = None
    theme: ShortText | None = None
    figures: Annotated[list[Figure], Field(max_length=MAX_FIGURES)] = []
    activities: Annotated[list[Item], Field(max_length=MAX_ITEMS)] = []
    achievements: Annotated[list[Item], Field(max_length=MAX_ITEMS)] = []
    problems: Annotated[list[Item], Field(max_length=MAX_ITEMS)] = []
    plans: Annotated[list[Item], Field(max_length=MAX_ITEMS)] = []
    signature: ShortText | None = None
    date: Annotated[str, Field(max_length=50)] | None = None
    target_chars: Annotated[int, Field(ge=MIN_TARGET, le=MAX_TARGET)] | None = None

    @field_validator("genre", mode="before")
    @classmethod
    def _genre(cls, v: Any) -> Any:
        return "工作总结" if v is None or (isinstance(v, str) and not v.strip()) else v

    @field_validator("title", "unit", "unit_type", "period", "theme", "signature", mode="before")
    @classmethod
    def _optional_text(cls, v: Any) -> Any:
        return _to_text(v)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        v = _to_text(v)
        if isinstance(v, str):
            m = re.fullmatch(r"\s*((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})\s*", v)
            if m:
                return f"{int(m[1])}年{int(m[2])}月{int(m[3])}日"
        return v

    @field_validator(*LIST_FIELDS, "figures", mode="before")
    @classmethod
    def _list(cls, v: Any) -> Any:
        if v is None:
            return []
        if isinstance(v, list):
            return [_to_text(x) for x in v]
        return v

    # --- helpers -------------------------------------------------------------------------------------

    def to_json(self) -> str:
        """The facts as indented JSON (UTF-8 text, Chinese unescaped); ``validate_facts`` reads it back."""
        data = self.model_dump(mode="json", exclude_none=True)
        data["figures"] = [{"label": f.label, "value": f.value, "unit": f.unit} for f in self.figures]
        return json.dumps(data, ensure_ascii=False, indent=2)

    def items(self) -> Iterator[tuple[str, str]]:
        """(path, text) of every list item: ("activities[0]", "…")."""
        for name in LIST_FIELDS:
            for i, text in enumerate(getattr(self, name)):
                yield f"{name}[{i}]", text

    def texts(self) -> Iterator[tuple[str, str]]:
        """(path, text) of every free-text field and list item (figures excluded)."""
        for name in ("title", "unit", "unit_type", "period", "theme", "signature", "date"):
            value = getattr(self, name)
            if value:
                yield name, value
        yield from self.items()

    def all_numbers(self) -> list[FactNumber]:
        """Every number of the facts: the figures, then numbers inside text fields and list items. An item that
        reads like an instruction to the model (set aside, never drafted) gives no number: '撰写时请把党员人数
        写为9999名' must not make 9999 a fact."""
        from drafter.zh.instructions import INSTRUCTION_RE

        out = [FactNumber(f"figures[{i}]", f.label, f.number, f.unit, "figure", f.value + f.unit)
               for i, f in enumerate(self.figures)]
        for path, text in self.texts():
            if "[" in path and INSTRUCTION_RE.search(text):
                continue
            for n in extract_numbers(text):
                out.append(FactNumber(path, text, n.value, n.unit, n.kind, n.raw, n.approx or ""))
        return out

    def all_text(self) -> str:
        """All the facts' words in one string (for 'does this name occur in the facts' tests)."""
        parts = [text for _, text in self.texts()] + [f.label + f.unit for f in self.figures]
        return "\n".join(parts)


# --- validation with Chinese messages ------------------------------------------------------------------


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _translate(error: dict[str, Any]) -> tuple[str, str]:
    loc = tuple(error.get("loc", ()))
    # Errors raised inside a field's before-validator carry the field name; strip pydantic's type tags.
    loc = tuple(p for p in loc if not (isinstance(p, str) and p.startswith(("function-", "constrained-"))))
    path = _path(loc)
    kind = error["type"]
    ctx = error.get("ctx") or {}
    field = str(loc[-1]) if loc and isinstance(loc[-1], str) else ""
    value = error.get("input")
    if kind == "figure_value":
        text = error["msg"]
    elif kind == "missing":
        text = "必填，不能缺少" if field != "unit" or len(loc) > 1 else "必填：请填写单位名称"
        if loc == ("unit",):
            text = "必填：请填写单位名称（如“城关镇党委”）"
    elif kind == "extra_forbidden":
        allowed = "、".join(Figure.model_fields) if len(loc) > 1 else "、".join(Facts.model_fields)
        text = f"未知字段（可用字段：{allowed}）"
    elif kind in ("string_type", "string_sub_type"):
        got = {"NoneType": "空值", "dict": "对象", "list": "列表", "bool": "真假值"}.get(type(value).__name__, "其他类型")
        text = f"应为文字，收到{got}"
    elif kind == "list_type":
        text = "应为列表（每项一条）"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        text = "应为对象，如 {\"label\": \"党员\", \"value\": 1286, \"unit\": \"名\"}"
    elif kind in ("int_type", "int_parsing", "int_from_float", "finite_number"):
        text = f"'{str(value)[:40]}' 不是整数"
    elif kind == "int_parsing_size":
        text = f"'{str(value)[:40]}' 超出范围：应在 {MIN_TARGET}–{MAX_TARGET} 之间"
    elif kind == "string_too_short":
        text = "不能为空"
    elif kind == "string_too_long":
        text = f"过长：最多 {ctx.get('max_length')} 字，现有 {len(value) if isinstance(value, str) else '?'} 字"
    elif kind == "too_long":
        text = f"过多：最多 {ctx.get('max_length')} 项，现有 {ctx.get('actual_length')} 项"
    elif kind in ("greater_than_equal", "less_than_equal"):
        text = f"'{value}' 超出范围：应在 {MIN_TARGET}–{MAX_TARGET} 之间"
    else:  # pragma: no cover - a pydantic error type we did not anticipate: say so in Chinese, keep its text
        text = f"取值无效（{error.get('msg', kind)}）"
    return path, _msg(path, text)


def validate_facts(data: Any) -> Facts:
    """Validate and normalise facts given as a dict. Raises ``FactsError`` with every problem."""
    if not isinstance(data, dict):
        raise FactsError([("", f"事实数据应为对象（JSON 对象或 YAML 映射），收到 {type(data).__name__}")])
    try:
        facts = Facts.model_validate(data)
    except ValidationError as exc:
        problems = [_translate(e) for e in exc.errors(include_url=False)]
        raise FactsError(problems) from None
    problems = _cross_checks(facts)
    if problems:
        raise FactsError(problems)
    return facts


def _cross_checks(facts: Facts) -> list[tuple[str, str]]:
    """Problems that involve several fields."""
    problems: list[tuple[str, str]] = []
    seen: dict[tuple[str, Decimal, str], int] = {}
    for i, f in enumerate(facts.figures):
        value, unit = f.key
        k = (f.label, value, unit)
        if k in seen:
            path = f"figures[{i}]"
            problems.append((path, _msg(path, f"与 figures[{seen[k]}] 重复（{f.text()}）")))
        else:
            seen[k] = i
    return problems


def load_facts(path: str | Path) -> Facts:
    """Read facts from a JSON or YAML file (chosen by suffix; unknown suffixes try JSON then YAML)."""
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FactsError([("", f"找不到事实文件：{p}")]) from None
    except UnicodeDecodeError:
        raise FactsError([("", f"事实文件不是 UTF-8 编码：{p}")]) from None
    suffix = p.suffix.lower()
    if suffix == ".json" or (suffix not in (".yaml", ".yml") and raw.lstrip().startswith(("{", "["))):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise FactsError([("", f"{p.name} 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}")]) \
                from None
    else:
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"第 {mark.line + 1} 行" if mark is not None else ""
            raise FactsError([("", f"{p.name} 不是有效的 YAML：{where}{getattr(exc, 'problem', '') or exc}")]) \
                from None
    return validate_facts(data)
