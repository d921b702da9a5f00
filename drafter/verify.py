"""Stage — verify & repair: the checks run on each section; what fails is re-prompted, then fixed by rule.

Order per section: (1) invented numbers and names leaked from exemplars → re-prompt with the findings, at
most ``max_repairs`` times; (2) still there → drop the clause that carries each one (deterministic);
(3) figures or numbered items assigned to the section but absent → append a template sentence that states
them. Whatever cannot be fixed stays flagged with its reason and position, so nothing unverified reaches
the user unmarked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Protocol

from drafter.checks import (
    copied_runs,
    invented_names,
    invented_numbers,
    invented_titles,
    leaked_terms,
    prompt_leaks,
)
from drafter.checks.base import Finding
from drafter.checks.coverage import bigrams, item_recall, sentence_windows
from drafter.checks.figures import OUTSIDE_PERIOD
from drafter.checks.grounding import body_headings, invented_detail
from drafter.checks.length import count_chars
from drafter.checks.political import political_findings
from drafter.checks.rules import COPY_MAX_RUN, COVERAGE_MIN_RECALL, PROMPT_ECHO_RE
from drafter.facts import Facts
from drafter.frames import figures_sentence
from drafter.outline import without_counts
from drafter.polish import cjk_only, renumber, without_dangling_phrases
from drafter.prompts import quote_data, render
from drafter.run import Attempt, Event, SectionDraft
from drafter.zh.instructions import looks_like_instruction
from drafter.zh.numbers import extract_numbers
from drafter.zh.sentences import clause_bounds
from drafter.zh.unit_names import short_unit_name

if TYPE_CHECKING:
    from drafter.llm import ChatModel


class Streaming(Protocol):
    """What ``repair`` streams a model call through (drafter.writing.Streamer)."""

    def __call__(self, model: ChatModel, messages: list[dict], kind: str, target: int, sdraft: SectionDraft,
                 emit: bool = True) -> Generator[Event, None, Attempt]: ...


# A repair answer shorter than this share of what cutting the faulted clauses would leave is not kept.
REPAIR_MIN_KEPT = 0.7
# A section may quote an exemplar for a set phrase, not for a passage: half the run the whole-draft check fails.
SECTION_COPY_RUN = COPY_MAX_RUN // 2


def section_findings(text: str, facts: Facts, examples: list[str], instructions: str = "",
                     phrasing: str = "") -> list[Finding]:
    """What verification repairs in one section: invented numbers, names leaked from exemplars, text that
    follows or echoes an instruction hidden in the facts, passages copied from an exemplar, and the writing
    instructions of the prompt repeated back (``instructions``: the prompt without its facts and exemplars), and
    titles in 《》 and names in “” the facts do not give."""
    found = list(invented_numbers(text, facts)) + list(leaked_terms(text, facts, examples)) + list(prompt_leaks(text))
    found += invented_titles(text, facts) + invented_names(text, facts)
    found += political_findings(text, facts)  # 政治性差错 are hard findings, like an invented number
    found = [f for f in found if f.severity == "error"]
    own = facts.all_text()
    # the genre's phrasing the piece was given on purpose (its passage's phrase frames) is not a copy of its source
    for start, end, ex in copied_runs(text, examples, exclude=f"{own}\n{phrasing}" if phrasing else own):
        if end - start >= SECTION_COPY_RUN:
            found.append(Finding("copied", f"与范文{ex + 1}有 {end - start} 字逐字相同，不能照抄范文", (start, end)))
    if instructions:
        for start, end, _ in copied_runs(text, [instructions], exclude=own):
            left, right = clause_bounds(text, start, end)
            if PROMPT_ECHO_RE.search(text[left:right]):
                found.append(Finding("PROMPT_ECHO", f"复述了写作要求“{text[start:end]}”，不是正文", (start, end)))
    return found


def findings_text(findings: list[Finding], text: str) -> str:
    lines = []
    for f in findings:
        where = f"（原文：“{text[f.span[0]:f.span[1]]}”）" if f.span else ""
        lines.append(f"- {f.message_zh}{where}")
    lines.append(FINDINGS_TAIL)
    return "\n".join(lines)


FINDINGS_TAIL = "- 删除或改写上述内容；资料中没有的数字、单位名称、人名一律不写。"


_PRONOUN_START = re.compile(r"^(?:我们|我局|我院|我所|我校|我委|我单位|他们)(?=[\u4e00-\u9fff])")


# A time phrase around a year: 从/自/于/在/截至 …年…月…日 起/以来/初/底…, with the comma that ends it. Not one that a
# noun goes on from ("2019年度先进基层党组织"): that year is part of a name and its clause goes whole.
_DATE_BEFORE = re.compile(r"(?:从|自|于|在|截至|截止|到)$")
_DATE_AFTER = re.compile(r"^(?:\d{1,2}月)?(?:\d{1,2}日)?(?:起|以来|开始|初|底|末|上半年|下半年|上旬|中旬|下旬|期间|份)?(?![度的\d])，?")
# what must be left of the clause for the cut to stand as a statement
_DATE_LEFT_MIN = 4


def _date_phrase(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The (left, right) of the time phrase around the year at ``text[start:end]``, or None when it is part of a
    name or cutting it would leave no statement (``_DATE_LEFT_MIN`` CJK characters) where it stood."""
    if not text[start:end].endswith(("年", "月", "日")):
        return None
    before = _DATE_BEFORE.search(text[max(0, start - 2):start])
    left = start - (len(before.group()) if before else 0)
    after = _DATE_AFTER.match(text[end:])
    if after is None:
        return None
    right = end + after.end()
    c_left = clause_bounds(text, start, end)[0]
    rest = text[c_left:left] + text[right:clause_bounds(text, right, right)[1]]
    if len(re.findall(r"[\u4e00-\u9fff]", rest)) < _DATE_LEFT_MIN:
        return None
    return left, right


