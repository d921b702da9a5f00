"""Chinese numerals: read and write their values (一千二百八十六 ↔ 1286, 九十六点三 ↔ 96.3, 二〇二四 → 2024).

The one digit table and the one numeral reader of drafter and vectorstore. Writing numbers goes through
cn2an; reading stays local, as cn2an rejects the colloquial elisions of official prose (一亿二) and misreads
others (一亿十万 as 一亿). Callers detect the spans themselves: a whole-text transform breaks words like 统一.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import cn2an

__all__ = [
    "DIGITS",
    "DIGIT_VALUES",
    "FULLWIDTH",
    "NUMERAL_CHARS",
    "YEAR_DIGITS",
    "cn_to_int",
    "format_decimal",
    "parse_cn_int",
    "parse_cn_number",
    "parse_cn_year",
    "parse_number",
    "to_chinese",
]

DIGITS = "零一二三四五六七八九"  # the digit for each value, as to_chinese writes it
_LEGAL_DIGITS = str.maketrans(DIGITS, "零壹贰叁肆伍陆柒捌玖")
DIGIT_VALUES: dict[str, int] = {"〇": 0, **{ch: i for i, ch in enumerate(DIGITS)}, "两": 2}
NUMERAL_CHARS = "".join(DIGIT_VALUES) + "十百千万亿"
# Year digits of a sign-off date as documents write them: ○ (a circle) and Ｏ (a letter) stand for 〇.
YEAR_DIGITS = "〇零○Ｏ一二三四五六七八九"
FULLWIDTH = str.maketrans("０１２３４５６７８９％．，", "0123456789%.,")

_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_SCALES = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "万": Decimal(10) ** 4}


def _positional(s: str) -> int:
    """二〇二四 → 2024: digits read one by one."""
    value = 0
    for ch in s:
        value = value * 10 + DIGIT_VALUES[ch]
    return value


def parse_cn_int(s: str) -> int | None:
    """一千二百八十六 → 1286, 二〇二四 → 2024, 三万五 → 35000; None when malformed."""
    if not s:
        return None
    if all(ch in DIGIT_VALUES for ch in s):
        if len(s) == 1:
            return DIGIT_VALUES[s]
        if "两" in s or (len(s) < 3 and "〇" not in s and "零" not in s):
            return None  # 三五个 is "three to five", not 35
        return _positional(s)
    result = section = 0
    number: int | None = None
    last_unit = 0  # multiplier of the last unit char seen, for 一千二 (= 1200) / 三万五 (= 35000)
    after_zero = False
    for ch in s:
        if ch in DIGIT_VALUES:
            if number is not None:
                return None  # two digits in a row (一二 inside a non-positional numeral)
            if DIGIT_VALUES[ch] == 0:
                after_zero = True
                continue
            number = DIGIT_VALUES[ch]
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
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


_CN_NUMBER_RE = re.compile(rf"(?P<int>[{NUMERAL_CHARS}]+)(?:点(?P<frac>[〇{DIGITS}]+))?(?P<scale>万亿|亿|万)?")


def parse_cn_number(s: str) -> Decimal | None:
    """Value of a Chinese numeral: 一千二百八十六 → 1286, 九十六点三 → 96.3, 十二点五亿 → 1250000000."""
    m = _CN_NUMBER_RE.fullmatch(s)
    if not m:
        return None
    whole = parse_cn_int(m["int"])
    if whole is None:
        return None
    value = Decimal(whole)
    if m["frac"]:
        value += Decimal("0." + "".join(str(DIGIT_VALUES[ch]) for ch in m["frac"]))
    if m["scale"]:
        value *= _SCALES[m["scale"]]
    return value


def parse_number(text: str) -> Decimal | None:
    """A number written alone: '42', '3,650', '86.4', '１２', '一千二百八十六', '九十六点三'. None otherwise."""
    s = text.strip().translate(FULLWIDTH)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", s):
        try:
            return Decimal(s.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern guarantees a valid literal
            return None
    return parse_cn_number(s)


_SMALL_NUMERAL = re.compile(r"(?:(?P<h>[一二两三四五六七八九])百(?P<z>[零〇])?)?(?:(?P<t>[一二三四五六七八九])?(?P<ten>十))?"
                            r"(?P<u>[一二三四五六七八九])?")
_SMALL_CHARS = frozenset("〇零一二两三四五六七八九十百")


def cn_to_int(s: str) -> int | None:
    """Value of a small Chinese numeral, an ordinal of a heading or an enumeration: 一..九十九 (and up to
    九百九十九), 〇/零 digit strings such as 二〇.

    Returns None when ``s`` is not such a numeral (empty, other characters, malformed like 十十).
    """
    if not s or any(ch not in _SMALL_CHARS for ch in s):
        return None
    if "十" not in s and "百" not in s:
        # Digit string: a single digit, or a positional form with 〇/零 (一〇 = 10, 二〇 = 20).
        if len(s) == 1:
            return DIGIT_VALUES[s]
        if ("〇" in s or "零" in s) and s[0] not in "〇零":
            return _positional(s)
        return None
    m = _SMALL_NUMERAL.fullmatch(s)
    if not m:
        return None
    if m["z"] and (m["ten"] or not m["u"]):  # 一百零五 is a numeral; 一百零十 / 一百零 are not
        return None
    value = DIGIT_VALUES[m["h"]] * 100 if m["h"] else 0
    if m["ten"]:
        value += (DIGIT_VALUES[m["t"]] if m["t"] else 1) * 10
    if m["u"]:
        value += DIGIT_VALUES[m["u"]]
    return value


def parse_cn_year(raw: str) -> int | None:
    """The year of a sign-off date: 2010 or 二〇一〇 → 2010; damaged 二一二 → 2012 (a dropped 〇); None when
    unreadable."""
    if raw.isdigit():
        return int(raw)
    digits = "".join(str(DIGIT_VALUES[c]) for c in raw.replace("○", "〇").replace("Ｏ", "〇")
                     if c in DIGIT_VALUES and c != "两")
    if len(digits) == 3 and digits[0] in "12":
        digits = digits[0] + "0" + digits[1:]
    if len(digits) == 4 and 1900 <= int(digits) <= 2100:
        return int(digits)
    return None


def format_decimal(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros: 8.64E+9 → '8640000000', 86.40 → '86.4'."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def to_chinese(value: int | Decimal, *, legal: bool = False) -> str:
    """Write a non-negative number in Chinese numerals: 1286 → 一千二百八十六, 96.3 → 九十六点三, 15 → 十五.
    ``legal`` writes the digits in their anti-fraud forms as Word's legal numbering does (12 → 十贰)."""
    value = Decimal(value)
    if value < 0:
        raise ValueError("negative numbers are not written in Chinese numerals here")
    text = cn2an.an2cn(format_decimal(value))
    return text.translate(_LEGAL_DIGITS) if legal else text
