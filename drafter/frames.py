"""Fixed frames the facts fill, for the sections the embedded small model gets wrong: 基本情况, 取得成效, 存在问题
and 下一步打算; it writes the 做法 and the 经验体会 (the narrative the facts give only as items).

The 0.5B model's 基本情况 is where it invents national bodies and leaders ("××镇党委是全国人大常委会…"); its
取得成效 garbles the figures ("一是，能够迅速有效地响应和处理……；六是12.8%。"); its 存在问题 invents causes and
consequences around the clerk's problems ("党建力量的薄弱导致学校缺乏有效的组织和管理机制") or writes remedies into
them; its 下一步打算 is a line or two (46 of 290 字 asked for) or invented. So with the embedded model these
sections are written by these frames, with no model call (drafter.writing.WritePolicy.frame_sections). Nothing in
them goes beyond the facts: the unit, its counts, the period, the theme, and the achievements, problems and
plans as the clerk gave them. The one exception: with the 1.5B model each plan of 下一步打算 is carried on by a
checked clause of measures the model writes (drafter.writing.Writer.plans, passed to ``plans`` as ``measures``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from drafter.facts import Facts
from drafter.figure_roles import ACTION_LABEL, CHANGE_WORDS, area_sentence, is_jurisdiction, split_figures
from drafter.zh.numerals import to_chinese

if TYPE_CHECKING:
    from drafter.outline import OutlineSection

FRAMED = frozenset({"基本情况", "取得成效", "存在问题", "下一步打算"})  # the section types these frames write
# A plan of 下一步打算 is carried on by a clause of this many characters when its section's share leaves room for
# it (drafter.writing.Writer.plans): fewer, and the plans stand alone; the real documents' plan items run 40–150 字.
MEASURE_MIN_CHARS, MEASURE_MAX_CHARS = 30, 90


def theme_words(facts: Facts) -> str:
    """The theme as the frames say it: a slogan with clause marks of its own ("两学一做，做忠诚干净担当的纪检干部")
    is quoted as the name of the campaign, or "紧扣……，" and "……工作情况" break it mid-sentence; "" without one."""
    theme = (facts.theme or "").strip()
    if theme and re.search(r"[，,、；;：:！!]", theme) and not theme.startswith("“"):
        return f"“{theme}”主题活动"
    return theme


# What a unit wants low: 达 ("reached") would praise it ("供水管网漏损率达8.9%"); such a figure is stated with 为.
_ADVERSE = re.compile(r"漏损|发案|事故|投诉|违纪|违法|违规|差错|不合格|失业|逾期|不良|死亡|亏损|负债|欠款|超标|返贫|辍学")


def figure_sentence(figure_text: str) -> str:
    """A template sentence that states a figure: 基层党组织42个 → 基层党组织达42个。 (漏损率8.9% → 漏损率为8.9%。)"""
    m = re.match(r"^(.*?)(\d[\d.,]*.*)$", figure_text)
    if not m or not m.group(1):
        return figure_text.rstrip("。") + "。"
    verb = "为" if _ADVERSE.search(m.group(1)) else "达"
    return f"{m.group(1)}{verb}{m.group(2)}。"


def figures_sentence(figure_texts: list[str]) -> str:
    """Several figures stated in one sentence, not as a string of "X达N个。": 评选优秀共产党员56名、为民办实事318件，
    群众满意度达96.3%。(shares and rates get 达, counts are listed; no time word is added: a count may be a stock)."""
    if not figure_texts:
        return ""
    counts = [f for f in figure_texts if not re.search(r"(%|率|度)", f)]
    rates = [figure_sentence(f).rstrip("。") for f in figure_texts if f not in counts]
    parts = (["、".join(counts)] if counts else []) + rates
    return "，".join(parts) + "。"


def counts_sentences(facts: Facts, figures: list[str]) -> str:
    """The unit's counts ("……现有党员9名。") and its area's ("辖区有登记市场主体4862户。"), or ""."""
    own = [f for f in figures if not is_jurisdiction(f)]
    # a label's own 现有/共有 goes where the sentence says 现有 ("区教育系统现有党支部15个": not "现有区教育系统现有……")
    text = f"{facts.unit}现有{'、'.join(re.sub(r'(现有|共有)', '', f, count=1) for f in own)}。" if own else ""
    if area := area_sentence([f for f in figures if f not in own]):
        text += area if own else f"{facts.unit}{area}"
    return text


def basic_situation(facts: Facts, figures: list[str], brief: bool = False) -> str:
    """基本情况 from the facts: the unit's counts, then the year's work in one general sentence (``brief``:
    a shorter one, for a short draft)."""
    sentences = [counts] if (counts := counts_sentences(facts, figures)) else []
    when = f"{facts.period}，" if facts.period else "近年来，"
    theme = f"紧扣{theme_words(facts)}，" if facts.theme else ""
    if brief:  # a short draft: the opening already says the year's work went forward
        sentences.append(f"{when}{facts.unit}坚持围绕中心、服务大局，{theme}扎实推进各项工作。")
    else:
        sentences.append(f"{when}{facts.unit}坚持围绕中心、服务大局，{theme}精心组织、扎实推进，各项工作取得了新的进展。")
    return "".join(sentences)


def problems(facts: Facts, items: list[str], brief: bool = False) -> str:
    """存在问题 from the clerk's problems: the genre's lead-in, then 一是……；二是…… (one problem: 主要是……), then
    the closing sentence (``brief``: several problems without it)."""
    items = [x.strip().rstrip("。；;，,、 ") for x in items if x.strip()]
    if not items:
        return ""
    lead = f"{facts.unit}工作中还存在一些不足" if brief else f"在肯定成绩的同时，我们也清醒地看到，{facts.unit}工作中还存在一些不足"
    if len(items) == 1:  # one problem: with the closing sentence even when brief (a section is two sentences)
        return f"{lead}，主要是{items[0]}。这一问题需要在今后的工作中认真加以解决。"
    body = f"{lead}：" + "；".join(f"{to_chinese(i)}是{x}" for i, x in enumerate(items, 1)) + "。"
    return body if brief else body + "这些问题需要在今后的工作中认真研究、切实加以解决。"


def results(facts: Facts, figures: list[str], items: list[str], brief: bool = False) -> str:
    """取得成效 from the facts: the unit's result figures in the order given, as one sentence of the unit
    ("2025年，……党支部受理警情6125起，破获刑事案件196起，……"; ``brief``: without the period unless the sentence
    needs it for a subject), then the
    clerk's achievements as they were given; with no figures, the achievements as what the work brought."""
    items = [x.strip().rstrip("。；;，,、 ") for x in items if x.strip()]
    when = "" if brief or not facts.period else f"{facts.period}，"
    # a figure an achievement states in its own words ("高考本科上线412人，本科上线率71.5%，创学校历史新高") is not
    # said twice: the achievement carries it
    figures = [f for f in figures if not stated_in(f, items)]
    if not figures:  # the achievements alone: as what the year's work brought (with its period, brief or not)
        period = f"{facts.period}，" if facts.period else ""
        return f"{period}{facts.unit}各项工作取得了明显成效：" + "；".join(items) + "。" if items else ""
    # the unit's own counts, where the genre has no 基本情况 (经验材料), are what it has, not what the year did
    own = set(split_figures(facts)[0])
    counts, done = [f for f in figures if f in own], [f for f in figures if f not in own]
    text = counts_sentences(facts, counts)
    if done:
        # the unit is the subject of what it did (受理警情6125起), not of a rate after the period ("2024年，……学院
        # 党委学生党员占比达7.4%"); a brief draft, which leaves the period out, opens such a figure on it all the
        # same rather than on the unit ("卫生院党支部门急诊达2.7万人次" reads the branch as "党支部门")
        acted = ACTION_LABEL.match(done[0]) or CHANGE_WORDS.search(re.split(r"\d", done[0], maxsplit=1)[0])
        opening = when or ("" if acted or counts or not facts.period else f"{facts.period}，")
        subject = "" if counts or (opening and not acted) else facts.unit
        text += f"{opening}{subject}" + "，".join(map(result_clause, done))
        # one figure and what the work brought make one sentence, not a bare figure sentence and the rest
        text += "，" if len(done) == 1 and items else "。"
    if items:
        text += "；".join(items) + "。"
    return text