def drop_clauses(text: str, findings: list[Finding], subject: str = "") -> tuple[str, list[str]]:
    """Remove the clause (between ，；。 marks) around each finding's span; returns (text, removed clauses).
    A removed clause that opened on ``subject`` (the unit's name) leaves the subject to the clause after it:
    "县档案馆坚持“安全第一，预防为主”的方针，定期组织……" → "县档案馆定期组织……", not a sentence without one."""
    years = {f.span for f in findings if f.code in OUTSIDE_PERIOD}
    spans = sorted({f.span for f in findings if f.span}, reverse=True)
    removed: list[str] = []
    for start, end in spans:
        if start >= len(text):
            continue
        if (start, end) in years and (phrase := _date_phrase(text, start, end)):
            # a wrong year goes with its time phrase, the statement stays: "党支部决定从2019年7月起，在每个社区
            # 设立……" → "党支部决定在每个社区设立……"
            removed.append(text[phrase[0]:phrase[1]])
            text = text[: phrase[0]] + text[phrase[1]:]
            continue
        left, right = clause_bounds(text, start, end)
        closing = text[right] if right < len(text) else ""
        removed.append(text[left:right])
        if subject and closing == "，" and text[left:right].startswith(subject) \
                and not text[right + 1:].startswith(subject):
            # the clause after it opening on a pronoun for the unit takes the name in its place ("……党委我们实施……")
            text = text[:left] + subject + _PRONOUN_START.sub("", text[right + 1:], count=1)
            continue
        if closing in "。！？" and left > 0 and text[left - 1] == "，":
            # "…，bad clause。" → "…。": keep the sentence end on the clause before
            text = text[: left - 1] + closing + text[right + 1:]
        else:
            text = text[:left] + text[right + (1 if closing and closing != "\n" else 0):]
    text = re.sub(r"，([。！？])", r"\1", text)
    text = re.sub(r"^[，；]+", "", text, flags=re.M)
    text = "\n".join(line for line in text.split("\n") if line.strip("，。；！？ "))
    return text.strip(), removed


def cuttable(text: str, findings: list[Finding], figures: list[str], items: list[str], subject: str,
             share: float) -> bool:
    """Whether cutting the faulted clauses (``drop_clauses``) costs at most ``share`` of ``text`` and leaves every
    figure and item it states. On 2 CPU cores a model repair writes the whole piece again (20–30 s for one wrong
    year or one made-up slogan), and the 1.5B's repairs often fail: asked to drop the year of "决定从2019年7月起，
    在每个社区设立……" it wrote 2025年7月, a month the facts do not give; the cut keeps "……党支部在每个社区设立……"."""
    if share <= 0 or not findings or not all(f.span for f in findings):
        return False
    left, _ = drop_clauses(text, findings, subject=subject)
    if not left or count_chars(text) - count_chars(left) > share * count_chars(text):
        return False
    before, after = missing_in(text, figures, items), missing_in(left, figures, items)
    return set(after[0]) <= set(before[0]) and set(after[1]) <= set(before[1])


