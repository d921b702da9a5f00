"""Prose-quality check: the defects that make a draft read like a chatbot's bullet list instead of a 公文.

Each defect class has a code, a span and a Chinese message: label-colon list lines (PROSE_LIST), repeated or
near-repeated sentences (PROSE_REPEAT), off-register words (PROSE_REGISTER), essay connectives
(PROSE_CONNECTIVE), hedges (PROSE_HEDGE), chat-style commentary (PROSE_COMMENTARY), figures appended as bare strings (PROSE_RULE_FIGURE), thin sections
(PROSE_THIN), remedies written into 存在问题 (PROSE_SOLUTION), text of another section type (PROSE_WRONG_SECTION),
paragraphs that stop mid-sentence (PROSE_UNFINISHED), another kind of unit's bodies (PROSE_FOREIGN), a sentence
that is only the unit's name or ends on a bare 在……中 (PROSE_FRAGMENT), sentences of a paragraph opening on the same words (PROSE_OPENING).
The word lists and thresholds live in ``data/prose.yaml``. Findings are warnings for the report (the score is
defects per 1,000 characters); :func:`prose_findings` gives them per section to verification, which rewrites
or removes what it can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any

import yaml

from drafter.checks.base import WARNING, CheckResult, Finding
from drafter.checks.length import count_chars
from drafter.checks.structure import split_sections
from drafter.facts import Facts
from drafter.zh.headings import match_heading
from drafter.zh.sentences import sentence_pieces

MAX_DEFECTS_PER_1000 = 2.0  # the eval target for drafts; the real corpus measures below 1.5
_CLAUSE_START = r"(?:^|(?<=[。！？；\n]))"
# A sentence cannot open on a particle: "的工作不仅提高了……" is what is left of one whose subject was cut.
_BROKEN_START = re.compile(r"^(?:的(?!确)|了(?!解|却|结|如)|着(?!力|眼|重|手|实|想|装)|地(?!方|区|点|域|位|处|质|震|铁|块|下|上))")
_ORDINAL_CLAUSE = re.compile(r"[一二三四五六七八九十]是([^，,；;。！？\n]{4,})(?=[，,；;。])")
# A sign-off line, which has no end punctuation: a date, or an organisation's name.
_SIGNOFF_LINE = re.compile(r"^\s*(?:[\d〇零一二三四五六七八九十○]{2,4}年[\d一二三四五六七八九十]{1,2}月[\d一二三四五六七八九十]{1,3}日|"
                           r"[^，。；！？\s]{2,40}(?:委员会|党委|党组|党工委|总支部|支部|政府|局|公司|学校|院|所|站|中心|社区|村|镇|乡|街道))\s*$")

# A sentence that ends on a bare place phrase, with nothing said of it ("……全部与学困生结对，并且在95名学生中。",
# "在推进过程中。"): a 在……中 that opens a clause needs a predicate after it. None in the real or demo documents.
_DANGLING_PLACE = re.compile(r"(?:^|[，,])((?:并且|而且|并|同时|还|也|且)?在[^，,。；！？]{1,20}(?:之中|当中|中|里|内))[。！？；]$")

# A sentence that is nothing but an organisation's name ("城南社区卫生服务中心党支部。"): the subject of a sentence
# the model never wrote.
_FRAGMENT = re.compile(r"^[\u4e00-\u9fff]{2,24}(?:党委|党支部|党总支|党工委|党组|委员会|支部)[。！？；]$")


@dataclass(frozen=True)
class ProseRules:
    label_colon: re.Pattern[str]
    connectives: re.Pattern[str]
    hedges: re.Pattern[str]
    commentary: re.Pattern[str]
    hedge_exceptions: tuple[str, ...]
    off_register: tuple[dict[str, Any], ...]
    repeat_min_chars: int
    repeat_jaccard: float
    repeat_clause_chars: int
    repeat_near_chars: int
    repeat_near_share: float
    repeat_tail_chars: int
    repeat_tail_times: int
    repeat_head_chars: int
    repeat_head_times: int
    rule_figure: re.Pattern[str]
    thin_min_chars: int
    thin_min_sentences: int
    solution: re.Pattern[str]
    wrong_section: dict[str, re.Pattern[str]]
    unfinished_endings: str
    bare_list_min_lines: int
    future: re.Pattern[str]
    bare_list_max_chars: int
    foreign_bodies: dict[str, tuple[str, ...]]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def rules() -> ProseRules:
    data = yaml.safe_load(resources.files("drafter.checks").joinpath("data/prose.yaml").read_text("utf-8"))
    n = int(data["label_colon_max_chars"])
    return ProseRules(
        # a lead-in to an enumeration ("……还存在一些不足：一是……") is no label
        label_colon=re.compile(rf"^\s*([^，。；：:！？、\s（）()]{{2,{n}}})[：:](?=\S)(?![一二三四五六七八九十]是)", re.M),
        # at a sentence start any of them; after a comma the few that never join clauses in 公文 ("，首先，")
        connectives=re.compile(rf"(?:{_CLAUSE_START}\s*|(?<=[，,])(?=(?:{_alternation(data['comma_connectives'])})"
                               rf"[，,、]))({_alternation(data['connectives'])})[，,、]"),
        hedges=re.compile(_alternation(data["hedges"])),
        # the whole clause it is in: "通过这一举措，……" cut from 这一举措 on left "通过，……"
        commentary=re.compile(rf"(?:^|[，,]|(?<=[。；！？\n]))(?![^，,。；！？\n]*(?:{_alternation(data['commentary_kept'])}))"
                              rf"[^，,。；！？\n]*?(?:{_alternation(data['commentary'])})[^，。；！？\n]*", re.M),
        hedge_exceptions=tuple(data.get("hedge_exceptions", ())),
        off_register=tuple(data["off_register"]),
        repeat_min_chars=int(data["repeat_min_chars"]),
        repeat_jaccard=float(data["repeat_jaccard"]),
        repeat_clause_chars=int(data["repeat_clause_chars"]),
        repeat_near_chars=int(data["repeat_near_chars"]),
        repeat_near_share=float(data["repeat_near_share"]),
        repeat_tail_chars=int(data["repeat_tail_chars"]),
        repeat_tail_times=int(data["repeat_tail_times"]),
        repeat_head_chars=int(data["repeat_head_chars"]),
        repeat_head_times=int(data["repeat_head_times"]),
        rule_figure=re.compile(
            rf"{_CLAUSE_START}([^，。；！？\n]{{1,{int(data['rule_figure_max_chars'])}}}?(?:达|为|共)"
            r"[0-9][0-9.,]*[^，。；！？\n\d]{0,4}。)"),
        thin_min_chars=int(data["thin_min_chars"]),
        thin_min_sentences=int(data["thin_min_sentences"]),
        solution=re.compile(rf"^\s*(?:[一二三四五六七八九十]+是)?(?:{_alternation(data['solution_openers'])})"),
        wrong_section={t: re.compile(rf"^\s*(?:{_alternation(words)})") for t, words in data["wrong_section"].items()},
        unfinished_endings=str(data["unfinished_endings"]),
        bare_list_min_lines=int(data["bare_list_min_lines"]),
        future=re.compile(_alternation(data["future_markers"])),
        bare_list_max_chars=int(data["bare_list_max_chars"]),
        foreign_bodies={w: tuple(types) for w, types in data["foreign_bodies"].items()},
    )


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff" or c.isalnum()]
    return {a + b for a, b in pairwise(chars)}


def _is_subheading(line: str) -> bool:
    h = match_heading(line)
    return h is not None and not re.search(r"[。！？；]", line)


def _body_lines(body: str) -> list[tuple[int, str]]:
    """(offset, line) of each text line of a body: blank lines and sub-heading lines left out."""
    lines, pos = [], 0
    for line in body.split("\n"):
        if line.strip() and not _is_subheading(line.strip()):
            lines.append((pos, line))
        pos += len(line) + 1
    return lines


def section_body_findings(body: str, section_type: str, facts: Facts | None = None, offset: int = 0,
                          thin: bool = True) -> list[Finding]:
    """Prose defects in one section's body (spans shifted by ``offset``)."""
    r = rules()
    found: list[Finding] = []
    unit_type = (facts.unit_type if facts else None) or ""
    lines = _body_lines(body)
    for start, line in lines:
        m = r.label_colon.match(line)
        if m:
            found.append(Finding("PROSE_LIST", f"“{m.group(1)}：”是条目式写法，公文应写成连贯段落或“一是……二是……”",
                                 (offset + start + m.start(1), offset + start + m.end(0)), WARNING))
        tail = line.rstrip()
        if tail and not _SIGNOFF_LINE.match(tail) and (
                tail[-1] in r.unfinished_endings or not re.search(r"[。！？；：:…”’）)]$", tail)):
            found.append(Finding("PROSE_UNFINISHED", "句子没有写完（段末不是句号）",
                                 (offset + start + len(tail) - 1, offset + start + len(tail)), WARNING))
    found += _bare_list(_runs_without_subheadings(body), offset, r)
    known = facts.all_text() + facts.unit if facts is not None else ""
    for word, at_home in r.foreign_bodies.items():
        if not unit_type or unit_type in at_home or word in known:
            continue
        for start, line in lines:
            for m in re.finditer(_CLAUSE_START + r"\s*" + re.escape(word), line):
                found.append(Finding("PROSE_FOREIGN", f"“{word}”不是本单位的机构或对象，像是照抄了别的单位的材料",
                                     (offset + start + m.start(), offset + start + m.end()), WARNING))
    for start, line in lines:
        for m in r.connectives.finditer(line):
            found.append(Finding("PROSE_CONNECTIVE", f"“{m.group(1)}”是议论文或聊天的连接词，公文不用",
                                 (offset + start + m.start(1), offset + start + m.end(1)), WARNING))
        for m in r.hedges.finditer(line):
            around = line[max(0, m.start() - 1):m.end() + 1]
            if any(x in around for x in r.hedge_exceptions):
                continue
            found.append(Finding("PROSE_HEDGE", f"“{m.group(0)}”是揣测语气，总结应写已做的事",
                                 (offset + start + m.start(), offset + start + m.end()), WARNING))
        for entry in r.off_register:
            if unit_type and unit_type in entry.get("except_unit_types", ()):
                continue
            word = entry["word"]
            if facts is not None and word in facts.all_text():
                continue
            for m in re.finditer(entry.get("pattern") or re.escape(word), line):
                if facts is not None and len(m.group(0)) >= 2 and m.group(0) in facts.all_text():
                    continue  # the clerk's own words ("全县教育质量综合评价位居全市前列" is an achievement given)
                found.append(Finding("PROSE_REGISTER", f"“{word}”：{entry['message']}",
                                     (offset + start + m.start(), offset + start + m.end()), WARNING))
        for m in r.commentary.finditer(line):
            found.append(Finding("PROSE_COMMENTARY", f"“{m.group(0).lstrip('，,')[:12]}”是聊天式的解释，不是公文",
                                 (offset + start + m.start(), offset + start + m.end()), WARNING))
        for m in r.rule_figure.finditer(line):
            found.append(Finding("PROSE_RULE_FIGURE", f"“{m.group(1)}”是孤立的数字短句，应把数据写进叙述",
                                 (offset + start + m.start(1), offset + start + m.end(1)), WARNING))
    # an enumeration whose points open on the same clause ("一是党员民警挂牌上岗，……；二是党员民警挂牌上岗，……")
    openings: set[str] = set()
    for start, line in lines:
        for m in _ORDINAL_CLAUSE.finditer(line):
            clause = m.group(1)
            if clause in openings:
                found.append(Finding("PROSE_REPEAT", f"“{clause}”在“一是……二是……”中重复出现",
                                     (offset + start + m.start(1), offset + start + m.end(1)), WARNING))
            openings.add(clause)
    # sentences: repeats, remedies in 存在问题, text of another section type
    seen: list[tuple[str, str, set[str]]] = []
    clauses_seen: set[str] = set()
    near_seen: list[tuple[str, set[str]]] = []
    sentences = [(offset + s + m.start(), m.group(0)) for s, line in lines for m in sentence_pieces(line, "。！？；")]
    for s_start, sentence in sentences:
        core = sentence.strip()
        # a clause said before, word for word ("……，提升了组织的整体效能。" three times in one section); one naming
        # something in quotes or 《》 may recur (an activity's or a document's name)
        clauses = {c for c in re.split(r"[，,。！？；：]", core)
                   if count_chars(c) >= r.repeat_clause_chars and not re.search(r"[“”《》\"]", c)}
        # … or one said before inside a longer one ("同时，这项工作也为乡村振兴注入了新的活力" after "……，为乡村振兴注入了
        # 新的活力。")
        if clauses & clauses_seen or any(seen_c in c for c in clauses for seen_c in clauses_seen):
            found.append(Finding("PROSE_REPEAT", "与前文重复的分句", (s_start, s_start + len(sentence)), WARNING))
        elif said := _said_before(core, facts.unit if facts is not None else "", near_seen, r):
            found.append(Finding("PROSE_REPEAT", f"与前文“{said}”意思重复", (s_start, s_start + len(sentence)),
                                 WARNING))
        clauses_seen |= clauses
        if len(core) >= r.repeat_min_chars:
            grams = _bigrams(core)
            # the same frame twice: 这种联系方式还促进了…… / ……是该部门在……取得的重要成就。
            same_frame = [g for (opening, ending, g) in seen if opening == core[:10] or ending == core[-8:]]
            if grams and (any(len(grams & g) / len(grams | g) >= r.repeat_jaccard for _, _, g in seen)
                          or any(len(grams & g) / len(grams | g) >= r.repeat_jaccard / 1.5 for g in same_frame)):
                found.append(Finding("PROSE_REPEAT", "与前文重复或几乎重复", (s_start, s_start + len(sentence)), WARNING))
            seen.append((core[:10], core[-8:], grams))
        if _BROKEN_START.match(core):
            found.append(Finding("PROSE_FRAGMENT", f"句子残缺（以“{core[0]}”开头，前面的内容被删掉了）",
                                 (s_start, s_start + len(sentence)), WARNING))
        if dangling := _DANGLING_PLACE.search(core):
            found.append(Finding("PROSE_FRAGMENT", f"句子没有说完（“{dangling.group(1)}”后面缺少谓语）",
                                 (s_start, s_start + len(sentence)), WARNING))
        if _FRAGMENT.match(core) or (facts is not None and core[-1:] in "。！？；" and core[:-1] == facts.unit):
            found.append(Finding("PROSE_FRAGMENT", "句子只有主语（单位名称），没有内容",
                                 (s_start, s_start + len(sentence)), WARNING))
        if section_type == "存在问题" and r.solution.match(core):
            found.append(Finding("PROSE_SOLUTION", "“存在问题”部分写了整改措施，措施应写在“下一步打算”",
                                 (s_start, s_start + len(sentence)), WARNING))
        wrong = r.wrong_section.get(section_type)
        if (wrong is not None and wrong.match(core)) or (
                section_type in ("基本情况", "主要做法", "取得成效") and r.future.search(core)):
            found.append(Finding("PROSE_WRONG_SECTION", f"这句话不属于“{section_type}”部分",
                                 (s_start, s_start + len(sentence)), WARNING))
    flagged = {f.span for f in found if f.code == "PROSE_REPEAT"}
    found += [f for f in _same_endings(sentences, r) if f.span not in flagged]  # one finding a sentence
    found += [f for f in _same_openings(lines, offset, r) if f.span not in flagged]
    if thin and body.strip():
        n_sent = sum(1 for _, s in sentences if len(s.strip()) >= 6)
        if count_chars(body) < r.thin_min_chars or (
                section_type in ("存在问题", "下一步打算") and n_sent < r.thin_min_sentences):
            found.append(Finding("PROSE_THIN", f"“{section_type}”部分内容单薄（{count_chars(body)} 字、{n_sent} 句）",
                                 (offset, offset + len(body)), WARNING))
    return found


