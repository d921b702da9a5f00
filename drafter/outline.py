"""Stage 2 — outline: the genre's skeleton filled with the facts, as data a user can edit before writing.

The skeleton per genre lives in ``SKELETONS``; which sections are required comes from the checks' rules
(``drafter.checks.rules``), so the outline and the structure check cannot disagree. Policy for missing
facts, stated once here: a section whose facts are empty is left out when the genre does not require it
(存在问题 / 下一步打算 without problems / plans); a required section without facts gets the placeholder
【待补】 in its body, so the clerk sees what to add and no text is invented for it.

Figures are assigned to a section by their label: counts of what the unit *has* (党组织, 党员, 职工…) go to
基本情况, everything else (收入, 满意度, 培训…) to 取得成效; numbers inside list items stay with their item, and a
result figure that counts what an activity ends on joins that activity (``_told_with_their_activity``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from drafter.checks.length import count_chars
from drafter.checks.rules import genre_rule
from drafter.facts import Facts
from drafter.figure_roles import ACTION_LABEL, split_figures
from drafter.frames import MEASURE_MAX_CHARS, section_frame, stated_in, theme_words
from drafter.zh.instructions import looks_like_instruction
from drafter.zh.units import SCALE_NAMES, UNITS

PLACEHOLDER = "【待补】"

# key, canonical section type, heading title, the facts list that feeds it
SKELETONS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "工作总结": (
        ("basic", "基本情况", "基本情况", "figures"),
        ("practice", "主要做法", "主要做法", "activities"),
        ("results", "取得成效", "取得成效", "achievements"),
        ("problems", "存在问题", "存在问题", "problems"),
        ("plans", "下一步打算", "下一步工作打算", "plans"),
    ),
    "汇报材料": (
        ("basic", "基本情况", "基本情况", "figures"),
        ("practice", "主要做法", "主要工作开展情况", "activities"),
        ("results", "取得成效", "取得的成效", "achievements"),
        ("problems", "存在问题", "存在的问题", "problems"),
        ("plans", "下一步打算", "下一步打算", "plans"),
    ),
}
REQUIRED_KEYS_FALLBACK = ("practice", "results")
MAX_SUBSECTIONS = 6
# A long draft has room for more practices of their own: one sub-section per SUBSECTION_CHARS of its target, up
# to MAX_SUBSECTIONS_LONG. The rest of the activities share the last one ("其他工作"), where a model call writes four
# of them in a line each: a 3,000-字 summary of 40 activities was 5 practices and 35 lines (2,374 字, the 1.5B
# writes a practice paragraph of 150–250 字 whatever its share of 513).
SUBSECTION_CHARS, MAX_SUBSECTIONS_LONG = 375, 8
# A draft this short or shorter gets the brief opening and 基本情况 frames; below SUBPIECE_MIN_CHARS of text
# per item a section is one paragraph (一是……二是……), not sub-sections with headings of their own.
SHORT_TARGET = 600
SUBPIECE_MIN_CHARS = 60
# 经验材料: one level-1 section per practice, each with a themed heading; a practice section needs this much
# text of its own, or the practices share fewer sections.
PRACTICE_MIN_CHARS = 150
# The sections are asked for this much of the target: the embedded model writes short (24 eval cases at
# targets of exactly the target: 0.73–1.23 of it, median 0.92, 4 short of the length check's 0.8), and
# what is over the check's maximum is trimmed afterwards (finalize), what is under cannot be. With the framed
# sections at their frames' exact length, the whole surplus falls to the sections the model writes (at 1.1×,
# 6 cases: their 主要做法 reached 0.8–0.9 of its share, 2 drafts short of the check's 0.8; at 1.3× over all
# sections, a 1,500-字 draft took 188 s and padded with repeats).
LENGTH_AIM = 1.2
# No model section is asked for more than this per item of its facts: what the facts cannot carry is not
# written (an 8,393-字 target with two activities asked the 0.5B model for 4,000 字 a piece, and one draft
# took over 14 minutes); the eval cases ask at most 766 per item.
MAX_ITEM_CHARS = 800


@dataclass
class OutlineSection:
    key: str
    section_type: str
    title: str  # heading text without its number: "主要做法"
    items: list[str] = field(default_factory=list)  # facts list items this section must reflect
    figures: list[str] = field(default_factory=list)  # figures (as text: 基层党组织42个) it must contain
    subheadings: list[str] = field(default_factory=list)  # （一）… titles; item i of a sub-section = items[i]
    placeholder: bool = False  # no facts for a required section: body is 【待补】
    target_chars: int = 300

    @property
    def task(self) -> str:
        return TASKS.get(self.section_type, "围绕本节主题展开论述")


# The task line of write_section; a 主要做法 piece with its items and 经验体会 have templates of their own
# (writing.piece_prompt).
TASKS = {
    "基本情况": "概述单位基本情况和总体工作情况，写明全部数据",
    "主要做法": "写清楚这项工作是怎么做的、用了什么载体、带来什么变化",
    "取得成效": "写明取得的成效，用数据说话",
    "存在问题": "实事求是地写明存在的问题和不足，只写问题，不写整改措施",
    "下一步打算": "以“下一步，我们将”开头，写明下一步的工作打算和措施，语气坚定",
}


@dataclass
class Outline:
    genre: str
    title: str
    opening: str
    sections: list[OutlineSection]
    signature: str = ""
    date: str = ""
    set_aside: list[str] = field(default_factory=list)  # instruction-like items kept out of the draft

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Outline:
        sections = [OutlineSection(**s) for s in data.get("sections", [])]
        return cls(genre=data.get("genre", "工作总结"), title=data.get("title", ""), opening=data.get("opening", ""),
                   sections=sections, signature=data.get("signature", ""), date=data.get("date", ""),
                   set_aside=list(data.get("set_aside", [])))


def default_title(facts: Facts) -> str:
    if facts.title:
        return facts.title
    period = facts.period or ""
    theme = theme_words(facts)
    if facts.genre == "汇报材料":
        return f"{facts.unit}关于{period}{theme or '工作'}情况的汇报"
    if facts.genre == "经验材料":
        return f"{facts.unit}{theme or '工作'}经验材料"
    suffix = "工作总结" if not theme.endswith(("总结", "工作")) else "总结"
    if theme.endswith("活动"):
        suffix = "总结"
    return f"{facts.unit}{period}{theme}{suffix}"


OPENING_FRAMES = {
    "工作总结": "现将有关情况总结如下：",
    "汇报材料": "现将有关情况汇报如下：",
    "经验材料": "主要做法如下：",
}


def is_short(facts: Facts) -> bool:
    """A draft asked for at most ``SHORT_TARGET`` characters: its fixed frames are brief."""
    return bool(facts.target_chars) and facts.target_chars <= SHORT_TARGET


def default_opening(facts: Facts) -> str:
    """A fixed-format opening paragraph; the facts fill it, no model is involved."""
    words = theme_words(facts)
    theme = f"围绕{words}" if words else "围绕中心工作"
    frame = OPENING_FRAMES.get(facts.genre, "现将有关情况报告如下：")
    if is_short(facts):  # one clause: the 基本情况 frame says how the year went
        if facts.genre == "经验材料":
            return f"{facts.period + '，' if facts.period else ''}{facts.unit}{theme}扎实开展工作，{frame}"
        what = f"{words}工作" if words and not words.endswith(("工作", "活动")) else (words or "工作")
        verb = "汇报" if facts.genre == "汇报材料" else "总结"
        return f"现将{facts.unit}{facts.period or ''}{what}情况{verb}如下："
    # "2024年以来" for a year; a half-year, quarter or month is not a start to count from ("2025年上半年，")
    since = facts.period and not re.search(r"(以来|半年|季度|月)$", facts.period)
    period = f"{facts.period}以来，" if since else (f"{facts.period}，" if facts.period else "")
    return f"{period}{facts.unit}认真贯彻落实上级部署要求，{theme}，统筹推进各项工作，取得了积极成效。{frame}"


# Units of a count or amount (not of a date, a time or an ordinal: "2024年", "第3届" stay in a heading).
_NOT_COUNTS = {"年", "月", "日", "周年", "个月", "个工作日", "天", "周", "小时", "分钟", "分", "秒", "岁", "届", "号",
               "点", "倍", "章", "段", "句", "村", "镇", "乡"}
_COUNT_UNITS = "|".join(re.escape(u) for u in UNITS if u not in _NOT_COUNTS)
# A count inside a heading's phrase ("党员教师38名全部与学困生结对", "为58户困难家庭结对帮扶"): the body states it.
_INNER_COUNT = re.compile(rf"(?<![第\d.])\d+(?:\.\d+)?(?:{'|'.join(SCALE_NAMES)})?(?:{_COUNT_UNITS})")


def without_counts(phrase: str) -> str:
    """``phrase`` without the counts in it, outside quotes ("党员教师38名全部与学困生结对" → "党员教师全部与学困生结对");
    unchanged when too little would be left."""
    parts = re.split(r"(“[^”]*”|《[^》]*》)", phrase)
    out = "".join(part if part.startswith(("“", "《")) else _INNER_COUNT.sub("", part) for part in parts)
    return out if count_chars(out) >= 4 else phrase


# An item that opens on the party organisation doing it ("街道党工委召开专题会议研究基层治理工作5次"): a sub-heading
# names the work, not who did it ("（一）街道党工委召开……" in a held-out draft).
_DOER = re.compile(r"^[\u4e00-\u9fff]{0,12}?(?:党工委|党总支|党支部|党委|党组)(?=(?:召开|组织|开展|推行|实施|建立|设立|组建|"
                   r"举办|落实|深化|创建|打造|划定|选派|成立|完善|健全|推进|制定|坚持|实行|选优配强|领办|牵头|带领|发动|联合|与)[\u4e00-\u9fff“])")


def short_title(item: str, limit: int = 18) -> str:
    """A sub-heading from a list item: its first clause, trimmed, with no count in it ("组织党员志愿服务活动36场，…" →
    "组织党员志愿服务活动"; a 公文's sub-heading names the work, its body gives the figures) and not its doer."""
    first = re.split(r"[，。；：,;:！？]", item.strip(), maxsplit=1)[0].strip()
    first = _DOER.sub("", first)
    first = re.sub(r"\d+(\.\d+)?\s*[^\d\s，。]{0,3}$", "", first).strip() or first
    first = without_counts(first)
    if len(first) > limit:  # "成立由党委书记任组长的创先争优活动领导小组" → "成立创先争优活动领导小组"
        first = re.sub(r"由[^，。的]{1,12}的", "", first)
    if len(first) > limit + 6:  # still long: cut after the last 的/和/与/及 that leaves a whole phrase,
        whole = first
        cut = max(first.rfind(c, 0, limit) for c in "和与及、")  # else at the last whole word within the limit
        first = first[:cut] if cut >= limit // 2 else _whole_words(first, limit)
        if first.count("“") > first.count("”"):  # never half a quotation ("推行“街道党工委—社区党委—网格")
            unquoted = re.sub(r"“[^”]*”", "", whole)  # "推行“……”四级组织架构" → "推行四级组织架构"
            before = first[:first.rfind("“")]
            first = unquoted if 4 <= len(unquoted) <= limit + 6 else (before if len(before) >= 4 else whole)
    return first.rstrip("的和与及、")


def _whole_words(text: str, limit: int) -> str:
    """The longest run of jieba words from the start that fits ``limit`` characters (never half a word:
    "组建党员突击队" is not cut to "组建党员突击")."""
    import jieba

    out = ""
    for word in jieba.cut(text):
        if len(out) + len(word) > limit:
            break
        out += word
    return out or text[:limit]


def build_outline(facts: Facts, framed: frozenset[str] = frozenset()) -> Outline:
    """The editable outline for these facts (the facts decide the structure, not the exemplars). ``framed``:
    the section types the writer fills by frame (drafter.frames): their targets are their frames' length,
    and the model's sections share the rest."""
    target = facts.target_chars or 1500
    basic_figs, result_figs = split_figures(facts)
    sections: list[OutlineSection] = []
    rule = genre_rule(facts.genre)
    required = {s.key for s in rule.sections if s.required == "always"} or set(REQUIRED_KEYS_FALLBACK)
    if facts.genre == "经验材料":
        sections = _experience_sections(facts, basic_figs, result_figs)
    else:
        for key, section_type, title, source in SKELETONS.get(facts.genre, SKELETONS["工作总结"]):
            sec = OutlineSection(key, section_type, title)
            if source == "figures":
                sec.figures = basic_figs
            else:
                sec.items = [x for x in getattr(facts, source) if not looks_like_instruction(x)]
            if key == "results":
                sec.figures = result_figs
            if key == "practice" and len(sec.items) > 1:
                most = subsection_count(target)
                sec.subheadings = [short_title(x) for x in sec.items[:most]]
                if len(sec.items) > most:  # the rest join the last sub-section
                    sec.subheadings[-1] = "其他工作"
            empty = not sec.items and not sec.figures
            if empty and key not in required:
                continue  # 存在问题 / 下一步打算 without facts: left out (see module docstring)
            sec.placeholder = empty and key in required
            sections.append(sec)
    _counts_of_the_one_practice(sections)
    results = next((s for s in sections if s.key == "results"), None)
    practice = next((s for s in sections if s.key == "practice" and not s.placeholder), None)
    if results is not None and practice is not None:
        items = list(practice.items)
        left = _told_with_their_activity(facts, [practice], results.figures)
        if results.items or left:
            results.figures = left
        else:  # 成效 keeps what it has
            practice.items = items
    # An item that reads like an instruction to the model (prompt injection) is shown to the user, not drafted.
    set_aside = [text for _, text in facts.items() if looks_like_instruction(text)]
    outline = Outline(
        genre=facts.genre, title=default_title(facts), opening=default_opening(facts), sections=sections,
        signature=facts.signature or "", date=facts.date or "", set_aside=set_aside,
    )
    _share_target(outline, target, facts, framed)
    for sec in sections:  # too little text per item for sub-sections: one paragraph, 一是……二是……
        if sec.subheadings and sec.target_chars < SUBPIECE_MIN_CHARS * len(sec.subheadings):
            sec.subheadings = []
    return outline


def _counts_of_the_one_practice(sections: list[OutlineSection]) -> None:
    """A summary of one activity: the counts of what was done (labels that open with an action: 检查食品经营主体
    3260家, 立案查处案件148件) are that activity's work and are told in 主要做法, as long as 取得成效 keeps something of
    its own. Given the bare activity line ("开展食品安全“守护”专项行动") for a section of 675 字, the 1.5B made up
    the counts a 专项行动 has (检查……1000家，查处……300起). With several activities, which one a count belongs to
    is not known: they stay in 取得成效."""
    practice = next((s for s in sections if s.key == "practice"), None)
    results = next((s for s in sections if s.key == "results"), None)
    if practice is None or results is None or len(practice.items) != 1:
        return
    done = [f for f in results.figures if ACTION_LABEL.match(f)]
    if done and (results.items or len(done) < len(results.figures)):
        practice.figures = practice.figures + done
        results.figures = [f for f in results.figures if f not in done]


def subsection_count(target: int) -> int:
    """How many sub-sections 主要做法 has at most for a draft of ``target`` characters."""
    return max(MAX_SUBSECTIONS, min(MAX_SUBSECTIONS_LONG, target // SUBSECTION_CHARS))


def shared_out(items: list[str], parts: int) -> list[list[str]]:
    """``items`` in order over ``parts`` runs as even as they go (7 over 4: 2, 2, 2, 1)."""
    size, extra = divmod(len(items), parts)
    runs, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        runs.append(items[start:end])
        start = end
    return runs


TWO_CLAUSE_TITLE_CHARS = 26


def practice_title(items: list[str]) -> str:
    """A 经验材料 practice section's heading: its practice's, or two practices' in one ("推行……，实施……") when
    both fit the genre's two-clause heading; with more, the first's."""
    first = short_title(items[0], 24)
    if len(items) == 2:
        second = short_title(items[1], 24)
        if len(first) + len(second) <= TWO_CLAUSE_TITLE_CHARS:  # whole titles only: never "推行党委班子，……"
            return f"{first}，{second}"
    return first


def _experience_sections(facts: Facts, own: list[str], done: list[str]) -> list[OutlineSection]:
    """经验材料: one level-1 section per practice (themed heading), then 成效 and 启示. A result figure that counts
    what a practice ends on (组建党员家庭医生团队 — 家庭医生团队18个) is told with it: "组建党员家庭医生团队18个".
    A practice given a bare line to write about ran to invented detail ("由医生、护士、助产士等组成的团队"); given
    the figure as a fact line of its own, the 1.5B left it out and the rules appended it ("……。家庭医生团队18个。").
    The unit's counts (own) and the rest stay in 成效, all of them when it would have nothing else."""
    sections = []
    activities = [x for x in facts.activities if not looks_like_instruction(x)]
    # as many practice sections as the length has room for (a 350-字 材料 has one), at most four
    room = max(1, (facts.target_chars or 1500) // (2 * PRACTICE_MIN_CHARS)) if facts.target_chars else 4
    # the activities shared out evenly: with all the rest in the last section (7 in 4: 1, 1, 1, 4) its model call
    # wrote four thin lines and the rules appended their figures as a string; two a section, each is a paragraph
    runs = shared_out(activities, min(4, room, len(activities))) if activities else []
    for i, run in enumerate(runs):
        title = "主要做法" if len(runs) == 1 and len(run) > 1 else practice_title(run)
        sections.append(OutlineSection(f"practice{i + 1}", "主要做法", title, items=run))
    if not runs:
        sections.append(OutlineSection("practice1", "主要做法", "主要做法", placeholder=True))
    achievements = [x for x in facts.achievements if not looks_like_instruction(x)]
    if own or achievements:  # else 成效 would be left with nothing: they are its own
        done = _told_with_their_activity(facts, [s for s in sections if not s.placeholder], done)
    results = OutlineSection("results", "取得成效", "取得的成效", items=achievements, figures=own + done)
    results.placeholder = not results.items and not results.figures
    sections.append(results)
    sections.append(OutlineSection("lessons", "经验体会", "几点启示", items=[]))
    return sections


def _told_with_their_activity(facts: Facts, practices: list[OutlineSection], figures: list[str]) -> list[str]:
    """A result figure that counts what an activity ends on (组建党员家庭医生团队 — 家庭医生团队18个; 完成重点档案数字化
    扫描 — 数字化扫描86万页) joins that activity's line ("完成重点档案数字化扫描86万页"), where the writer tells it as
    part of the work; returns the figures left for 取得成效. Given the figure as a fact line of its own, the 1.5B left
    it out and the rules appended it ("……。家庭医生团队18个。"); given it in 取得成效 beside a bare activity line, the
    practice paragraph had nothing concrete to say (a 500-字 archive summary came out at 322). A figure an activity's
    line states already is not listed in 取得成效 again (as one an achievement states: frames.results)."""
    by_text = {f.text(): f for f in facts.figures}
    # one an activity's own line already gives ("完成食品安全监督抽检386批次，……") is told there, not listed again
    left = [f for f in figures if not stated_in(f, [item for sec in practices for item in sec.items])]
    for sec in practices:
        for i, item in enumerate(sec.items):
            for text in [t for t in left if t in by_text and len(by_text[t].label) >= 2]:
                fig = by_text[text]
                if item.endswith(fig.label):
                    sec.items[i] = item = f"{item}{fig.value}{fig.unit}"
                    left.remove(text)
    return left


def frame_chars(outline: Outline) -> int:
    """Characters of the draft that are no section's body: title, opening, headings, sign-off and date."""
    heads = sum(count_chars(s.title) + 2 + sum(count_chars(t) + 3 for t in s.subheadings)
                for s in outline.sections)
    return heads + sum(count_chars(x) for x in (outline.title, outline.opening, outline.signature, outline.date))


def _share_target(outline: Outline, target: int, facts: Facts, framed: frozenset[str]) -> None:
    weights = {"基本情况": 1.0, "主要做法": 2.2, "取得成效": 1.4, "经验体会": 1.0, "存在问题": 0.9, "下一步打算": 1.0}
    sections = outline.sections
    fixed = {id(s): count_chars(section_frame(facts, s, brief=is_short(facts)))
             for s in sections if s.section_type in framed and not s.placeholder}
    # 下一步打算 carried on by the model (framed sections but not it, drafter.writing.Writer.plans) holds no more
    # than its frame and a measure per plan: a weight's share of 508 字 for two plans that wrote 203 was taken
    # from the practices, and the draft fell short
    carried = [s for s in sections if framed and s.section_type == "下一步打算" and id(s) not in fixed
               and not s.placeholder]
    for _ in range(2):  # a share over the cap is fixed at the cap, and the rest is shared again
        active = [s for s in sections if not s.placeholder and id(s) not in fixed]
        total = sum(weights.get(s.section_type, 1.0) for s in active) or 1.0
        body = max(60 * len(active), round(target * LENGTH_AIM) - frame_chars(outline) - sum(fixed.values()))
        for s in carried:
            cap = count_chars(section_frame(facts, s, brief=is_short(facts))) + MEASURE_MAX_CHARS * len(s.items)
            if id(s) not in fixed and body * weights["下一步打算"] / total > cap:
                fixed[id(s)] = cap
    for s in sections:
        if id(s) in fixed:
            s.target_chars = fixed[id(s)]
        else:
            share = int(body * weights.get(s.section_type, 1.0) / total)
            s.target_chars = 0 if s.placeholder else max(60, min(share, MAX_ITEM_CHARS * max(1, len(s.items))))