def missing_in(text: str, figure_texts: list[str], items: list[str]) -> tuple[list[str], list[str]]:
    """Figures assigned to this section whose numbers do not occur in ``text``, and items it does not
    reflect: numbers absent, or (fuzzy, as the coverage check measures it) the item's words absent.
    Instruction-like items (prompt injection) are never put into the draft."""
    present = {m.key for m in extract_numbers(text)}
    missing_figs = [f for f in figure_texts if not numbers_present(f, present)]
    windows = sentence_windows(text)
    missing_items = [
        i for i in items
        if not looks_like_instruction(i)
        and ((extract_numbers(i) and not numbers_present(i, present))
             or item_recall(i, windows)[0] < COVERAGE_MIN_RECALL)
    ]
    return missing_figs, missing_items


def numbers_present(snippet: str, present: set) -> bool:
    wanted = [m.key for m in extract_numbers(snippet) if m.kind not in ("date", "ordinal")]
    return all(k in present for k in wanted)


# What of an item the text lacks is put where the text names the item when it is this short (a figure clause,
# "，结对216对"), not appended as the item's sentence again ("……师徒结对机制，通过师傅带徒弟的方式……。建立“党员+
# 新员工”师徒结对机制，结对216对。" in a held-out draft).
INLINE_MAX_CHARS = 20
_ITEM_SPLIT = re.compile(r"[，,]|(?=\d)")


def _inline(text: str, item: str) -> str | None:
    """``text`` with the rest of ``item`` put right after the longest opening part of it that ``text`` has (six
    characters or more, ending before a comma or a number, and ending a clause of ``text``), or None when there is
    no such part or the rest is long."""
    item = item.strip().rstrip("。；;，,")
    for m in sorted(_ITEM_SPLIT.finditer(item), key=lambda x: -x.start()):
        head, rest = item[:m.start()], item[m.start():]
        at = text.find(head)
        if len(head) < 6 or at < 0 or len(rest) > INLINE_MAX_CHARS:
            continue
        end = at + len(head)
        if rest[0] == ",":
            rest = "，" + rest[1:]
        # only where the phrase ends a clause: "坚持为行动不便老人提供上门服务这一工作思路" takes no "4300人次" inside
        if text[end:end + 1] not in ("", "，", "。", "；", "、", "\n") or text.startswith(rest, end):
            continue
        # a practice kept up ("坚持党员带头认领茶园管护片区") that gets its count is a one-off: 坚持 goes with it
        # ("……党总支党员带头认领茶园管护片区18个", as polish's _JIANCHI_COUNT has it)
        if text[max(0, at - 2):at] == "坚持" and rest[:1].isdigit():
            return text[:at - 2] + head + rest + text[end:]
        return text[:end] + rest + text[end:]
    return None


def unsaid(text: str, item: str) -> str:
    """``item`` without the clauses ``text`` already has word for word: "网格员212名常态化入户走访，排查问题隐患
    1046条" after a paragraph that says "……排查问题隐患1046条。" is "网格员212名常态化入户走访" (stated whole, the
    paragraph said its last clause twice); "" when it has them all."""
    clauses = [c.strip() for c in re.split(r"[，,；;]", item.strip().rstrip("。；;，,")) if c.strip()]
    kept = [c for c in clauses if c not in text and not _said_with_its_figures(c, text)]
    return "，".join(kept) if len(kept) < len(clauses) else item.strip().rstrip("。；;，,")


# of a clause's character pairs the text must have, with all its figures, to have said it in other words
SAID_FIGURE_CLAUSE_SHARE = 0.6


def _said_with_its_figures(clause: str, text: str) -> bool:
    """Whether ``text`` says a clause with figures in other words: all its figures, and most of its pairs of
    characters ("在集贸市场设立党员示范摊位8个" after "……全体党员亮身份进集贸市场，设立党员示范摊位8个")."""
    keys = {m.key for m in extract_numbers(clause) if m.kind not in ("date", "ordinal")}
    if not keys or not keys <= {m.key for m in extract_numbers(text)}:
        return False
    pairs = bigrams(cjk_only(clause))
    return bool(pairs) and len(pairs & bigrams(cjk_only(text))) >= SAID_FIGURE_CLAUSE_SHARE * len(pairs)


