"""The outline as editable text and back.

    标题：青山镇2024年创先争优活动总结
    导语：2024年以来，……
    一、基本情况（约180字）
      数据：基层党组织42个
    二、主要做法（约500字）
      （一）开展“亮身份、作承诺”活动
      要点：开展“亮身份、作承诺”活动，党员公开承诺事项
    三、存在问题
      【待补】
    落款：中共青山镇委员会
    日期：2024年12月20日

Parsing keeps each section's key and type when its title (or, failing that, its position) matches the
previous outline, so the engine keeps finished and locked sections; a new section's type is classified
from its title. Problems come back as Chinese messages with line numbers.
"""

from __future__ import annotations

import re

from drafter.outline import PLACEHOLDER, Outline, OutlineSection
from drafter.zh.numerals import to_chinese
from vectorstore.classify import classify_section

MAX_SECTIONS = 8
_H1 = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]\s*(?P<title>.+?)\s*(?:[（(]约\s*(?P<n>\d+)\s*字[）)])?\s*$")
_H2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]\s*(?P<title>.+?)\s*$")
_FIELD = re.compile(r"^(?P<name>标题|导语|落款|日期|数据|要点)\s*[：:]\s*(?P<value>.*)$")


class OutlineTextError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def outline_to_text(outline: Outline) -> str:
    lines = [f"标题：{outline.title}", f"导语：{outline.opening}"]
    for i, sec in enumerate(outline.sections):
        size = f"（约{sec.target_chars}字）" if sec.target_chars and not sec.placeholder else ""
        lines.append(f"{to_chinese(i + 1)}、{sec.title}{size}")
        lines += [f"  （{to_chinese(j + 1)}）{s}" for j, s in enumerate(sec.subheadings)]
        lines += [f"  数据：{f}" for f in sec.figures]
        lines += [f"  要点：{x}" for x in sec.items]
        if sec.placeholder:
            lines.append(f"  {PLACEHOLDER}")
    lines += [f"落款：{outline.signature}", f"日期：{outline.date}"]
    return "\n".join(lines)


def text_to_outline(text: str, previous: Outline) -> Outline:
    """Parse edited outline text; raises OutlineTextError listing every problem."""
    problems: list[str] = []
    top = {"标题": previous.title, "导语": previous.opening, "落款": previous.signature, "日期": previous.date}
    parsed: list[dict] = []
    for n, raw in enumerate(str(text or "").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        field = _FIELD.match(line)
        if field and field["name"] in top:
            top[field["name"]] = field["value"].strip()
            continue
        h1 = _H1.match(line)
        if h1:
            parsed.append({"title": h1["title"].strip(), "n": int(h1["n"]) if h1["n"] else None, "subs": [],
                           "figures": [], "items": [], "placeholder": False, "line": n})
            continue
        if not parsed:
            problems.append(f"第{n}行：“{line[:20]}”不在任何一节之下（节标题应写成“一、标题”）")
            continue
        sec = parsed[-1]
        h2 = _H2.match(line)
        if field and field["name"] == "数据":
            if field["value"].strip():
                sec["figures"].append(field["value"].strip())
        elif field and field["name"] == "要点":
            if field["value"].strip():
                sec["items"].append(field["value"].strip())
        elif h2:
            sec["subs"].append(h2["title"])
        elif line == PLACEHOLDER:
            sec["placeholder"] = True
        else:
            problems.append(f"第{n}行：无法识别“{line[:20]}”（可写“（一）小标题”“数据：…”“要点：…”或“{PLACEHOLDER}”）")
    if not top["标题"].strip():
        problems.append("标题不能为空")
    if not parsed:
        problems.append("提纲至少要有一节（写成“一、标题”）")
    if len(parsed) > MAX_SECTIONS:
        problems.append(f"提纲最多 {MAX_SECTIONS} 节，现有 {len(parsed)} 节")
    for sec in parsed:
        if sec["n"] is not None and not 30 <= sec["n"] <= 5000:
            problems.append(f"第{sec['line']}行：字数 {sec['n']} 应在 30–5000 之间")
    if problems:
        raise OutlineTextError(problems)
    return Outline(genre=previous.genre, title=top["标题"].strip(), opening=top["导语"].strip(),
                   sections=_match_sections(parsed, previous.sections), signature=top["落款"].strip(),
                   date=top["日期"].strip())


def _match_sections(parsed: list[dict], old: list[OutlineSection]) -> list[OutlineSection]:
    used: set[int] = set()
    chosen: list[OutlineSection | None] = []
    for sec in parsed:  # same title first
        j = next((j for j, o in enumerate(old) if j not in used and o.title == sec["title"]), None)
        if j is not None:
            used.add(j)
        chosen.append(old[j] if j is not None else None)
    for i in range(len(parsed)):  # then the same position
        if chosen[i] is None and i < len(old) and i not in used:
            used.add(i)
            chosen[i] = old[i]
    out, taken = [], {o.key for o in old}
    for sec, base in zip(parsed, chosen, strict=True):
        if base is not None:
            key, section_type, target = base.key, base.section_type, base.target_chars
        else:
            key = next(f"custom{n}" for n in range(1, 100) if f"custom{n}" not in taken)
            taken.add(key)
            section_type = classify_section(sec["title"]) or "其他"
            target = 300
        placeholder = sec["placeholder"] and not sec["items"] and not sec["figures"]
        out.append(OutlineSection(key=key, section_type=section_type, title=sec["title"], items=sec["items"],
                                  figures=sec["figures"], subheadings=sec["subs"], placeholder=placeholder,
                                  target_chars=0 if placeholder else (sec["n"] or target or 300)))
    return out