def _said_before(sentence: str, unit: str, seen: list[tuple[str, set[str]]], r: ProseRules) -> str:
    """An earlier clause of the section that a clause of ``sentence`` says again in other words ("提升了……整体服务
    水平和居民的健康水平" → "这项工作不仅提高了……整体服务水平和居民的健康水平"): the shorter one's character
    pairs are ``repeat_near_share`` or more in the other; the unit's name is left out (it opens many clauses).
    The sentence's clauses join ``seen``; "" when none repeats."""
    said = ""
    for clause in re.split(r"[，,。！？；：]", sentence):
        plain = clause.replace(unit, "") if unit else clause
        if count_chars(plain) < r.repeat_near_chars or re.search(r"[“”《》\"]", plain):
            continue
        grams = _bigrams(plain)
        for earlier, other in seen:
            if not said and len(grams & other) >= r.repeat_near_share * min(len(grams), len(other)):
                said = earlier.strip()[:16]
        seen.append((clause, grams))
    return said


def _bare_list(lines: list[tuple[int, str] | None], offset: int, r: ProseRules) -> list[Finding]:
    """Runs of short one-sentence paragraphs (a list without its bullets): one finding per run; a None (a
    sub-heading) ends a run."""
    found: list[Finding] = []
    run: list[tuple[int, str]] = []

    def close() -> None:
        if len(run) >= r.bare_list_min_lines:
            start, end = run[0][0], run[-1][0] + len(run[-1][1])
            found.append(Finding("PROSE_LIST", f"连续 {len(run)} 段都只有一句短话，是去掉了符号的条目，应写成连贯段落",
                                 (offset + start, offset + end), WARNING))
        run.clear()

    for entry in lines:
        if entry is None:
            close()
            continue
        start, line = entry
        core = line.strip()
        one = len(core) <= r.bare_list_max_chars and len(re.findall(r"[。！？；]", core)) <= 1
        if one and not re.match(r"[一二三四五六七八九十]是", core) and not _SIGNOFF_LINE.match(core):
            run.append((start, line))
        else:
            close()
    close()
    return found