def unstated_items(title: str, items: list[str]) -> list[str]:
    """The items a piece's heading does not state: one it does ("一、组建党员家庭医生团队") is carried by the heading."""
    return [i for i in items if missing_in(title, [], [i])[1]]


def appended(text: str, figure_texts: list[str], items: list[str]) -> int:
    """How many of the figures and items ``text`` lacks ``insert_missing`` would state after it, not put where the
    text names them."""
    missing_figs, missing_items = missing_in(text, figure_texts, items)
    return len(missing_figs) + sum(_inline(text, item) is None for item in missing_items)


# A paragraph opening on how the work was done, after the unit's name or not ("青石铺市场监管所通过……，").
_MEANS_START = re.compile(r"^((?:[\u4e00-\u9fff]{2,24}?(?:党委|党支部|党总支|党工委|党组|所|局|站|中心|院|学校|公司|集团|村|社区|"
                          r"街道|镇|乡|馆|队))?)通过[^，。；]{2,40}，")


def insert_missing(text: str, figure_texts: list[str], items: list[str], subjects: tuple[str, ...] = ()) -> str:
    """``text`` with the figures and items it lacks: an item where the text names it (``_inline``), else stated
    after the text — the clauses of it the text does not have already (``unsaid``). Given the unit's names
    (``subjects``), one such item of a one-paragraph piece opens it instead (``_item_first``)."""
    additions = [figures_sentence(figure_texts)] if figure_texts else []
    rests = []
    for item in items:
        placed = _inline(text, item) if text.strip() else None
        if placed is None:
            rest = unsaid(text, item)
            bare = without_counts(rest) if rest else ""
            at = text.find(bare) if bare and bare != rest else -1
            # said without its count, ending a clause: the count goes in where it is said ("坚持网格员常态化入户
            # 走访，" → "坚持网格员212名常态化入户走访，"); never inside a phrase ("……服务4300人次这一工作思路")
            if at >= 0 and text[at + len(bare):at + len(bare) + 1] in ("", "，", "。", "；", ",", ";"):
                text = text[:at] + rest + text[at + len(bare):]
            elif rest:
                rests.append(rest)
        else:
            text = placed
    # several items stated after the text are parallel clauses of one sentence ("开展……；开展……。"), not sentence
    # after sentence opening on the same verb (PROSE_OPENING in a 35-activity summary); an item that has "；" of
    # its own keeps its sentence
    if len(rests) > 1 and not any("；" in r or ";" in r for r in rests):
        additions.append("；".join(rests) + "。")
    else:
        additions += [r + "。" for r in rests]
    if not additions:
        return text
    if not text.strip():
        return "".join(additions)
    lines = text.split("\n")
    # a paragraph that opens on how the work was done ("通过加强宣传教育和培训，确保……") opens on the work itself
    # instead of ending on it as a sentence of its own ("……。推行轻微违法行为免罚清单。" in a held-out draft)
    means = _MEANS_START.match(text)
    if len(lines) == 1 and len(rests) == 1 and not figure_texts and not _ORDINAL.search(text):
        if means:
            subject = means.group(1)  # "青石铺市场监管所通过……" → "青石铺市场监管所推行……，通过……"
            return f"{subject}{rests[0]}，{text[len(subject):]}"
        if subjects:
            return _item_first(text, rests[0], subjects)
    lines[-1] = lines[-1] + "".join(additions)
    return "\n".join(lines)


def _item_first(text: str, item: str, subjects: tuple[str, ...]) -> str:
    """A practice the paragraph never states, at its head: after the unit's name where the first sentence has it
    as its subject (at the start, or after a purpose clause "为……，"), else as the paragraph's first sentence. At
    the end ("……奠定了坚实的基础。推行党委班子与管理层“双向进入、交叉任职”，4名党委委员进入经营管理层。" in a held-out
    经验材料) it reads as a stray line."""
    end = min((i for i in (text.find(c) for c in "。！？") if i >= 0), default=len(text))
    for name in sorted((s for s in subjects if s), key=len, reverse=True):
        at = text.find(name, 0, end)
        after = at + len(name)
        if at >= 0 and (at == 0 or text[at - 1] in "，,") and re.match(r"[\u4e00-\u9fff]", text[after:after + 1]) \
                and not text.startswith(("的", "是", "和", "与", "在"), after):
            return f"{text[:after]}{item}，{text[after:]}"
    return f"{item}。{text}"


