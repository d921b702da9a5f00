"""Units and measure words of quantities, and the comparable form of a quantity.

``86.4亿元``, ``864000万元`` and ``8640000000元`` all normalise to ``(8640000000, "元")``; 名 and 位 count as
人, ％ as %, 公斤 as 千克.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

__all__ = ["SCALES", "SCALE_NAMES", "UNITS", "canonical_unit", "normalize", "same_quantity", "split_unit"]

SCALES: dict[str, Decimal] = {
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
SCALE_NAMES = tuple(sorted(SCALES, key=len, reverse=True))


@lru_cache(maxsize=4096)
def split_unit(unit: str) -> tuple[Decimal, str]:
    """'亿元' → (10**8, '元'); '万' → (10**4, ''); '个党支部' → (1, '个'); '千克' → (1, '千克')."""
    unit = unit.strip()
    if unit in _UNIT_ALIASES:
        unit = _UNIT_ALIASES[unit]
    for u in UNITS:
        if unit.startswith(u):
            return Decimal(1), _UNIT_ALIASES.get(u, u)
    for s in SCALE_NAMES:
        if unit.startswith(s):
            rest = unit[len(s):]
            scale, base = split_unit(rest) if rest else (Decimal(1), "")
            return SCALES[s] * scale, base
    return Decimal(1), unit


def canonical_unit(unit: str) -> str:
    """The base unit that quantities are compared in: 亿元 → 元, 名 → 人, ％ → %, 个党支部 → 个."""
    return split_unit(unit)[1]


@lru_cache(maxsize=16384)
def normalize(value: Decimal | int | str, unit: str) -> tuple[Decimal, str]:
    """Comparable form of a quantity: (86.4, '亿元') → (Decimal('8640000000'), '元')."""
    scale, base = split_unit(unit)
    return (Decimal(value) * scale).normalize(), base


def same_quantity(a: tuple[Decimal | int | str, str], b: tuple[Decimal | int | str, str]) -> bool:
    """True when two (value, unit) pairs denote the same quantity, e.g. (86.4, 亿元) and (864000, 万元)."""
    va, ua = normalize(*a)
    vb, ub = normalize(*b)
    return va == vb and ua == ub