def _runs_without_subheadings(body: str) -> list[tuple[int, str] | None]:
    """``_body_lines`` with a None where a sub-heading stands: one-sentence sub-sections are thin, not a list."""
    lines: list[tuple[int, str] | None] = []
    pos = 0
    for line in body.split("\n"):
        if line.strip():
            lines.append(None if _is_subheading(line.strip()) else (pos, line))
        pos += len(line) + 1
    return lines


def bare_list_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) of each run of bare list lines in a body (what PROSE_LIST finds without a colon)."""
    return [f.span for f in _bare_list(_runs_without_subheadings(body), 0, rules())]


def prose_findings(draft: str, facts: Facts | None = None) -> list[Finding]:
    """Prose defects of a whole draft: each level-1 section's body, typed by its heading."""
    from vectorstore.classify import classify_section

    found: list[Finding] = []
    for sec in split_sections(draft):
        if sec.heading is None:
            continue  # title and opening: fixed frames
        body_start = min(len(draft), sec.heading.end + 1)
        while body_start < sec.end and draft[body_start] == "\n":
            body_start += 1
        body = draft[body_start:sec.end]
        section_type = classify_section(sec.heading.title, body[:200], facts.genre if facts else None)
        found.extend(section_body_findings(_without_signoff(body, facts), section_type, facts, body_start))
    return found


