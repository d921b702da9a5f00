"""The months a summary's period covers: 2024年上半年 → 2024, months 1–6; 2025年前三季度 → 1–9; 2024年1—9月 → 1–9.

Used by the numbers check: "截至2024年12月" in a summary of 2024年上半年 is a date outside the period, the same
class of error as a wrong year. A period that names no part of its year (2024年, 2023—2025年) limits no month.
"""

from __future__ import annotations

import re

from drafter.zh.numerals import cn_to_int

_YEAR = re.compile(r"(?:19|20)\d{2}(?=年)")
_HALF = re.compile(r"([上下])半年")
_QUARTERS_TO = re.compile(r"前([一二三1-3])(?:个)?季度")
_QUARTER = re.compile(r"第?([一二三四1-4])季度")
_MONTH_RANGE = re.compile(r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*[-—–~～至到]\s*(\d{1,2}|[一二三四五六七八九十]{1,3})月")


def _int(s: str) -> int | None:
    return int(s) if s.isdigit() else cn_to_int(s)


def period_months(period: str | None) -> tuple[int, frozenset[int]] | None:
    """(year, the months it covers) when ``period`` is one year and names a part of it; None otherwise."""
    years = {int(y) for y in _YEAR.findall(period or "")}
    if len(years) != 1:
        return None
    year, text = years.pop(), period or ""
    if m := _HALF.search(text):
        return year, frozenset(range(1, 7) if m.group(1) == "上" else range(7, 13))
    if (m := _QUARTERS_TO.search(text)) and (n := _int(m.group(1))):
        return year, frozenset(range(1, 3 * n + 1))
    if (m := _QUARTER.search(text)) and (n := _int(m.group(1))):
        return year, frozenset(range(3 * n - 2, 3 * n + 1))
    if (m := _MONTH_RANGE.search(text)) and (a := _int(m.group(1))) and (b := _int(m.group(2))) and 1 <= a <= b <= 12:
        return year, frozenset(range(a, b + 1))
    return None
