"""Rule repairs of prose defects in one written piece, before it is verified: what the prose check finds and a
rule can mend without inventing anything.

- label-colon list lines ("制定评选标准：明确……") become one 公文 paragraph: "一是明确……；二是……。" (a single
  such line just loses its label);
- essay connectives at a clause start (首先，其次，总之，…), hedges (可能会、或许 …), chat-style commentary
  (，这表明……) and the prompt's "…的口吻：" said back are deleted;
- sentences repeating an earlier one, sentences with off-register words (微信、支付宝、他们 …), remedies in
  存在问题, sentences of another section type and sentences of invented detail (drafter.checks.grounding) are
  removed — unless that would empty the piece.

Returns the new text and how many characters the rules cut and inserted, for the eval reports.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from drafter.checks.coverage import bigrams
from drafter.checks.figures import index_facts
from drafter.checks.grounding import body_findings as grounding_findings
from drafter.checks.grounding import known_text, ungrounded
from drafter.checks.length import count_chars
from drafter.checks.prose import bare_list_spans, rules, section_body_findings, sentence_head, sentence_tail
from drafter.facts import Facts
from drafter.zh.numbers import extract_numbers
from drafter.zh.numerals import parse_cn_int, to_chinese
from drafter.zh.sentences import sentence_pieces
from drafter.zh.unit_names import short_unit_name

_VOICE_ECHO = re.compile(r"^[^。！？\n]{0,40}的口吻[：:，,]", re.M)  # the prompt's "以…的口吻" said back
MIN_KEPT_CHARS = 40  # what removal must leave of a piece (else clauses go instead, else nothing)
_DROP_CODES = {"PROSE_REPEAT", "PROSE_REGISTER", "PROSE_SOLUTION", "PROSE_WRONG_SECTION", "PROSE_FOREIGN",
               "PROSE_FRAGMENT"}
_SENTENCE_END = "。！？；"


@dataclass
class Polished:
    text: str
    cut: int = 0
    inserted: int = 0


def _lists_to_prose(text: str) -> str:
    r = rules()
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) == 1:
            out.append(run[0])
        elif run:
            parts = [f"{to_chinese(i)}是{p.rstrip(_SENTENCE_END + '，')}" for i, p in enumerate(run, 1)]
            out.append("；".join(parts) + "。")
        run.clear()

    for line in text.split("\n"):
        m = r.label_colon.match(line)
        if m:
            rest = line[m.end():].strip()
            if rest:
                run.append(rest)
                continue
        flush()
        out.append(line)
    flush()
    return "\n".join(out)


def _bare_lines_to_prose(text: str) -> str:
    """Runs of one-sentence lines (a list without bullets) become one "一是……；二是……。" paragraph."""
    for start, end in reversed(bare_list_spans(text)):
        items = [line.strip().rstrip(_SENTENCE_END + "，") for line in text[start:end].split("\n") if line.strip()]
        text = text[:start] + "；".join(f"{to_chinese(i)}是{x}" for i, x in enumerate(items, 1)) + "。" + text[end:]
    return text


def _delete_words(text: str) -> str:
    r = rules()
    text = r.connectives.sub("", text)
    text = re.sub(r"([一二三四五六七八九十]+是)(?:首先|其次|再次|最后|此外|另外)[，,]", r"\1", text)

    def hedge(m: re.Match[str]) -> str:
        around = text[max(0, m.start() - 1):m.end() + 1]
        return m.group(0) if any(x in around for x in r.hedge_exceptions) else ""

    text = r.commentary.sub("", text)
    for entry in r.off_register:
        if entry.get("delete"):
            text = re.sub(entry.get("pattern") or re.escape(entry["word"]), "", text, flags=re.M)
    text = _VOICE_ECHO.sub("", text)
    return r.hedges.sub(hedge, text)


_BARE_CONNECTIVE = re.compile(r"(?:^|(?<=[。！？；]))(?:同时|此外|另外|并且|而且|因此|总之)[，,]?(?:[。！？；]|$)", re.M)
_CONTINUES = re.compile(r"^(?:以及|及其|和|与|或者?|并且|而且|乃至|还|也)")
# a clause that cannot stand as the sentence's main clause: a link word alone, or a 通过/为/围绕…… phrase
_NO_MAIN_CLAUSE = re.compile(r"^(?:(?:同时|此外|另外|并且?)[，,]?$|(?:同时[，,]?)?(?:通过|为了?|围绕|按照|根据|依托|借助|针对|结合|随着))")


# What a sentence opens on once its opening clauses are gone ("通过设立党员示范岗，" + "不仅……"): a predicate with
# no subject. An effect sentence gives it "这一做法" (drafter.writing.effect_core); a sentence of the answer left so
# by a cut goes ("通过组织专家讲座……，我们成功地向社区居民普及了各种健康知识，提高了他们的自我保健能力。" left
# "提高了他们的自我保健能力。" as a sentence of its own).
PREDICATE_START = re.compile(r"^(?:不仅|有效|进一步|推动|提升|提高|增强|促进|为|使|让|既|也|还|切实|显著|激发|带动|营造)")


# A sentence's last clause that is a 通过/围绕…… phrase with no verb of its own after it ("……，通过与社区工作人员密切
# 合作。" once a cut took the clause it led into): no sentence ends so.
_DANGLING = re.compile(r"^(?:通过|围绕|按照|根据|依托|借助|针对|结合|随着)(?!.*(?:了|推动|促进|提高|提升|增强|实现|确保|形成|"
                       r"带动|解决|完成|达到|使|让))")


# A purpose with nothing done for it ("为提高档案管理水平。" once a cut took the clause after it): no sentence ends so.
# "……，为提高……水平打下基础" and "为乡村振兴提供保障" say what was done.
_BARE_PURPOSE = re.compile(r"^为了?(?:进一步|切实|全面|深入|更好地|不断)?(?:提高|提升|加强|推进|推动|促进|确保|做好|强化|落实|"
                           r"规范|完善|解决|满足|增强|实现)(?!.*(?:打下|奠定|提供|创造|作出|做出|贡献|保障|基础|条件|营造))"
                           r"[^，。！？；]{1,24}$")


# A time or scope phrase whose statement a cut took ("截至目前，共检查……1000家" without its invented count).
_BARE_FRAME = re.compile(r"^(?:(?:截至|截止)[^，。！？；]{0,12}|目前|其中|全年|今年以来|近年来|一年来|同时|此外|另外)$"
                         # ... or a practice named as a noun, its statement cut ("党员示范岗的设立。")
                         r"|^[^，。！？；]{2,14}的(?:设立|建立|开展|实施|推进|落实|推行)$")


def without_dangling_phrases(text: str) -> str:
    """``text`` with no sentence ending on a phrase that leads into nothing (``_DANGLING``, ``_BARE_PURPOSE``,
    ``_BARE_FRAME``): the phrase goes, or the sentence when it is all such phrases."""
    def dangling(clause: str) -> bool:
        return bool(_DANGLING.match(clause) or _BARE_PURPOSE.match(clause) or _BARE_FRAME.match(clause))

    def fixed(m: re.Match[str]) -> str:
        sentence = m.group(0)
        end = sentence[-1] if sentence[-1] in "。！？" else ""
        clauses = sentence[:len(sentence) - len(end)].split("，")
        if not dangling(clauses[-1].strip()):
            return sentence
        while clauses and (dangling(clauses[-1].strip()) or _NO_MAIN_CLAUSE.match(clauses[-1].strip())):
            clauses.pop()
        return "，".join(clauses) + end if clauses else ""

    return re.sub(r"[^。！？\n]+[。！？]?", fixed, text)


def drop_ungrounded_clauses(text: str, facts: Facts, extra: str = "") -> str:
    """``text`` without what makes its sentences fail the grounding check (drafter.checks.grounding): from each
    flagged sentence the clause with the most nouns neither the facts nor the genre has goes, then the next,
    until it passes; a sentence of one such clause goes whole. A sentence of the facts' work with one clause
    of made-up detail keeps the rest ("……组织了4次专题研讨，通过学习党章、党纪法规和典型案例，增强了……"
    had gone whole, and its piece with it)."""
    if "\n" in text:
        return "\n".join(drop_ungrounded_clauses(line, facts, extra) for line in text.split("\n"))
    known = known_text(facts, extra)
    out = []
    for sentence in re.findall(r"[^。！？；]+[。！？；]?", text):
        clauses = re.findall(r"[^，。！？；]+[，。！？；]?", sentence)
        head_cut = False
        while clauses and grounding_findings("".join(clauses), facts, extra=extra):
            if len(clauses) == 1:
                clauses = []
                break
            worst = max(range(len(clauses)), key=lambda i: (len(ungrounded(clauses[i], known)), i))
            # a clause that only continues the one cut ("……的医疗咨询，以及优先使用……", "不仅……，还……") goes with it
            last = worst + 1
            while last < len(clauses) and _CONTINUES.match(clauses[last]) and not clauses[last - 1].endswith("。"):
                last += 1
            end = clauses[last - 1][-1] if clauses[last - 1][-1] in "。！？；" else ""
            head_cut = head_cut or worst == 0
            del clauses[worst:last]
            if end and clauses:  # the sentence keeps its end on the clause now last
                clauses[-1] = clauses[-1].rstrip("，") + (end if worst == len(clauses) else "")
            if all(_NO_MAIN_CLAUSE.match(c) for c in clauses):  # "同时，通过开展……服务。": no sentence left
                clauses = []
        if head_cut and clauses and PREDICATE_START.match(clauses[0]) and not clauses[0].startswith("为"):
            clauses = []  # its subject went with the clause cut: a predicate alone is no sentence
        out.append("".join(clauses))
    return "".join(out).strip("，")


def _drop_sentences(text: str, section_type: str, facts: Facts, known: str = "") -> str:
    text = drop_ungrounded_clauses(text, facts, known)  # detail the facts do not give, clause by clause
    keep_words = {e["word"] for e in rules().off_register if e.get("drop") is False}
    findings = [f for f in section_body_findings(text, section_type, facts, thin=False)
                if f.code in _DROP_CODES and not (f.code == "PROSE_REGISTER" and text[f.span[0]:f.span[1]] in keep_words)]
    findings += grounding_findings(text, facts, extra=known)  # detail the facts do not give: invented
    spans = []
    for f in findings:
        start, end = f.span or (0, 0)
        left = max(text.rfind(c, 0, start) for c in _SENTENCE_END + "\n") + 1
        right_candidates = [i for i in (text.find(c, end - 1) for c in _SENTENCE_END) if i != -1]
        right = min(right_candidates) + 1 if right_candidates else len(text)
        newline = text.find("\n", start)
        if newline != -1 and newline < right:
            right = newline
        spans.append((left, right))
    kept = text
    for left, right in sorted(set(spans), reverse=True):
        kept = kept[:left] + kept[right:]
    kept = "\n".join(line for line in kept.split("\n") if line.strip("，。；！？ "))
    if count_chars(kept) >= min(MIN_KEPT_CHARS, 0.3 * count_chars(text)):
        return kept
    # most sentences carry the defect ("纳税人满意度93.8分，是该部门在……取得的重要成就。"): cut clauses instead
    from drafter.verify import drop_clauses

    clauses, _ = drop_clauses(text, findings)
    if count_chars(clauses) >= min(MIN_KEPT_CHARS, 0.3 * count_chars(text)):
        return clauses
    # nearly all of it was defective: keep the longer remainder if it is a sentence at all (figures the rules
    # cut are stated again by verification)
    best = max(clauses, kept, key=count_chars)
    return best if count_chars(best) >= 10 else text


def _drop_repeated_figures(text: str) -> str:
    """A later sentence whose numbers were all stated before ("居民诉求办结率为98.6%，代表了…" twice more) goes."""
    seen: set = set()
    out_lines = []
    for line in text.split("\n"):
        kept = []
        for sentence in (m.group() for m in sentence_pieces(line)):
            keys = {m.key for m in extract_numbers(sentence) if m.kind not in ("date", "ordinal")}
            if keys and keys <= seen and kept:
                continue
            seen |= keys
            kept.append(_without_repeated_figure_clauses(sentence))
        out_lines.append("".join(kept))
    return "\n".join(out_lines)


def _without_repeated_figure_clauses(sentence: str) -> str:
    """A clause that says a figure of an earlier clause of its sentence again ("查摆问题62条，已整改58条，通过深入分析
    和整改58条问题，已整改58条。" in a held-out draft) goes: its numbers are all in one earlier clause, which shares at
    least half the pairs of characters of the shorter of the two. "参学率100%，覆盖率100%" keeps both."""
    body = sentence.rstrip("。！？；")
    end = sentence[len(body):]
    parts = re.split(r"([，,])", body)
    earlier: list[tuple[set, set[str]]] = []  # number keys and character pairs of the clauses kept
    out: list[str] = []
    for clause, mark in zip(parts[0::2], [*parts[1::2], ""], strict=True):
        keys = {m.key for m in extract_numbers(clause) if m.kind not in ("date", "ordinal")}
        pairs = bigrams(cjk_only(clause))
        if keys and out and any(keys <= k and 2 * len(pairs & p) >= min(len(pairs), len(p)) > 0 for k, p in earlier):
            continue
        earlier.append((keys, pairs))
        out += [clause, mark]
    return "".join(out).rstrip("，,") + end


_BARE_ORDINAL = re.compile(r"(?:^|(?<=[。；]))[一二三四五六七八九十]是[^，。；！？\n]{1,4}[。；]", re.M)  # "二是党员带动。"


_ORDINAL = re.compile(r"(?:^|(?<=[。；：]))([一二三四五六七八九十])是(?!否)", re.M)


def renumber(text: str) -> str:
    """一是……三是……四是 (a clause cut between them) becomes 一是……二是……三是; a list whose 一是 is missing
    ("开展春风行动，二是……，三是……": the first item written without its ordinal) gets it at the start of its
    sentence; a lone 二是 with no other ordinal in its run is dropped. A run restarts at each 一是 (two lists
    in one section). Ordinals after a comma are separated by semicolons."""
    text = re.sub(r"[，,](?=[二三四五六七八九十]是(?!否))", "；", text)
    text = re.sub(r"((?:^|(?<=[。；：]))[一二三四五六七八九十]是)[，,]\s*", r"\1", text, flags=re.M)  # 一是，由于…
    marks = list(_ORDINAL.finditer(text))
    runs: list[list[re.Match[str]]] = []
    for m in marks:
        if m.group(1) == "一" or not runs:
            runs.append([])
        runs[-1].append(m)
    wanted: dict[int, str] = {}
    first_at: dict[int, int] = {}  # a run without its 一是: where the first item's sentence starts
    for run in runs:
        start = 0
        if run[0].group(1) != "一":
            start = max(text.rfind(c, 0, run[0].start()) for c in "。\n") + 1
            lead = text[start:run[0].start()]
            if len(lead.strip("；，")) >= 4 and "：" not in lead:
                first_at[start] = 1
        offset = 1 if start in first_at else 0
        count = len(run) + offset
        for n, m in enumerate(run, 1 + offset):
            wanted[m.start()] = "" if count == 1 else to_chinese(n) + "是"
    cuts = sorted([(m.start(), m.end(), wanted[m.start()]) for m in marks] + [(p, p, "一是") for p in first_at])
    out, last = [], 0
    for begin, end, replacement in cuts:
        out.append(text[last:begin])
        out.append(replacement)
        last = end
    return "".join(out) + text[last:]


MAX_ORDINAL = 10  # 十是: a longer enumeration is no enumeration (continue_ordinals)


def continue_ordinals(text: str, after: int, total: int = 0) -> tuple[str, int]:
    """``text``'s enumeration (一是……四是) numbered on from ``after`` (五是……八是), when it follows paragraphs of
    the same piece that used ``after`` ordinals ("其他工作": four practices a model call, a paragraph each, and
    each paragraph opened on 一是 again); with the last ordinal used. A piece of more than ``MAX_ORDINAL`` items
    (``total``) is no enumeration: its points stand as clauses, "开展……；开展……" (numbered on, a 40-activity
    summary ran 一是……八是 four times over). An enumeration that is not one run from 一是 is left as it is."""
    marks = list(_ORDINAL.finditer(text))
    if not marks:
        return text, after
    numbers = [parse_cn_int(m.group(1)) for m in marks]
    if numbers != list(range(1, len(marks) + 1)):
        return text, after
    if total > MAX_ORDINAL:  # the points as parallel clauses ("开展丙……；开展丁……。"), not sentence after sentence
        # opening on the same words ("开展丙。开展丁。开展戊。": the prose check's 句首雷同)
        clauses = re.sub(r"。(?=[一二三四五六七八九十]是(?!否))", "；", text)
        return _ORDINAL.sub("", clauses), after + len(marks)
    if not after or after + len(marks) > MAX_ORDINAL:
        return text, len(marks)
    out, last = [], 0
    for n, m in enumerate(marks, after + 1):
        out.append(text[last:m.start()] + to_chinese(n) + "是")
        last = m.end()
    return "".join(out) + text[last:], after + len(marks)


MAX_LESSON_POINTS = 4  # the lessons prompt asks for two or three; seven came back, one per practice
_POINT_START = re.compile(r"(?<=[。；\n])(?=[一二三四五六七八九十]是)")


def _lessons_not_practices(text: str) -> str:
    """几点启示 as lessons: a point that carries a figure is a practice told again ("三是设立党员创新工作室5个，推动技术
    创新；……七是设立困难职工帮扶基金50万元……"): its clauses with figures go, or the point when it is all figures and
    two points without one stay; at most
    ``MAX_LESSON_POINTS`` points are kept, in one paragraph or a paragraph each. The markers are renumbered after."""
    parts = _POINT_START.split(text)
    points = [i for i, x in enumerate(parts) if _ORDINAL.match(x)]
    # a point's clauses that hold a figure go when a clause without one is left ("二是注重把党员培养成技术骨干，全年
    # 发展党员11名。" → "二是注重把党员培养成技术骨干。"); a point that is all figures is a practice told again
    before = list(parts)
    parts = [_without_figure_clauses(x) if i in points else x for i, x in enumerate(parts)]
    figured = {i for i in points if re.search(r"\d", parts[i])}
    drop = figured if len(points) - len(figured) >= 2 else set()
    keep = [i for i in points if i not in drop][:MAX_LESSON_POINTS]
    if len(keep) == len(points) and parts == before:
        return text
    out = "".join(x for i, x in enumerate(parts) if i not in points or i in keep).rstrip()
    return out[:-1] + "。" if out.endswith("；") else out


def _without_figure_clauses(point: str) -> str:
    """A lesson point without its clauses that hold a figure; a sentence all of figures stays whole, and so does
    the point when its opening clause (the lesson itself, after 一是) holds one: it is a practice told again."""
    if re.search(r"\d", re.split(r"[，。；！？\n]", point, maxsplit=1)[0]):
        return point

    def fixed(m: re.Match[str]) -> str:
        sentence, end = m.group(1), m.group(2)
        clauses = sentence.split("，")
        kept = [c for c in clauses if not re.search(r"\d", c)]
        return ("，".join(kept) if kept and len(kept) < len(clauses) else sentence) + end

    return re.sub(r"([^。；！？\n]+)([。；！？\n]?)", fixed, point)


_RUN_IN_MARKER = re.compile(r"(?<=[。；！？])(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)(?=[^\s，。])")


# The unit speaking of itself as 我们 in a 做法 paragraph, where the genre leaves a known subject out ("同时，我们坚持
# 定期召开……" → "同时，坚持定期召开……"; "公司党委我们通过……" → "公司党委通过……"). 存在问题's "我们也清醒地看到" is
# its frame's, not the model's.
_PRONOUN = re.compile(r"(?:我们|他们)(?=[\u4e00-\u9fff])(?!的)")
# 他们 only before an adverb that carries the unit's own doing on ("同时，他们还组织了……" in a 局党委's 做法): before a
# verb it may be the people just named ("组建党员突击队，他们冲在一线")
_PRONOUN_SUBJECT = re.compile(r"(?:(?<=[，。；！？])|^)(?:我们(?=[\u4e00-\u9fff])(?!的)|他们(?=还|也|又))", re.M)


def _unit_as_purpose(text: str, unit: str) -> str:
    """"为城关镇党委，城关镇党委坚持……" / "为红星村党支部，成立……" / "为青崖县税务局党委，国家税务总局青崖县税务局
    党委开展……", "为澄岭县人力资源和社会保障局举办招聘会，……": asked to open on a purpose (为……，), the model put
    the unit, the unit's name shortened, or a clause naming the unit there; the unit is the subject."""
    if not unit:
        return text

    def is_unit(name: str) -> bool:  # the unit's name or a shortening of it: all its characters are the unit's
        return name == unit or name in unit or (len(name) >= 4 and set(name) <= set(unit))

    def subject(m: re.Match[str]) -> str:
        # the unit as what the work is for ("为澄岭县人力资源和社会保障局举办招聘会，") is no purpose either
        if not is_unit(m.group(1)) and unit not in m.group(1):
            return m.group(0)
        return "" if text.startswith(unit, m.end()) else unit

    # a pronoun opening the clause after it goes with it: "为……公司党委，我们通过……" is not "公司党委我们通过……"
    return re.sub(r"(?:^|(?<=[。！？；]))为([^，,。；！？\n]{2,40})[，,]\s*(?:" + _PRONOUN.pattern + ")?", subject, text,
                  flags=re.M)


# A purpose (为……，) that is only the name of the work ("为根治欠薪冬季专项行动，……局开展了……"): asked to open on a
# purpose, the model put the activity there: the work was done in it ("在根治欠薪冬季专项行动中，"); a purpose with
# its own verb ("为开展好……活动，", "为提升……水平，") stays.
_ACTIVITY_AS_PURPOSE = re.compile(
    r"(?:^|(?<=[。！？；]))为(?!了)(?!开展|推进|做好|抓好|加强|落实|深化|实施|确保|提升|提高|增强|推动|促进|进一步|切实|"
    r"全面|扎实|更好|解决|保障|营造|打造|建设|服务|巩固|夯实|发挥|激发)([^，,。；！？\n]{2,24}(?:专项行动|行动|活动|主题教育|"
    r"学习教育|改革|工程))[，,]", re.M)


def _activity_as_purpose(text: str) -> str:
    return _ACTIVITY_AS_PURPOSE.sub(r"在\1中，", text)


# A purpose that only says the practice again ("为推动党员亮身份进市场，……全体党员9名全部亮身份进市场"; "为推动轻微违法
# 行为免罚清单的推行，" for 推行轻微违法行为免罚清单): what it names, without its verb, is (nearly) all words of one of
# the facts' practices. A purpose of its own ("为提升校园周边食品安全，" for 开展校园周边食品安全专项整治) names more.
_RESTATED_PURPOSE = re.compile(r"(?:^|(?<=[。！？；]))为(?:推动|推进|落实|开展|实施|推行)"
                               r"([^，,。；！？\n]{3,30}?)(的推行|的落实|的开展|的实施)?[，,]([^。！？\n]*)", re.M)
RESTATED_SHARE = 0.85  # of the purpose's character pairs found in one practice of the facts
SAID_AGAIN_SHARE = 0.6  # of them found again in the rest of its sentence


def cjk_only(text: str) -> str:
    """``text``'s Chinese characters only."""
    return re.sub(r"[^\u4e00-\u9fff]", "", text)


def _names_a_practice(words: str, facts: Facts, share: float = RESTATED_SHARE) -> bool:
    """Whether ``words`` are (nearly, ``share`` of their character pairs) one practice of the facts."""
    said = bigrams(cjk_only(words))
    return bool(said) and any(len(said & bigrams(cjk_only(a))) >= share * len(said) for a in facts.activities)


def _restated_purpose_left_out(text: str, facts: Facts) -> str:
    """Drops 为 + a practice's own words when the purpose is a tautology: it nominalises the practice ("为推动……的
    推行，") or the sentence goes on to say the practice ("为推动党员亮身份进市场，……全体党员9名全部亮身份进市场").
    "为加强政府债务风险防控，县财政局通过建立……" (the practice's aim, then how) stays."""
    def dropped(m: re.Match[str]) -> str:
        if not _names_a_practice(m.group(1), facts):
            return m.group(0)
        said, again = bigrams(cjk_only(m.group(1))), bigrams(cjk_only(m.group(3)))
        return m.group(3) if m.group(2) or len(said & again) >= SAID_AGAIN_SHARE * len(said) else m.group(0)

    return _RESTATED_PURPOSE.sub(dropped, text)


# A practice done for someone, put where a purpose goes ("为独居老人提供助餐服务，社区党委每天帮助86名独居老人……"):
# 为 + the practice's own words (no aim verb after 为), then the unit as the subject. The unit goes first, and 为
# reads as "for" again: "社区党委为独居老人提供助餐服务，每天帮助……".
_PRACTICE_AS_PURPOSE = re.compile(r"(?:^|(?<=[。！？；]))(为(?!了)[^，,。；！？\n]{4,40})[，,]", re.M)
# of the clause's character pairs (the unit's name taken out) found in one practice: "为全体党员教师与学困生结对" has 8 of
# its 12 in "党员教师38名全部与学困生结对"; with no aim verb after 为 nothing else is said in it
PRACTICE_FOR_SHARE = 0.6
_AIM_VERB = re.compile(r"^为(?:开展|推进|做好|抓好|加强|落实|深化|实施|确保|提升|提高|增强|推动|促进|进一步|切实|全面|扎实|"
                       r"更好|解决|保障|营造|打造|建设|巩固|夯实|发挥|激发|完善|健全|强化|规范|优化|满足|方便|让|使)")


def _without_unit(words: str, unit: str) -> str:
    """``words`` without the longest piece (4 characters or more) of the unit's name in them ("为禾屿县第二中学全体党员
    教师与学困生结对" of 禾屿县第二中学党支部 → "为全体党员教师与学困生结对")."""
    for size in range(len(unit), 3, -1):
        for i in range(len(unit) - size + 1):
            if unit[i:i + size] in words:
                return words.replace(unit[i:i + size], "", 1)
    return words


def _practice_for_someone(text: str, facts: Facts) -> str:
    names = [n for n in (facts.unit, short_unit_name(facts.unit)) if n]
    out, pos = [], 0
    for m in _PRACTICE_AS_PURPOSE.finditer(text):
        name = next((n for n in names if text.startswith(n, m.end())), "")
        words = _without_unit(m.group(1), facts.unit)
        if not name or _AIM_VERB.match(m.group(1)) or not _names_a_practice(words, facts, PRACTICE_FOR_SHARE):
            continue
        out += [text[pos:m.start()], name, m.group(1), "，"]
        pos = m.end() + len(name)
    return "".join(out) + text[pos:]


# What cannot open a sentence once the subject before it is gone: a particle, or a word that needs its subject
# ("县财政局的……", "县财政局和……").
_BROKEN_START_AFTER = re.compile(r"^(?:的|了|着|地|和|与|及|等|是|为|在其|之)")


def _varied_openings(text: str, unit: str) -> str:
    """The third and later sentences of a paragraph that open on the same words as two before (prose check
    PROSE_OPENING), where the opening can go: the unit's name, which the sentences before have made the known
    subject ("县财政局坚持……。县财政局通过……。县财政局建立……。"), and 通过 before a verb ("通过强化……，有效控制了……。
    通过建立……，及时发现……。通过制定……，提高了……。" → "制定……，提高了……。"). Others stay for the check."""
    import jieba.posseg

    def varied(line: str) -> str:
        out, counts = [], Counter()
        for m in sentence_pieces(line, "。！？"):
            sentence = m.group(0)
            head = sentence_head(sentence)
            counts[head] += 1
            core = sentence.lstrip()
            if head and counts[head] >= rules().repeat_head_times:
                if unit and core.startswith(unit) and re.match(r"[\u4e00-\u9fff]", core[len(unit):]) and \
                        not _BROKEN_START_AFTER.match(core[len(unit):]):
                    sentence = core[len(unit):]
                elif core.startswith("通过"):
                    first = next(iter(jieba.posseg.cut(core[2:12])), None)
                    if first is not None and first.flag.startswith("v"):
                        sentence = core[2:]
            out.append(sentence)
        rest = line[sum(len(m.group(0)) for m in sentence_pieces(line, "。！？")):]
        return "".join(out) + rest

    return "\n".join(varied(line) for line in text.split("\n"))


def _items_enumerated(text: str, facts: Facts) -> str:
    """A paragraph whose sentences open on the clerk's items one after another, three or more on the same words
    ("开展村级后备干部培养，……。开展党员冬训，……。开展“党员中心户”创建，……。" in a piece of several practices),
    numbered as the genre does (一是开展……。二是开展……。三是……), at most ``MAX_ORDINAL`` to a paragraph; a
    paragraph that numbers already stays."""
    openings = {o for o in (cjk_only(a)[:4] for a in facts.activities) if len(o) == 4}
    if not openings:
        return text

    def numbered(line: str) -> str:
        if _ORDINAL.search(line):
            return line
        pieces = [m.group(0) for m in sentence_pieces(line, "。！？")]
        is_item = [cjk_only(p)[:4] in openings for p in pieces]
        heads = Counter(sentence_head(p) for p, item in zip(pieces, is_item, strict=True) if item)
        if not heads or max(heads.values()) < rules().repeat_head_times or sum(is_item) > MAX_ORDINAL:
            return line
        out, n = [], 0
        for p, item in zip(pieces, is_item, strict=True):
            if item:
                n += 1
                p = to_chinese(n) + "是" + p.lstrip()
            out.append(p)
        return "".join(out) + line[sum(len(p) for p in pieces):]

    return "\n".join(numbered(line) for line in text.split("\n"))


def _pronoun_subject_left_out(text: str, unit: str) -> str:
    """``text`` without the unit's 我们 (``_PRONOUN_SUBJECT``) and without a pronoun right after the unit's name."""
    if unit:
        text = re.sub(re.escape(unit) + _PRONOUN.pattern, unit, text)
    return _PRONOUN_SUBJECT.sub("", text)


# The verb a practice opens on, which the model drops after 坚持 ("坚持“不忘初心、牢记使命”主题教育" for 开展“不忘初心、
# 牢记使命”主题教育; "坚持“双培养”工程" for 实施“双培养”工程): 坚持 takes a practice with its verb (坚持开展……). Not
# 完成: a one-off is not kept up ("坚持完成食品安全监督抽检制度" in a held-out draft).
_ITEM_VERB = re.compile(r"^(开展|实施|推行|推进|设立|建立|组建|组织|举办|落实|深化|创建|打造|划定|选派|成立)")


# 坚持 before a practice told as a count of what was done ("公司党委坚持节假日保畅通期间组建党员突击队15支", "坚持党员带头
# 认领茶园管护片区18个"): asked to open on the unit's approach (……坚持……), the model put 坚持 before the practice
# itself; a one-off count is done, not kept up. A recurring one ("坚持每月开展……2次", "坚持定期……") stays.
_JIANCHI_COUNT = re.compile(r"坚持(?![^，,。；！？]*(?:每|定期|常态|经常|长期|始终))"
                            r"(?=[^，,。；！？]{2,40}?\d+(?:\.\d+)?(?:个|支|名|项|座|家|场|次|期|件|户|亩|处|条|所|批次|人次|"
                            r"万元|亿元|元|公里|万页|卷))")
# "坚持盘活闲置校舍和老仓库这一工作思路": a practice of the facts called a 思路/做法 after 坚持 is the practice itself.
_JIANCHI_AS_IDEA = re.compile(r"坚持([^，,。；！？]{4,40}?)这一(?:工作)?(?:思路|做法|举措|理念|原则)(?![\u4e00-\u9fff])")


def _jianchi_one_off(text: str, facts: Facts) -> str:
    """``text`` without 坚持 before a one-off count (``_JIANCHI_COUNT``) and without "这一工作思路" after a practice of
    the facts (``_JIANCHI_AS_IDEA``)."""
    def practice(m: re.Match[str]) -> str:
        return f"坚持{m.group(1)}" if _names_a_practice(m.group(1), facts) else m.group(0)

    return _JIANCHI_COUNT.sub("", _JIANCHI_AS_IDEA.sub(practice, text))


def _jianchi_with_its_verb(text: str, facts: Facts) -> str:
    """``text`` with each practice the facts open on a verb (``_ITEM_VERB``) given that verb back where 坚持 is
    followed by the whole of what the verb governs (its first clause, without a closing figure): "坚持困难职工帮扶
    工作" is no 设立困难职工帮扶基金50万元, and stays."""
    for item in facts.activities:
        m = _ITEM_VERB.match(item.strip())
        if not m:
            continue
        what = re.split(r"[，,。；]", item.strip()[m.end():])[0]
        what = re.sub(r"\d+(?:\.\d+)?[^\d\s，。]{0,3}$", "", what)
        if len(what) >= 4:
            text = re.sub("坚持" + re.escape(what), "坚持" + m.group(1) + what, text)
    return text


# "坚持“在职党员到社区报到认领岗位”作为推动……的重要抓手": 作为 takes 把, not 坚持 (坚持把/以……作为 stay).
_JIANCHI_ZUOWEI = re.compile(r"坚持(?![把以将])([^，。；！？]{2,30}?)作为")


def _quoted_items_unquoted(text: str, facts: Facts) -> str:
    """A practice the clerk gave put in quotes as if it were a slogan ("坚持“为行动不便老人提供上门服务”这一工作
    思路"): quotes mark names, so a quoted span the facts give unquoted, of six characters or more, loses them."""
    known = facts.all_text()

    def unquoted(m: re.Match[str]) -> str:
        inner = m.group(1)
        return inner if len(inner) >= 6 and inner in known and m.group(0) not in known else m.group(0)

    return re.sub(r"“([^“”\n]+)”", unquoted, text)


# A named programme explained with 即…… the facts do not give: the explanation is the model's ("坚持“双向进入、交叉
# 任职”制度，即不干预企业的经营决策，不参与企业的日常管理" — the opposite of what it means).
_DEFINED_NAME = re.compile(r"(”[^，。；！？“]{0,6})[，,]\s*即[^。！？；]*")


def _explanations_given(text: str, facts: Facts) -> str:
    """``text`` without the 即…… explanations of named programmes that the facts do not give (``_DEFINED_NAME``)."""
    given = facts.all_text()
    return _DEFINED_NAME.sub(lambda m: m.group(0) if m.group(0)[len(m.group(1)):].lstrip("，, ") in given
                             else m.group(1), text)


# The paragraph shape of write_practice_* said back as content: "最后一句概括写这项工作起到的作用" came back as
# "这项工作起到了显著的作用，提升了……", "写这项工作的目的" as "坚持支部建在网格上这一工作目的，……".
_ROLE_EFFECT = re.compile(r"(这项工作|这一做法|此项工作)(?:起到了?|发挥了?)[^，。；！？]{0,6}?作用")
_ROLE_PURPOSE = re.compile(r"这一(?:工作)?目的(?=[，。；])")


def _prompt_roles_unsaid(text: str) -> str:
    """``text`` without the names of the prompt's sentence roles (``_ROLE_EFFECT``, ``_ROLE_PURPOSE``): the effect
    goes on from its subject ("这项工作提升了……"); a sentence that was nothing but the role goes."""
    text = re.sub(r"(?:^|(?<=[。！？]))" + _ROLE_EFFECT.pattern + r"[。！？]", "", text, flags=re.M)
    text = re.sub(r"[，,]" + _ROLE_EFFECT.pattern + r"(?=[。！？])", "", text)  # "……，这一做法发挥了积极作用。"
    return _ROLE_PURPOSE.sub("", re.sub(_ROLE_EFFECT.pattern + r"[，,]", r"\1", text))


_SELF = re.compile(r"我([局院校所馆委站队厂处科])")


def _wrong_self_reference(text: str, unit: str) -> str:
    """"我局" in a 县档案馆's draft ("为我局提供了有力的支撑"): a self-reference of another kind of unit is the unit's
    name; one the name bears out (我局 of a 县市场监管局党组) stays."""
    return _SELF.sub(lambda m: m.group(0) if m.group(1) in unit else unit, text) if unit else text


_CORRELATIVE = re.compile(r"不仅(?=[^。！？；]*(?:还|也|而且|更|并))")
# A sentence opening on the second half of 不仅……还…… after a cut took the first ("……顺利进行。还增强了团队的凝聚力和
# 战斗力" once "这不仅提高了工作效率，" went): it goes on from the sentence before, as 同时还…… does.
_ORPHAN_SECOND_HALF = re.compile(r"(?:^|(?<=[。！？]))(还|也)(?!有|是|就|要|需|应|存在)(?=[\u4e00-\u9fff])", re.M)


def _unpaired_correlatives(text: str) -> str:
    """"不仅" without its "还/也/而且" in the sentence goes: a cut clause took the second half ("这项工作不仅提高了
    工作效率，还增强了……归属感。" → "这项工作不仅提高了工作效率。" in an eval draft)."""
    def fixed(sentence: str) -> str:
        if "不仅" not in sentence or "不仅如此" in sentence or _CORRELATIVE.search(sentence):
            return sentence
        return sentence.replace("不仅", "", 1)

    return re.sub(r"[^。！？；\n]+", lambda m: fixed(m.group(0)), text)


_HEDGES = ("大约", "约", "左右")  # "about": true of the exact value too, so said of it only the hedge is wrong


def _exact_figures_unhedged(text: str, facts: Facts) -> str:
    """A fact's exact figure written with "约"/"大约"/"左右" loses the hedge: "投资约2.35亿元" of "投资2.35亿元" is
    the figure blurred (the numbers check does not count a hedged mention as the figure, and a held-out draft
    failed on it). A hedge the facts write themselves ("约1500人") stays, as do 近/超过/以上, whose direction the
    numbers check judges."""
    idx = index_facts(facts)
    cuts = []
    for n in extract_numbers(text):
        base, unit = n.key
        if n.approx not in _HEDGES or (base, unit) not in idx.keys or (n.approx, base, unit) in idx.approx:
            continue
        start, end = n.span
        if text.startswith(n.approx, end):
            cuts.append((end, end + len(n.approx)))
        elif text[:start].endswith(n.approx):
            cuts.append((start - len(n.approx), start))
    for begin, end in sorted(cuts, reverse=True):
        text = text[:begin] + text[end:]
    return text


# "多次召开专题会议研究基层治理工作5次" (a held-out draft): a vague count in the clause that gives the exact one.
_VAGUE_COUNT = re.compile(r"(?:多次|数次|多场|多期)(?=[^，,。；！？\n]{1,30}?\d+(?:\.\d+)?(?:次|场|期|轮|批))")


def polish(text: str, section_type: str, facts: Facts, known: str = "") -> Polished:
    """``known``: text beyond the facts the piece may draw on (its heading; when rewriting, the current body and
    the editor's instruction) — its words are not invented."""
    before = count_chars(text)
    out = _RUN_IN_MARKER.sub("", text)  # "……成效。一、发展党员36名" — the engine numbers headings, not the model
    out = _delete_words(out)
    out = _lists_to_prose(out)
    out = _bare_lines_to_prose(out)
    out = _delete_words(out)  # a connective that opened a list line now follows 一是
    out = _unit_as_purpose(out, facts.unit)
    out = _activity_as_purpose(out)
    out = _restated_purpose_left_out(out, facts)
    out = _practice_for_someone(out, facts)
    if section_type == "主要做法":
        out = _pronoun_subject_left_out(out, facts.unit)
    out = _wrong_self_reference(out, facts.unit)
    out = _quoted_items_unquoted(out, facts)
    out = _explanations_given(out, facts)
    out = _JIANCHI_ZUOWEI.sub(r"把\1作为", out)
    out = _jianchi_with_its_verb(out, facts)
    out = _jianchi_one_off(out, facts)
    out = _prompt_roles_unsaid(out)
    out = _varied_openings(out, facts.unit)
    out = _items_enumerated(out, facts)
    out = _drop_sentences(out, section_type, facts, known)
    out = _unpaired_correlatives(out)
    out = _ORPHAN_SECOND_HALF.sub(r"同时\1", out)
    out = _drop_repeated_figures(out)
    out = _exact_figures_unhedged(out, facts)
    out = _VAGUE_COUNT.sub("", out)
    out = _BARE_ORDINAL.sub("", out)
    if section_type == "经验体会":
        out = _lessons_not_practices(out)
    out = renumber(out)
    out = re.sub(r"([。！？；])[，、；]+", r"\1", out)  # "不足。，当前" left by a cut clause
    out = re.sub(r"^[，、；]+", "", out, flags=re.M)
    out = re.sub(r"[，、；]+$", "。", out, flags=re.M).strip()
    out = _BARE_CONNECTIVE.sub("", out).strip()  # "……优点和不足。同时。": the clause after it was cut
    out = without_dangling_phrases(out)
    after = count_chars(out)
    # the ordinal words 一是/二是 are what the rules insert; everything else that changed was cut
    inserted = len(re.findall(r"[一二三四五六七八九十]+是", out)) * 2 - len(re.findall(r"[一二三四五六七八九十]+是", text)) * 2
    inserted = max(0, inserted)
    return Polished(out, cut=max(0, before - after + inserted), inserted=inserted)


# How many characters a closing an earlier piece used must share with a sentence's end to count as said again: 4
# (the prose check's tail) took "……，提高工作人员的工作效率" and "……，取得了显著成效" off LOO drafts, 6 keeps them.
SAID_ENDING_CHARS = 6


def without_said_endings(text: str, before: str) -> tuple[str, int]:
    """``text`` (a piece) without the closing formula an earlier piece of its section (``before``) already ended a
    sentence on (their last ``SAID_ENDING_CHARS`` characters alike): its last clause goes, or the sentence when it
    is one clause ("……，为教育事业的发展奠定了坚实的基础。" closed four of six 做法 pieces of one draft; each piece is
    written on its own). A cut that would leave the sentence ending on a clause with no main verb ("……，通过定期会议
    和培训。"), or the piece under ``MIN_KEPT_CHARS``, is not made; returns the text and the characters cut."""
    def ending(sentence: str) -> str:
        cjk = cjk_only(sentence)
        return cjk[-SAID_ENDING_CHARS:] if sentence_tail(sentence) else ""

    said = {e for m in re.finditer(r"[^。！？\n]+[。！？]", before) if (e := ending(m.group(0)))}
    if not said:
        return text, 0
    out = text
    for m in reversed(list(re.finditer(r"[^。！？\n]+[。！？]", text))):
        sentence = m.group(0)
        if ending(sentence) not in said:
            continue
        clauses = sentence[:-1].split("，")
        if len(clauses) > 1 and _NO_MAIN_CLAUSE.match(clauses[-2]):
            continue  # "……，通过定期会议和培训，提高了……": what would be left ends on no sentence
        # the clause cut may be the second half of 不仅……也……: "这次学习教育不仅提升了党员干部的政治素养。" is no sentence
        head = _unpaired_correlatives("，".join(clauses[:-1]) + sentence[-1]) if len(clauses) > 1 else ""
        shorter = out[:m.start()] + head + out[m.end():]
        if count_chars(shorter) >= MIN_KEPT_CHARS:
            out = shorter
    return out, count_chars(text) - count_chars(out)
