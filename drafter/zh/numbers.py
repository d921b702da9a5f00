"""Numbers in Chinese official prose: find them and compare them.

Used by the draft checks (invented / missing figures) and by the corpus pipeline (figures metadata).

``extract_numbers(text)`` returns every number written as

* Arabic digits: ``1286``, ``96.3%``, ``3,650``;
* Chinese numerals: ``一千二百八十六名``, ``百分之九十六点三``, ``二〇二四年``;
* mixed: ``1.2万``, ``3650万元``, ``百分之96.3``;

each with its measure word or unit (个, 名, 万元, %, 个百分点 …) and a normalised comparable form
(``drafter.zh.units``): ``86.4亿元``, ``864000万元`` and ``8640000000元`` all have the key
``(8640000000, "元")``.

Only spans recognised as numeric are converted (a whole-text transform corrupts 一是, 统一, 三会一课); their
values are read by ``drafter.zh.numerals``. A Chinese numeral counts only when a unit or measure word follows
it (so 一线, 统一, 一是 are not numbers), and set phrases (``data/set_phrases.txt``, 十九届四中全会 …) are
skipped, as are heading ordinals (一、 （二） 3.). Dates (2024年, 二〇二四年, 12月20日) are returned with
``kind="date"`` and ordinals (第3名) with ``kind="ordinal"`` so callers decide what to do with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files

from drafter.zh.headings import match_heading
from drafter.zh.numerals import (
    DIGIT_VALUES,
    DIGITS,
    FULLWIDTH,
    NUMERAL_CHARS,
    format_decimal,
    parse_cn_number,
)
from drafter.zh.units import SCALE_NAMES, SCALES, UNITS, normalize, split_unit

__all__ = ["SET_PHRASES", "NumberMention", "extract_numbers"]

# ---------------------------------------------------------------------------------------------------------
# Set phrases: numerals inside these are part of a name or idiom, not quantities.

SET_PHRASES: tuple[str, ...] = tuple(
    line.strip() for line in (files("drafter.zh") / "data" / "set_phrases.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
_SET_PHRASE_PATTERNS = (
    r"[一二三四五六七八九十]{1,3}届[一二三四五六七八九十]{1,2}中全会",
    r"[一二三四五六七八九十]{1,2}中全会",
    r"(?:党的)?[十二][一二三四五六七八九十]?大(?:精神|报告|代表|召开|以来|胜利|提出|部署|作出|强调|闭幕|开幕)?",
    r"[一二三四五六七八九十]+是",
    r"[一二三四五六七八九十千万\d]+分之[一二三四五六七八九十百\d]+",
    # hotlines (12345热线, 96110反诈热线, 拨打110): service numbers, not quantities
    r"\d{3,6}(?=(?:政务服务|便民服务|市民服务|服务|市民|便民|反诈|政务|维权|投诉|举报|报警|急救)?(?:热线|专线|平台|电话))",
    r"(?<=拨打)\d{3,6}",
)
_SET_RE = re.compile(
    r"(?<![零〇一二两三四五六七八九十百千万亿\d])(?:"
    + "|".join([*_SET_PHRASE_PATTERNS, *map(re.escape, sorted(SET_PHRASES, key=len, reverse=True))])
    + ")"
)


# ---------------------------------------------------------------------------------------------------------
# Extraction


@dataclass(frozen=True)
class NumberMention:
    """One number in a text. ``value`` is the numeral as written (86.4 in 86.4亿元), ``unit`` as written."""

    value: Decimal
    unit: str
    raw: str
    span: tuple[int, int]
    kind: str  # "arabic" | "chinese" | "mixed" | "date" | "ordinal"
    approx: str = ""  # 余 / 多 / 约 / 近 / 以上 …: the number is not exact

    @property
    def key(self) -> tuple[Decimal, str]:
        """Comparable form: (value in the base unit, base unit)."""
        return normalize(self.value, self.unit)

    @property
    def normalized(self) -> str:
        """The comparable form as text, e.g. '8640000000元', '96.3%'."""
        value, unit = self.key
        return format_decimal(value) + unit

    def to_dict(self) -> dict[str, object]:
        return {"value": format_decimal(self.value), "unit": self.unit, "raw": self.raw, "span": list(self.span),
                "kind": self.kind, "approx": self.approx, "normalized": self.normalized}


_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN_RUN = rf"[{NUMERAL_CHARS}]+(?:点[〇{DIGITS}]+(?:万亿|亿|万)?)?"
_SPACES = " \t\u3000\u00a0"
_UNIT_FIRST_CHARS = frozenset(u[0] for u in UNITS) | frozenset("余多") | frozenset(_SPACES)
_UNIT_FIRST_CLASS = "".join(sorted(re.escape(c) for c in _UNIT_FIRST_CHARS))
# A Chinese run only matches when a unit may follow (or it ends with 万/亿, or 百分之 precedes it): most
# numeral characters sit inside ordinary words (统一, 一是) and are rejected by the regex engine itself.
_TOKEN_RE = re.compile(
    rf"(?P<pct>百分之)?(?:(?P<arabic>(?<![\dA-Za-z.])(?:{_ARABIC})(?![\dA-Za-z]))"
    rf"|(?P<cn>{_CN_RUN})(?(pct)|(?:(?=[{_UNIT_FIRST_CLASS}])|(?<=[万亿]))))"
)
_ISO_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_TIME_RE = re.compile(r"(?<!\d)\d{1,2}[:：]\d{2}(?:[:：]\d{2})?(?!\d)")
_PREFIX_APPROX = ("将近", "大约", "超过", "不到", "不足", "近", "约", "逾")
_SUFFIX_APPROX = ("以上", "左右", "以下", "余", "多")
# Words ending in 约/近 that are no approximation: the character before the qualifier.
_NOT_APPROX = {"约": tuple("签节制契合预公条相履违特邀"), "近": tuple("最附就邻靠亲")}
_UNIT_AT = re.compile("|".join(map(re.escape, UNITS)))  # longest first, as UNITS is sorted
_SCALE_AT = re.compile("|".join(map(re.escape, SCALE_NAMES)))
_SET_WINDOW = 12  # longer than any set phrase: a phrase overlapping a number lies within this margin
_LINE_LEAD = " \t\u3000\u00a0（("


class _Skipper:
    """Decides lazily, per candidate, whether it lies in a set phrase, a time or a heading marker."""

    def __init__(self, text: str):
        self.text = text
        self.lines: dict[int, tuple[int, int] | None] = {}

    def __call__(self, start: int, end: int) -> bool:
        text = self.text
        lo, hi = max(0, start - _SET_WINDOW), min(len(text), end + _SET_WINDOW)
        for m in _SET_RE.finditer(text, lo, hi):
            if m.start() < end and start < m.end():
                return True
        for m in _TIME_RE.finditer(text, lo, hi):
            if m.start() < end and start < m.end():
                return True
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].strip(_LINE_LEAD) == "":
            marker = self._marker(line_start)
            if marker is not None and marker[0] < end and start < marker[1]:
                return True
        return False

    def _marker(self, line_start: int) -> tuple[int, int] | None:
        if line_start not in self.lines:
            line_end = self.text.find("\n", line_start)
            line = self.text[line_start:line_end if line_end >= 0 else len(self.text)]
            h = match_heading(line)
            span = None
            if h is not None:
                idx = line.find(h.marker)
                span = (line_start + idx, line_start + idx + len(h.marker)) if idx >= 0 else None
            self.lines[line_start] = span
        return self.lines[line_start]


def _may_start_unit(text: str, pos: int) -> bool:
    return pos < len(text) and text[pos] in _UNIT_FIRST_CHARS


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _read_unit(text: str, pos: int, *, arabic: bool) -> tuple[str, str, int]:
    """Read [scale][余|多][unit] at ``pos``. Returns (unit as written without 余/多, qualifier, end)."""
    p = pos
    while p < len(text) and text[p] in _SPACES and p - pos < 2:
        p += 1
    m = _UNIT_AT.match(text, p)  # a unit written as a whole word first (千克, 千米), then scale + unit
    if m:
        return m.group(), "", m.end()
    scale = ""
    if arabic:
        sm = _SCALE_AT.match(text, p)
        if sm:
            scale, p = sm.group(), sm.end()
    qualifier = ""
    if text.startswith(("余", "多"), p):
        qualifier, p = text[p], p + 1
    m = _UNIT_AT.match(text, p)
    if m:
        return scale + m.group(), qualifier, m.end()
    if scale or qualifier:
        return scale, qualifier, p
    return "", "", pos


def extract_numbers(text: str) -> list[NumberMention]:
    """Every number in ``text``, in order, with units, spans and kinds (see the module docstring)."""
    return list(_extract(text))


@lru_cache(maxsize=4096)
def _extract(text: str) -> tuple[NumberMention, ...]:
    probe = text.translate(FULLWIDTH)  # same length: offsets stay valid
    skip = _Skipper(probe)
    mentions: list[NumberMention] = []
    taken: list[tuple[int, int]] = []

    for m in _ISO_DATE_RE.finditer(probe):
        for g, unit in ((1, "年"), (2, "月"), (3, "日")):
            mentions.append(NumberMention(Decimal(m[g]), unit, text[m.start(g):m.end(g)], (m.start(g), m.end(g)),
                                          "date"))
        taken.append((m.start(), m.end()))

    consumed = 0
    n = len(probe)
    for m in _TOKEN_RE.finditer(probe):
        start, end = m.span()
        if m.lastgroup == "cn" and end < n and probe[end] not in _UNIT_FIRST_CHARS and probe[end - 1] not in "万亿" \
                and not m.group("pct"):
            continue  # the common case: 一/二/十 inside ordinary words, with no unit after
        if start < consumed or (taken and _overlaps(taken, start, end)):
            continue
        mention = _mention(text, probe, m, skip, mentions)
        if mention is not None:
            mentions.append(mention)
            consumed = mention.span[1]
    mentions.sort(key=lambda x: x.span)
    return tuple(_inherit_range_units(probe, mentions))


def _mention(text: str, probe: str, m: re.Match[str], skip: _Skipper,
             previous: list[NumberMention]) -> NumberMention | None:
    start = m.start()
    pct = bool(m["pct"])
    if m["arabic"]:
        if skip(m.start("arabic"), m.end("arabic")):
            return None
        value = Decimal(m["arabic"].replace(",", ""))
        if pct:
            unit, qualifier, end = "%", "", m.end()
        else:
            unit, qualifier, end = _read_unit(probe, m.end(), arabic=True)
        kind = "mixed" if pct or split_unit(unit)[0] != 1 else "arabic"
    else:
        run, cn_start = m["cn"], m.start("cn")
        if not pct and not _may_start_unit(probe, m.end("cn")) and not run.endswith(("万", "亿")):
            return None  # 一是, 统一, 二十大: no unit follows, so no number (checked before costlier tests)
        if skip(cn_start, m.end("cn")):
            return None
        # A trailing scale (八十六点四亿元, 两万人) belongs to the unit, as in 86.4亿元.
        scale = next((sc for sc in ("万亿", "亿", "万") if run.endswith(sc) and len(run) > len(sc)), "")
        if scale:
            run = run[: -len(scale)]
        parsed = Decimal(100) if pct and run == "百" else parse_cn_number(run)  # 百分之百
        if parsed is None:
            return None
        value = parsed
        if pct:
            if scale:
                value *= SCALES[scale]
            unit, qualifier, end = "%", "", m.end()
        else:
            after, qualifier, end = _read_unit(probe, cn_start + len(run) + len(scale), arabic=False)
            unit = scale + after
            if not unit:
                return None  # a Chinese numeral without unit: 一是, 统一, 二十大 …
        kind = "chinese"
    if not qualifier:
        qualifier = next((q for q in ("以上", "左右", "以下") if probe.startswith(q, end)), "")
    if not qualifier:
        before = probe[max(0, start - 2):start]
        qualifier = next((q for q in _PREFIX_APPROX if before.endswith(q)), "")
        if qualifier in _NOT_APPROX and before[:-1].endswith(_NOT_APPROX[qualifier]):
            qualifier = ""  # 签约9860人, 节约, 预约; 最近3年, 附近
    if start > 0 and probe[start - 1] == "第":
        kind = "ordinal"
    elif _is_date(value, unit, m, probe, end, previous):
        kind = "date"
        if unit == "号":
            unit = "日"
    return NumberMention(value=value, unit=unit, raw=text[start:end], span=(start, end), kind=kind,
                         approx=qualifier)


def _is_date(value: Decimal, unit: str, m: re.Match[str], probe: str, end: int,
             previous: list[NumberMention]) -> bool:
    if unit == "年" and not probe.startswith(("级", "来"), end):
        if m["arabic"] and value == value.to_integral() and 1900 <= value <= 2100 and len(m["arabic"]) == 4:
            return True
        run = m["cn"] or ""
        return len(run) == 4 and all(ch in DIGIT_VALUES for ch in run)
    if unit == "月" and value == value.to_integral() and 1 <= value <= 12:
        return True
    if unit == "日" and value == value.to_integral() and 1 <= value <= 31:
        return True
    # 12月20号: 号 is a day only right after a month (12号文件 is not a date)
    return unit == "号" and bool(previous) and previous[-1].unit == "月" and previous[-1].span[1] == m.start()


def _inherit_range_units(probe: str, mentions: list[NumberMention]) -> list[NumberMention]:
    """In 3-5个 / 三至五个 the first number takes the second's unit."""
    out = list(mentions)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a.unit or not b.unit or a.kind != b.kind:
            continue
        gap = probe[a.span[1]:b.span[0]]
        if gap in ("-", "~", "～", "—", "–", "至", "到", "—-"):
            out[i] = NumberMention(a.value, b.unit, a.raw, a.span, a.kind, a.approx)
    return out

