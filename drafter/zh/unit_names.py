"""The short name a 公文 uses for its unit once the full name is known: "栗川市望桥街道党工委" → "街道党工委".

A summary names its unit in full in the title, the opening and the first sentence about it, then by the kind of
body and its party organisation ("街道党工委", "局党组", "公司党委", "中心党支部"); a draft that repeats a
ten-character name at the head of every paragraph reads as machine-made. A unit whose name ends on a party
organisation has one; so has a unit named under its parent body ("泊川县市场监督管理局青石铺市场监管所" →
"青石铺市场监管所"), and an office with a standard short name ("澄岭县人力资源和社会保障局" → "县人社局",
``data/office_abbreviations.txt``); "县档案馆" keeps its name.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

__all__ = ["short_unit_name", "shorten_mentions"]

# Party organisations a unit's name ends on, longest first.
PARTY_BODIES = ("纪工委", "党工委", "党总支", "党支部", "党委", "党组", "总支", "支部")
# The kind of body the organisation belongs to, as the short name keeps it (longest first); 中学/小学 are 学校.
BODY_KINDS = ("服务中心", "有限公司", "街道", "社区", "机关", "医院", "卫生院", "学院", "大学", "学校", "中学", "小学",
              "集团", "公司", "中心", "分局", "局", "院", "所", "站", "馆", "处", "厅", "委", "办", "队", "场", "行",
              "社", "镇", "乡", "村", "系", "校")
_SPOKEN = {"服务中心": "中心", "有限公司": "公司", "中学": "学校", "小学": "学校"}
# shorter than this, the full name is short enough to say again
MIN_FULL_CHARS = 6
# A unit named under its parent body ("泊川县市场监督管理局青石铺市场监管所") is called by its own name once known, when
# that saves at least this many characters: "青石铺市场监管所".
MIN_SAVING = 4
_PARENT_END = "局委厅"
_BODY_ENDS = {k[-1] for k in BODY_KINDS}  # what a unit's own name ends on (所, 站, 大队 …)
# levels of government an office's short name keeps ("澄岭县人力资源和社会保障局" → "县人社局")
LEVELS = "省市县区旗州盟"


@cache
def office_abbreviations() -> tuple[tuple[str, str], ...]:
    """(full name, short name) of the offices with a standard short name, longest full name first."""
    pairs = []
    for line in (files("drafter.zh") / "data" / "office_abbreviations.txt").read_text("utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            full, short = line.split()
            pairs.append((full, short))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def office_short_name(unit: str) -> str:
    """"县人社局" for "澄岭县人力资源和社会保障局": the office's standard short name after the level of government
    its full name follows, or "" (no such office at the end of ``unit``, or too little saved)."""
    for full, short in office_abbreviations():
        if unit.endswith(full):
            head = unit[: -len(full)]
            level = head[-1:]
            name = (level if level and level in LEVELS else "") + short
            return name if len(unit) - len(name) >= MIN_SAVING else ""
    return ""


def short_unit_name(unit: str) -> str:
    """The unit's short name, or "" when it has none (no party organisation at its end and no parent body before
    its own name, or nothing shorter)."""
    unit = unit.strip()
    body = next((b for b in PARTY_BODIES if unit.endswith(b)), "")
    if not body:
        cut = max((i for i, ch in enumerate(unit[:-4]) if ch in _PARENT_END), default=-1)
        own = unit[cut + 1:]
        if cut >= 0 and own[-1:] in _BODY_ENDS and len(unit) - len(own) >= MIN_SAVING:
            return own
        return office_short_name(unit)
    if len(unit) < MIN_FULL_CHARS:
        return ""
    rest = unit[: -len(body)]
    kind = next((k for k in BODY_KINDS if rest.endswith(k)), "")
    if not kind:
        return ""
    short = _SPOKEN.get(kind, kind) + body
    return short if len(short) < len(unit) else ""


# A mention of the unit that drops the head of its name ("公安局城西派出所党支部" for "县公安局城西派出所党支部", as the
# model writes it now and then) is a mention too, when it keeps at least this many characters more than the short
# name and stands after punctuation, at the start or after a preposition ("这一做法使城西派出所党支部……"): after
# another character it may be another unit's name ("市公安局城西派出所党支部").
CLIPPED_EXTRA = 2
_BEFORE_CLIPPED = "使为由对向将把让被在和与及"


def _mentions(unit: str, short: str) -> re.Pattern[str]:
    """The unit's full name, or its name with the head clipped (longest first) after a non-CJK character or a
    preposition (``_BEFORE_CLIPPED``)."""
    shortest = max(len(short) + CLIPPED_EXTRA, MIN_FULL_CHARS)
    clipped = [re.escape(unit[i:]) for i in range(1, len(unit) - shortest + 1)]
    alternatives = re.escape(unit) + (f"|(?:(?<![\u4e00-\u9fff])|(?<=[{_BEFORE_CLIPPED}]))(?:{'|'.join(clipped)})"
                                      if clipped else "")
    return re.compile(alternatives)


def shorten_mentions(text: str, unit: str, short: str, keep_first: bool = True) -> str:
    """``text`` with the unit's full name after its first mention (``keep_first``; every mention otherwise)
    said by ``short``; a clipped mention (CLIPPED_EXTRA) is said by ``short`` too, or as the full name where it is
    the first. A mention inside quotes or 《》 stays."""
    if not short:
        return text
    out, pos, seen = [], 0, not keep_first
    for m in _mentions(unit, short).finditer(text):
        quoted = text[:m.start()].count("“") > text[:m.start()].count("”") or \
            text[:m.start()].count("《") > text[:m.start()].count("》")
        out.append(text[pos:m.start()])
        out.append(m.group() if quoted else short if seen else unit)
        seen, pos = True, m.end()
    out.append(text[pos:])
    return "".join(out)