def result_clause(figure_text: str) -> str:
    """A result figure as a clause after the unit: a label of something done says it (受理警情6125起); a noun
    label is given its verb (家庭医生团队达18个, 群众满意率达97.6%: "……党支部家庭医生团队18个" says nothing)."""
    head = re.split(r"\d", figure_text, maxsplit=1)[0]
    if ACTION_LABEL.match(figure_text) or CHANGE_WORDS.search(head):
        return figure_text
    return figure_sentence(figure_text).rstrip("。")


def stated_in(figure_text: str, items: list[str]) -> bool:
    """Whether one of ``items`` gives this figure's number with its unit (412人, 71.5%, 1320万元)."""
    m = re.search(r"\d[\d.,]*\D{0,4}$", figure_text)
    return bool(m) and any(re.search(rf"(?<![\d.]){re.escape(m.group(0))}", item) for item in items)


def plans(facts: Facts, items: list[str], brief: bool = False, measures: list[str] | None = None) -> str:
    """下一步打算 from the clerk's plans: "下一步，……将……重点抓好以下工作：一是……；二是……。" (one plan: it, then the
    follow-through; ``brief``: without the theme clause). ``measures``: per plan, a clause that carries it on
    (how and to what end, drafter.writing.Writer.plans, "" for none): the plans then stand one a paragraph,
    "一是{plan}，{measures}", as the genre writes plans that say more than their name."""
    items = [x.strip().rstrip("。；;，,、 ") for x in items if x.strip()]
    if not items:
        return ""
    measures = [m.strip().strip("，,；;。 ") for m in (measures or [])] + [""] * len(items)
    theme = f"紧扣{theme_words(facts)}，" if facts.theme and not brief else ""

    def said(item: str, more: str) -> str:
        return f"{item}，{more}。" if more else f"{item}。"

    if len(items) == 1:  # one plan: and the follow-through, as a second sentence (a section is two sentences)
        if "。" in measures[0]:  # the measures run to a second sentence of their own
            return f"下一步，{facts.unit}将{theme}{said(items[0], measures[0])}"
        if measures[0]:
            return (f"下一步，{facts.unit}将{theme}{said(items[0], measures[0])}"
                    "同时，持续抓好各项工作的落实，推动各项工作取得新的成效。")
        return f"下一步，{facts.unit}将{theme}{items[0]}。同时，持续抓好各项工作的落实，推动各项工作取得新的成效。"
    if any(measures[:len(items)]):
        lines = [f"{to_chinese(i)}是{said(x, measures[i - 1])}" for i, x in enumerate(items, 1)]
        return f"下一步，{facts.unit}将{theme}重点抓好以下工作：\n" + "\n".join(lines)
    listed = "；".join(f"{to_chinese(i)}是{x}" for i, x in enumerate(items, 1))
    return f"下一步，{facts.unit}将{theme}重点抓好以下工作：{listed}。"


def section_frame(facts: Facts, section: OutlineSection, brief: bool = False) -> str:
    """The framed text of an outline section of type 基本情况, 取得成效 or 存在问题."""
    if section.section_type == "基本情况":
        return basic_situation(facts, section.figures, brief=brief)
    if section.section_type == "取得成效":
        return results(facts, section.figures, section.items, brief=brief)
    if section.section_type == "存在问题":
        return problems(facts, section.items, brief=brief)
    if section.section_type == "下一步打算":
        return plans(facts, section.items, brief=brief)
    raise ValueError(f"no frame for a {section.section_type} section")