_ORDINAL = re.compile(r"(?:^|[。；，])[一二三四五六七八九十]+是")
# What trimming takes out: a sentence, or one clause of it up to a "；" ("三是……；"), with any stray end marks.
_PIECE = re.compile(r"[^。！？；]+(?:[。！？；]+[”’）)]*)?|[。！？；]+[”’）)]*")


def _without(pieces: list[str], j: int) -> list[str]:
    """A paragraph's pieces without piece ``j``; a "；" left ending its sentence becomes "。"."""
    out = pieces[:j] + pieces[j + 1:]
    ends_sentence = j == len(pieces) - 1 or pieces[j].rstrip("”’）)")[-1:] in "。！？"
    if j > 0 and ends_sentence and out[j - 1].endswith("；"):
        out[j - 1] = out[j - 1][:-1] + "。"
    left = [k for k, x in enumerate(out) if _ORDINAL.search(x)]
    if len(left) == 1 and re.match(r"[一]是", out[left[0]]) and _ORDINAL.search("".join(pieces[j:j + 1])):
        out[left[0]] = out[left[0]][2:]  # an enumeration cut down to its 一是 is no enumeration
    return out


def omit_repeated_subject(text: str, unit: str) -> str:
    """``text`` with the unit's name taken out where a sentence after its first mention opens on it ("泊川县市场监督
    管理局青石铺市场监管所坚持……" in each of six sub-sections): the genre leaves the subject out once it is known
    ("坚持……"). A name followed by 的, 是 or a conjunction, or after a clause ("通过……，单位……"), stays."""
    if len(unit) < 4:
        return text
    opening = re.compile(r"(^|[。！？])" + re.escape(unit) + r"(?=[\u4e00-\u9fff])(?![的是与和及、])", re.M)
    first = text.find(unit)
    if first < 0:
        return text
    head, rest = text[:first + len(unit)], text[first + len(unit):]
    return head + opening.sub(lambda m: m.group(1), rest)


def trim_sentences(text: str, surplus: int, figure_texts: list[str], items: list[str], known: str | None = None,
                   invented_only: bool = False) -> str:
    """``text`` with up to ``surplus`` characters of sentences (or "；" clauses) removed, the later ones of the
    longest paragraphs first. A paragraph keeps its first sentence, sub-heading lines stay, and a sentence whose
    removal would lose a figure or an item the section must carry stays (deterministic 精简).
    With ``known`` (the facts' text, drafter.checks.grounding.known_text), sentences of made-up specifics
    (``invented_detail``) go before all others, the most invented first, a paragraph's first one too when it
    has more; ``invented_only``: no other sentence goes."""
    lines = text.split("\n")
    sentences = [[line] if line.startswith("（") else _PIECE.findall(line) for line in lines]
    needed = missing_in(text, figure_texts, items)
    if known is not None:
        known = "\n".join([known, body_headings(text)])
    removed = 0

    def joined(parts: list[list[str]]) -> str:
        return "\n".join("".join(p) for p in parts)

    def invented(i: int, j: int) -> int:
        if known is None or any(_ORDINAL.search(x) for x in sentences[i][j + 1:]):
            return 0  # a 一是 whose 二是 follows stays: the enumeration would lose its start
        if j == 0 and re.match(r"\s*[一二三四五六七八九十]+是", sentences[i][0]):
            return 0  # a paragraph that is one point of an enumeration ("三是推进……建设，……") keeps its point
        return len(invented_detail(sentences[i][j], known))

    while removed < surplus:
        order = sorted(range(len(lines)), key=lambda i: -sum(len(x) for x in sentences[i]))
        plain = [(i, j) for i in order if not lines[i].startswith("（") for j in range(len(sentences[i]) - 1, 0, -1)]
        # a one-sentence paragraph after a paragraph of its own sub-section may go whole ("坚持严格执法，推动……的落实。"
        # left alone under the paragraph it was cut from)
        plain += [(i, 0) for i in order if len(sentences[i]) == 1 and i > 0 and not lines[i].startswith("（")
                  and "".join(sentences[i - 1]) and not lines[i - 1].startswith("（")]
        made_up = sorted(((invented(i, j), i, j) for i in order if not lines[i].startswith("（")
                          and len(sentences[i]) > 1 for j in range(len(sentences[i]))), key=lambda x: -x[0])
        candidates = [(i, j) for n, i, j in made_up if n] + ([] if invented_only else plain)
        for i, j in candidates:
            if len(sentences[i][j]) > surplus - removed and invented_only:
                continue
            trial = [_without(p, j) if k == i else p for k, p in enumerate(sentences)]
            if missing_in(joined(trial), figure_texts, items) == needed:
                removed += len(sentences[i][j])
                sentences = trial
                break
        else:
            break  # every sentence left carries something, or opens its paragraph
    # an enumeration cut down to one point is no enumeration ("采取了以下措施：一是明确责任和标准。这项工作……")
    return renumber("\n".join(line for line in joined(sentences).split("\n") if line.strip()))