def sentence_tail(sentence: str) -> str:
    """The last ``repeat_tail_chars`` characters a sentence ends on, as the repeat check compares them ("实的基础"),
    or "" for a sentence too short to count and a point of a parallel enumeration, which shares its ending on
    purpose ("……上实现突破；" in a real 实施方案)."""
    r = rules()
    cjk = re.sub(r"[^\u4e00-\u9fff]", "", sentence)
    if len(cjk) < 3 * r.repeat_tail_chars or sentence.rstrip()[-1:] in "；;":
        return ""
    return cjk[-r.repeat_tail_chars:]


def _same_endings(sentences: list[tuple[int, str]], r: ProseRules) -> list[Finding]:
    """Sentences of a section that end on the same words, from the ``repeat_tail_times``-th on: a frame's tail
    stuck to every point ("……比学赶超。" three times in one 几点启示), or one closing formula for every paragraph."""
    found, counts = [], {}
    for start, sentence in sentences:
        tail = sentence_tail(sentence)
        if not tail:
            continue
        counts[tail] = counts.get(tail, 0) + 1
        if counts[tail] >= r.repeat_tail_times:
            found.append(Finding("PROSE_REPEAT", f"又一句以“{tail}”结尾，句尾雷同", (start, start + len(sentence)), WARNING))
    return found


