"""Numbers in Chinese official prose: find them, read them, compare them.

Used by the draft checks (invented / missing figures) and by the corpus pipeline (figures metadata).

``extract_numbers(text)`` returns every number written as

* Arabic digits: ``1286``, ``96.3%``, ``3,650``;
* Chinese numerals: ``一千二百八十六名``, ``百分之九十六点三``, ``二〇二四年``;
* mixed: ``1.2万``, ``3650万元``, ``百分之96.3``;

each with its measure word or unit (个, 名, 万元, %, 个百分点 …) and a normalised comparable form:
``86.4亿元``, ``864000万元`` and ``8640000000元`` all have the key ``(8640000000, "元")``.

Only spans recognised as numeric are converted (a whole-text transform corrupts 一是, 统一, 三会一课).
A Chinese numeral counts only when a unit or measure word follows it (so 一线, 统一, 一是 are not numbers),
and set phrases (三个代表, 五个好, 十九届四中全会 …) are skipped, as are heading ordinals (一、 （二） 3.).
Dates (2024年, 二〇二四年, 12月20日) are returned with ``kind="date"`` and ordinals (第3名) with
``kind="ordinal"`` so callers decide what to do with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from drafter.headings import match_heading

__all__ = [
    "SET_PHRASES",
    "NumberMention",
    "canonical_unit",
    "extract_numbers",
    "format_decimal",
    "normalize",
    "parse_cn_number",
    "parse_number",
    "same_quantity",
    "to_chinese",
]

# ---------------------------------------------------------------------------------------------------------
# Chinese numerals

_CN_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9}
_CN_SMALL_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_CHARS = "".join(_CN_DIGIT) + "十百千万亿"


def _parse_cn_int(s: str) -> int | None:
    """一千二百八十六 → 1286, 二〇二四 → 2024, 三万五 → 35000; None when malformed."""
    if not s:
        return None
    if all(ch in _CN_DIGIT for ch in s):
        if len(s) == 1:
            return _CN_DIGIT[s]
        if "两" in s or (len(s) < 3 and "〇" not in s and "零" not in s):
            return None  # 三五个 is "three to five", not 35
        return int("".join(str(_CN_DIGIT[ch]) for ch in s))
    result = section = 0
    number: int | None = None
    last_unit = 0  # multiplier of the last unit char seen, for 一千二 (= 1200) / 三万五 (= 35000)
    after_zero = False
    for ch in s:
        if ch in _CN_DIGIT:
            if number is not None:
                return None  # two digits in a row (一二 inside a non-positional numeral)
            if _CN_DIGIT[ch] == 0:
                after_zero = True
                continue
            number = _CN_DIGIT[ch]
        elif ch in _CN_SMALL_UNIT:
            unit = _CN_SMALL_UNIT[ch]
            if number is None:
                if ch != "十":
                    return None  # 百 / 千 need a digit: 百姓, 千方百计 are not numbers
                number = 1
            section += number * unit
            number = None
            last_unit = unit
            after_zero = False
        elif ch == "万":
            if number is None and section == 0:
                return None
            section += number or 0
            result += section * 10**4
            section, number, last_unit, after_zero = 0, None, 10**4, False
        elif ch == "亿":
            if number is None and section == 0 and result == 0:
                return None
            result = (result + section + (number or 0)) * 10**8
            section, number, last_unit, after_zero = 0, None, 10**8, False
        else:
            return None
    if number is not None:
        if last_unit >= 10 and not after_zero:
            number *= last_unit // 10
        section += number
    return result + section


_CN_NUMBER_RE = re.compile(rf"(?P<int>[{_CN_CHARS}]+)(?:点(?P<frac>[〇零一二三四五六七八九]+))?(?P<scale>万亿|亿|万)?")


def parse_cn_number(s: str) -> Decimal | None:
    """Value of a Chinese numeral: 一千二百八十六 → 1286, 九十六点三 → 96.3, 十二点五亿 → 1250000000."""
    m = _CN_NUMBER_RE.fullmatch(s)
    if not m:
        return None
    whole = _parse_cn_int(m["int"])
    if whole is None:
        return None
    value = Decimal(whole)
    if m["frac"]:
        value += Decimal("0." + "".join(str(_CN_DIGIT[ch]) for ch in m["frac"]))
    if m["scale"]:
        value *= _SCALES[m["scale"]]
    return value


def to_chinese(value: int | Decimal) -> str:
    """Write a non-negative number in Chinese numerals: 1286 → 一千二百八十六, 96.3 → 九十六点三, 15 → 十五."""
    value = Decimal(value)
    if value < 0:
        raise ValueError("negative numbers are not written in Chinese numerals here")
    text = format_decimal(value)
    whole, _, frac = text.partition(".")
    out = _int_to_chinese(int(whole))
    if frac:
        out += "点" + "".join("零一二三四五六七八九"[int(d)] for d in frac)
    return out


def _int_to_chinese(n: int) -> str:
    if n == 0:
        return "零"
    digits = "零一二三四五六七八九"

    def four(k: int) -> str:
        out, zero = "", False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = k // unit % 10
            if d == 0:
                zero = bool(out)
                continue
            if zero:
                out += "零"
                zero = False
            out += digits[d] + name
        return out

    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out, pending_zero = "", False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            pending_zero = bool(out)
            continue
        if out and (pending_zero or g < 1000):
            out += "零"
        pending_zero = False
        out += four(g) + ("", "万", "亿", "万亿")[i]
    return out[1:] if out.startswith("一十") else out


# ---------------------------------------------------------------------------------------------------------
# Units and normalisation

_SCALES: dict[str, Decimal] = {
    "万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "千万": Decimal(10) ** 7, "百万": Decimal(10) ** 6,
    "十万": Decimal(10) ** 5, "万": Decimal(10) ** 4, "千": Decimal(10) ** 3,
}

# Units and measure words, matched longest first. 千米/千克/千瓦 are units, not 千 × 米.
UNITS: tuple[str, ...] = tuple(sorted({
    "个百分点", "百分点", "%", "‰", "个月", "个工作日", "个", "名", "人次", "户次", "场次", "家次", "人", "位", "次",
    "期", "项", "家", "所", "户", "场", "篇", "条", "座", "支", "批", "件", "份", "本", "册", "处", "亩", "吨", "小时",
    "天", "周年", "周", "年", "月", "日", "岁", "届", "类", "种", "套", "台", "辆", "间", "张", "幅", "块", "枚", "面", "组",
    "队", "班", "层", "栋", "首", "部", "集", "轮", "遍", "趟", "回", "分钟", "分", "秒", "倍", "平方公里",
    "平方米", "立方米", "公里", "千米", "千克", "公斤", "千瓦时", "千瓦", "公顷", "米", "元", "美元", "床", "例",
    "起", "宗", "笔", "单", "门", "课时", "学时", "节", "堂", "期次", "号", "村", "镇", "乡", "章", "段", "句", "点", "卷", "页", "箱", "盒", "幢", "头", "只", "株", "棵", "口", "孔",
}, key=len, reverse=True))

_UNIT_ALIASES = {"％": "%", "百分之": "%", "百分点": "个百分点", "公斤": "千克", "名": "人", "位": "人",
                 "千米": "公里"}
_SCALE_NAMES = tuple(sorted(_SCALES, key=len, reverse=True))


@lru_cache(maxsize=4096)
def _split_unit(unit: str) -> tuple[Decimal, str]:
    """'亿元' → (10**8, '元'); '万' → (10**4, ''); '个党支部' → (1, '个'); '千克' → (1, '千克')."""
    unit = unit.strip()
    if unit in _UNIT_ALIASES:
        unit = _UNIT_ALIASES[unit]
    for u in UNITS:
        if unit.startswith(u):
            return Decimal(1), _UNIT_ALIASES.get(u, u)
    for s in _SCALE_NAMES:
        if unit.startswith(s):
            rest = unit[len(s):]
            scale, base = _split_unit(rest) if rest else (Decimal(1), "")
            return _SCALES[s] * scale, base
    return Decimal(1), unit


def canonical_unit(unit: str) -> str:
    """The base unit that quantities are compared in: 亿元 → 元, 名 → 人, ％ → %, 个党支部 → 个."""
    return _split_unit(unit)[1]


@lru_cache(maxsize=16384)
def normalize(value: Decimal | int | str, unit: str) -> tuple[Decimal, str]:
    """Comparable form of a quantity: (86.4, '亿元') → (Decimal('8640000000'), '元')."""
    scale, base = _split_unit(unit)
    return (Decimal(value) * scale).normalize(), base


def same_quantity(a: tuple[Decimal | int | str, str], b: tuple[Decimal | int | str, str]) -> bool:
    """True when two (value, unit) pairs denote the same quantity, e.g. (86.4, 亿元) and (864000, 万元)."""
    va, ua = normalize(*a)
    vb, ub = normalize(*b)
    return va == vb and ua == ub


def format_decimal(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros: 8.64E+9 → '8640000000', 86.40 → '86.4'."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def parse_number(text: str) -> Decimal | None:
    """A number written alone: '42', '3,650', '86.4', '１２', '一千二百八十六', '九十六点三'. None otherwise."""
    s = text.strip().translate(_FULLWIDTH)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", s):
        try:
            return Decimal(s.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern guarantees a valid literal
            return None
    return parse_cn_number(s)


# ---------------------------------------------------------------------------------------------------------
# Set phrases: numerals inside these are part of a name or idiom, not quantities.

SET_PHRASES: tuple[str, ...] = (
    "三个代表", "五个好", "五带头", "三会一课", "两学一做", "第一议题", "一岗双责", "三重一大", "三严三实",
    "四个意识", "四个自信", "两个维护", "两个确立", "四个全面", "五位一体", "四风", "八项规定", "两个责任",
    "一把手", "一线", "统一", "一起", "一致", "一切", "一些", "一定", "一般", "一直", "一道", "一同", "一律",
    "一贯", "一体", "一流", "进一步", "唯一", "同一", "万一", "一方面", "一带一路", "两新", "两委", "两代表一委员",
    "三农", "一次性", "一站式", "一对一", "一帮一", "千家万户", "千方百计", "万众一心", "百年", "百姓", "十分",
    "十四五", "十三五", "十二五", "一心一意", "一以贯之", "一如既往", "一丝不苟", "三令五申", "五湖四海",
    "四面八方", "七上八下", "一五一十", "一年来", "一年一度", "一批批", "一个个", "一次次", "一项项",
    "三大攻坚战", "两不愁三保障", "三资", "四议两公开", "一事一议", "三务公开", "两个结合", "一票否决",
    "一盘棋", "一张蓝图", "一手抓", "两手抓", "一肩挑", "一村一品", "一人一岗", "第一书记", "第一责任人",
    "第一时间", "第一次", "第一位", "五星级", "三星级", "四星级", "两岗", "一岗", "十佳", "百佳", "十大",
    "三方面", "两方面", "多方面", "半年", "双百",
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

_FULLWIDTH = str.maketrans("０１２３４５６７８９％．，", "0123456789%.,")


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
_CN_RUN = rf"[{_CN_CHARS}]+(?:点[〇零一二三四五六七八九]+(?:万亿|亿|万)?)?"
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
_SCALE_AT = re.compile("|".join(map(re.escape, _SCALE_NAMES)))
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
    probe = text.translate(_FULLWIDTH)  # same length: offsets stay valid
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
        kind = "mixed" if pct or _split_unit(unit)[0] != 1 else "arabic"
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
                value *= _SCALES[scale]
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
        return len(run) == 4 and all(ch in _CN_DIGIT for ch in run)
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