def repair(stream: Streaming, model: ChatModel, sdraft: SectionDraft, facts: Facts, title: str, text: str,
           block: str, figures: list[str], items: list[str], examples: list[str], target: int, *,
           clean: Callable[[str], str], max_repairs: int = 1, instructions: str = "", phrasing: str = "",
           cut_share: float = 0.0) -> Generator[Event, None, str]:
    """The repair loop of one piece: findings → re-prompt (kept only if it has fewer findings) → clauses
    dropped → missing figures and items stated by template; what is left is flagged on the section.
    ``clean`` turns a repair answer into body text (sanitised and polished like the first answer); ``phrasing``:
    the phrase frames the piece was given, whose wording it may use (``section_findings``). Findings whose clauses
    can go at a cost of at most ``cut_share`` of the text, with every figure and item still stated, are cut
    without a model call (``cuttable``)."""
    # an item the piece's own heading states ("一、组建党员家庭医生团队") is carried by the heading: it is not
    # appended to the body again as a sentence
    items = unstated_items(title, items)
    # a repair answer that repeats the repair prompt ("删除或改写上述内容。" as the piece's last line) echoes it
    instructions = "\n".join([instructions, *(m["content"] for m in render(
        "repair_section", genre=facts.genre, unit=quote_data(facts.unit), section_title=title, facts_block="",
        previous="", findings=FINDINGS_TAIL, target_chars=target))])
    findings = section_findings(text, facts, examples, instructions, phrasing)
    sdraft.attempts[-1].findings = [f.to_dict() for f in findings]
    if findings and cuttable(text, findings, figures, items, facts.unit, cut_share):
        max_repairs = 0  # straight to the cut below
    repairs = 0
    while findings and repairs < max_repairs:
        repairs += 1
        yield Event("repair", sdraft.index, data={"attempt": repairs, "findings": [f.message_zh for f in findings]})
        messages = render("repair_section", genre=facts.genre, unit=quote_data(facts.unit), section_title=title,
                          facts_block=block, previous=text, findings=findings_text(findings, text),
                          target_chars=target)
        attempt = yield from stream(model, messages, "repair", target, sdraft, emit=False)
        candidate = clean(attempt.output)
        new_findings = section_findings(candidate, facts, examples, instructions, phrasing)
        attempt.findings = [f.to_dict() for f in new_findings]
        # kept only if it is better than cutting the faulted clauses, which keeps the rest: asked to take out one
        # invented slogan, the 1.5B answered with the first of three sentences
        cut = count_chars(drop_clauses(text, findings)[0])
        if len(new_findings) < len(findings) and candidate.strip() and count_chars(candidate) >= REPAIR_MIN_KEPT * cut:
            text, findings = candidate, new_findings
    if findings:
        text, removed = drop_clauses(text, findings, subject=facts.unit)
        text = re.sub(r"[，、；]+$", "。", text, flags=re.M)  # a paragraph the cut left on a comma
        text = renumber(text)  # "二是……" alone after its 一是 went: the enumeration's markers follow the cut
        text = without_dangling_phrases(text)  # "……，通过与社区工作人员密切合作。": what it led into was cut
        sdraft.edits["cut"] = sdraft.edits.get("cut", 0) + sum(len(r) for r in removed)
        sdraft.attempts.append(Attempt(kind="fallback", prompt=None, output=text,
                                       findings=[{"removed": r} for r in removed]))
    missing_figs, missing_items = missing_in(text, figures, items)
    if missing_figs or missing_items:
        longer = insert_missing(text, missing_figs, missing_items, (facts.unit, short_unit_name(facts.unit)))
        sdraft.edits["inserted"] = sdraft.edits.get("inserted", 0) + len(longer) - len(text)
        text = longer
    left = section_findings(text, facts, examples, instructions, phrasing)
    sdraft.flags.extend({"code": f.code, "message": f.message_zh, "text": text[f.span[0]:f.span[1]] if f.span else ""}
                        for f in left)
    return text