# A point of an enumeration opens the way the others do on purpose.
_ENUMERATED = re.compile(r"^(?:[一二三四五六七八九十]+是|（[一二三四五六七八九十]+）|第[一二三四五六七八九十]+|\d)")


def sentence_head(sentence: str) -> str:
    """The first ``repeat_head_chars`` characters a sentence opens on, as the opening check compares them ("通过"),
    or "" for a short sentence and a point of an enumeration."""
    r = rules()
    core = sentence.strip()
    if _ENUMERATED.match(core):
        return ""
    cjk = re.sub(r"[^\u4e00-\u9fff]", "", core)
    return cjk[:r.repeat_head_chars] if len(cjk) >= 3 * r.repeat_head_chars else ""


def _same_openings(lines: list[tuple[int, str]], offset: int, r: ProseRules) -> list[Finding]:
    """Sentences of one paragraph that open on the same words, from the ``repeat_head_times``-th on
    ("通过……。通过……。通过……。")."""
    found = []
    for start, line in lines:
        counts: dict[str, int] = {}
        for m in sentence_pieces(line, "。！？"):
            head = sentence_head(m.group(0))
            if not head:
                continue
            counts[head] = counts.get(head, 0) + 1
            if counts[head] >= r.repeat_head_times:
                span = (offset + start + m.start(), offset + start + m.end())
                found.append(Finding("PROSE_OPENING", f"同一段里又一句以“{head}”开头，句首雷同", span, WARNING))
    return found


def _without_signoff(body: str, facts: Facts | None) -> str:
    """The last section's body without the signature and date lines after it."""
    if facts is None:
        return body
    lines = body.rstrip("\n").split("\n")
    tail = {x for x in (facts.signature, facts.date) if x}
    while lines and lines[-1].strip() in tail:
        lines.pop()
    return "\n".join(lines)


def defects_per_1000(findings: list[Finding], text: str) -> float:
    chars = count_chars(text)
    return round(len(findings) * 1000 / chars, 2) if chars else 0.0


def check_prose(draft: str, facts: Facts) -> CheckResult:
    findings = prose_findings(draft, facts)
    rate = defects_per_1000(findings, draft)
    by_code: dict[str, int] = {}
    for f in findings:
        by_code[f.code] = by_code.get(f.code, 0) + 1
    result = CheckResult.from_findings("prose", findings, 1 - rate / (2 * MAX_DEFECTS_PER_1000),
                                       {"per_1000": rate, "by_code": by_code, "max_per_1000": MAX_DEFECTS_PER_1000})
    result.passed = rate <= MAX_DEFECTS_PER_1000
    return result
