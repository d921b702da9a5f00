"""Stage — write: one section (or sub-section) per model call, streamed, from a prompt template file.

The facts go in as a quoted data block; exemplars only for style. The model's output is sanitised: any
heading, numbering, Markdown or chatter it adds is removed (the engine owns structure), half-width
punctuation is normalised, and a cut-off last sentence is trimmed back to the last full stop.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drafter import document, frames, verify
from drafter.checks import invented_names
from drafter.checks.base import Finding
from drafter.checks.coverage import bigrams
from drafter.checks.grounding import body_findings as grounding_findings
from drafter.checks.length import count_chars
from drafter.checks.prose import section_body_findings
from drafter.exemplars import piece_exemplar
from drafter.facts import Facts
from drafter.frames import MEASURE_MAX_CHARS, MEASURE_MIN_CHARS
from drafter.llm import (
    ChatModel,
    LLMError,
    LocalModelCrashedError,
    count_messages,
    count_tokens,
    fit_to_budget,
    reply_tokens,
)
from drafter.outline import PLACEHOLDER, OutlineSection, is_short, short_title
from drafter.polish import PREDICATE_START, continue_ordinals, polish, without_said_endings
from drafter.prompts import choice, quote_data, render
from drafter.retrieval import Retrieval, exemplar_texts
from drafter.run import Attempt, Event, Run, SectionDraft
from drafter.settings import Settings
from drafter.zh.headings import match_heading
from drafter.zh.instructions import looks_like_instruction
from drafter.zh.punctuation import normalise_punctuation
from drafter.zh.unit_names import short_unit_name

if TYPE_CHECKING:
    from drafter.clients import Clients

_CHATTER = re.compile(r"^(好的|以下是|下面是|本节|注[:：]|说明[:：]|当然|根据(您|你)提供|【|参考语气|写作要求|必须用到|"
                      r"单位[:：]|时间[:：]|主题[:：]|数据[:：]|事项[:：]|字数[:：]|约\d+字)")
# A line that is no sentence: short, with no clause mark at all (a bullet the model listed: "每季度撰写笔记").
_FRAGMENT = re.compile(r"^[^。！？；，,;!?]{1,20}$")
_MARKDOWN = re.compile(r"^\s*(#{1,6}\s*|[-*+]\s+|>\s*|\d+\)\s+)|\*\*|__|`+")
# An inline numbered list ("……包括以下几点：1. 增加了……；2. 优化了……；4. 强化了……"): its markers go, or a cut clause
# leaves "4. 强化了……" at a line start, which reads as a heading the outline does not have.
_INLINE_NUMBER = re.compile(r"(?<=[：:；;。，,！？])\s*(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[）)])\s*")


def facts_block(facts: Facts, figures: list[str], items: list[str]) -> str:
    """The section's facts as a numbered list of quoted data (no labels a small model would echo)."""
    lines = [quote_data(f) for f in figures] + [quote_data(i) for i in items]
    if not lines:
        return "（本节没有具体数据，不要写任何数字）"
    return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))


def examples_block(examples: list[str], frames: bool = False) -> str:
    """Exemplars for tone only, shortened; their facts must not be reused (the checks enforce it).
    ``frames``: the first is a passage's phrase frames (drafter.exemplars.phrase_frames)."""
    if not examples:
        return ""
    if frames:
        rest = examples_block(examples[1:])
        return (f"参考句式（摘自同类材料，“……”处只能填本单位的事实，没有对应事实的句子不写）：\n{quote_block(examples[0])}"
                + (f"\n{rest}" if rest else ""))
    joined = "\n".join(quote_block(e) for e in examples)
    return f"参考语气（只学写法，不得照抄其中的内容和数字）：\n{joined}"


def quote_block(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if line.strip())


def unwrap_quotes(line: str) -> str:
    """A line the model put in quotation marks whole, without them; a line that opens on a quoted name keeps it
    ("“警民同心”调解室的建立，……" lost its opening mark to a plain strip of quotes at both ends)."""
    for left, right in (("“", "”"), ('"', '"'), ("'", "'")):
        inner = line[1:-1]
        if len(line) > 2 and line[0] == left and line[-1] == right and left not in inner and right not in inner:
            return inner.strip()
    return line


def sanitize(text: str, section_title: str = "", keep: set[str] | None = None) -> str:
    """The model's answer as clean body paragraphs of an official document. Lines in ``keep`` (the
    section's own sub-headings, when rewriting it) stay as they are."""
    paragraphs: list[str] = []
    for raw in text.replace("\r", "").split("\n"):
        line = unwrap_quotes(_INLINE_NUMBER.sub("", _MARKDOWN.sub("", raw)).strip())
        if not line or _CHATTER.match(line):
            continue
        if keep and line in keep:
            paragraphs.append(line)
            continue
        h = match_heading(line)
        if h is not None:
            if not re.search(r"[。！？；]", line):
                continue  # a heading of its own: the engine numbers sections
            line = line[len(h.marker):].strip()
        if section_title and line.strip("：:。 ") == section_title:
            continue
        line = normalise_punctuation(line)
        if _FRAGMENT.match(line) or line.endswith(("：", ":")):
            continue  # a bare list item or a lead-in ("具体做法如下：") the engine's own structure replaces
        paragraphs.append(line)
    # a section never ends on a bare sub-heading
    while paragraphs and keep and paragraphs[-1] in keep:
        paragraphs.pop()
    body = "\n".join(p for p in paragraphs if p)
    return trim_unfinished(body)


def trim_unfinished(body: str) -> str:
    """Cut a last sentence the token limit broke off; keep text that has no full stop at all."""
    body = body.rstrip()
    if not body or body[-1] in "。！？”）":
        return body
    cut = max(body.rfind("。"), body.rfind("！"), body.rfind("？"))
    if cut >= len(body) * 0.4:
        return body[: cut + 1]
    return body.rstrip("，、；：,;: ") + "。"


# ---------------------------------------------------------------------------------------------- the stage

REWRITE_PRESETS: dict[str, str] = {
    "精简": "在不丢失任何事实和数据的前提下精简压缩，篇幅减少约一半",
    "扩写": "在不新增任何数字和事实的前提下充实论述，篇幅增加约一半",
    "补充数据": "把本节资料中的全部数据都写进正文，数字照原样使用",
    "更加正式": "改用更加规范、庄重的公文语言",
    "突出特色": "突出本单位做法的特色和亮点，语言更有概括性",
}
PRESET_LENGTH = {"精简": 0.5, "扩写": 1.5}


LESSONS = "两到三"  # how many lessons 经验体会 draws from the practices
MAX_CUT_SHARE = 0.3  # more of an answer cut by the rules than this: the answer is rewritten (Writer.piece)
# a local model's findings cut instead of repaired when the cut costs at most this share of the piece (verify.cuttable)
LOCAL_CUT_SHARE = 0.25
EMPTY_BADNESS = 100  # a piece with no text left at all: written again whatever else is wrong with the retry
# A piece shorter than this share of its target is written once more, like one that fails the prose check: the
# 1.5B now and then answers a three-sentence prompt with the fact line alone ("与县农投公司合作建设村级光伏电站1座，
# 年收益8.6万元。" for 250 字; the same prompt wrote 116 字 in the run before).
RETRY_BELOW = 0.4
MAX_PIECE_PARAGRAPHS = 2  # a 做法 piece is one paragraph (two when the rules put a fact on a line of its own)
# A 做法 piece shorter than this share of its target, with at least EFFECT_MIN_CHARS of it left, is carried on by
# a sentence or two of what the work did (Writer.effect); what it adds is at most EFFECT_MAX_CHARS.
EFFECT_BELOW, EFFECT_MIN_CHARS, EFFECT_MAX_CHARS = 0.6, 60, 120
# An effect sentence whose character pairs (the unit's name aside) are this share or more already in the paragraph
# says it again in other words ("通过实施“双培养”工程，……不仅提高了员工的技术能力和政治素质，还推动了企业持续健康
# 发展" after "……提高员工的技术能力和政治素质，推动企业持续健康发展"; 0.68, where a new effect measured 0.05–0.32).
EFFECT_MAX_SAID = 0.55
# What an effect sentence may not hold: a figure (stated once, where the paragraph states it: "通过……，组建的党员家庭
# 医生团队18个，不仅……" after "……组建党员家庭医生团队18个。"), persons ("我们及时发现……", "他们", "党员们"), the
# prompt said back ("第二句：", "这项工作带来的变化是，"), or an opening purpose clause with no subject after it
# ("为推动……，有力推动了……").
_NO_EFFECT = re.compile(r"\d|[\u4e00-\u9fff]们|我[局院校所]|第[一二三]句|带来的变化|变化和意义|"
                        r"^为[^，。]*，(?:为|有力|有效|进一步|推动|促进)")
_ORDINAL_START = re.compile(r"^\s*[一二三四五六七八九十]是")
# A 经验体会 answer shorter than this share of its target is carried on point by point (Writer.lesson_reasons):
# each point gets a sentence or two of what it was learned from, about its share of what is missing, within these.
LESSON_BELOW = 0.7
LESSON_REASON_MIN, LESSON_REASON_MAX = 30, 90
_POINT = re.compile(r"(?:^|(?<=[。；;\n]))\s*(?=[一二三四五六七八九十]是)")


def said_or_faulted(sentence: str, said: set[str], facts: Facts, examples: list[str], instructions: str,
                    known: str, code: str) -> list[dict]:
    """Why a sentence cannot carry a paragraph on (an effect, a lesson's grounds), or []: it says again what is
    said (``said``: character pairs; finding ``code``), or fails what a plan's measure fails (a number, a name,
    a political term, the prompt said back, invented detail)."""
    pairs = bigrams(sentence.replace(facts.unit, ""))
    if len(pairs & said) >= EFFECT_MAX_SAID * max(1, len(pairs)):
        return [{"code": code, "text": sentence}]
    return [f.to_dict() for f in [*verify.section_findings(sentence, facts, examples, instructions),
                                  *grounding_findings(sentence, facts, extra=known)]]


def effect_core(sentence: str, said: set[str], unit: str) -> str:
    """``sentence`` without its opening clauses that say the paragraph (``said``: its character pairs) again:
    asked for what the work changed, the model opens on the practice ("通过开展党员志愿服务，青龙乡党委不仅……")
    and 42 of 59 recorded effect answers were passed over whole for it. A predicate left without a subject gets
    "这一做法"; the last clause always stays (the sentence is then judged whole, as before)."""
    clauses = sentence.split("，")
    dropped = 0
    while len(clauses) - dropped > 1:
        pairs = bigrams(clauses[dropped].replace(unit, ""))
        if not pairs or len(pairs & said) < EFFECT_MAX_SAID * len(pairs):
            break
        dropped += 1
    if not dropped:
        return sentence
    rest = "，".join(clauses[dropped:])
    return f"这一做法{rest}" if PREDICATE_START.match(rest) else rest

def effect_sentences(body: str, text: str, title: str, facts: Facts, examples: list[str], instructions: str,
                     room: int) -> tuple[str, list[dict]]:
    """The sentences of an effect answer (``body``, polished) that carry the paragraph ``text`` on, at most two and
    about ``room`` characters, and the findings of those passed over. Sentence by sentence: asked not to, the model
    still says the paragraph over again first ("通过开展“一校一品”党建品牌创建，各党支部……"); a sentence that repeats
    it, or fails a check, is passed over. The paragraph's own words are no grounds for its effect: a detail the
    model made up there and the effect took over ("茶树的产量和质量……茶农的参与度") passed when they were, and then
    failed the draft's grounding check, which holds a sentence against the facts and its heading only."""
    known = f"{title}\n{text}"
    added, rejected = "", []
    baseline = len(section_body_findings(text, "主要做法", facts))
    for sentence in re.findall(r"[^。！？]*[。！？]", body):
        sentence = without_echoes(sentence)
        if count_chars(added) >= room:
            break
        said = bigrams(f"{known}{added}".replace(facts.unit, ""))
        # the clauses saying the practice again go first: the figure they repeat is no reason to pass over the rest
        sentence = effect_core(sentence, said, facts.unit)
        if sentence.count("，") >= 6 or not sentence.strip("。！？") or _NO_EFFECT.search(sentence):
            continue
        if sentence.startswith("这一做法") and "这一做法" in added:  # not twice in a row
            continue
        prose = section_body_findings(text.rstrip() + added + sentence, "主要做法", facts)[baseline:]
        faults = said_or_faulted(sentence, said, facts, examples, instructions, title, "effect_said_before")
        if faults or prose:
            rejected += faults or [f.to_dict() for f in prose]
            continue
        added += sentence
        if len(re.findall(r"[。！？]", added)) >= 2:
            break
    return added, rejected


_LEAD_VERB = re.compile(r"^(?:进一步|不断|持续|着力)?[\u4e00-\u9fff]{2}")


def without_echoes(text: str) -> str:
    """``text`` without a clause that says again what an earlier one said after its verb ("坚持社区警务与基层网格
    深度融合，推动社区警务与基层网格深度融合，确保社区警务与基层网格深度融合")."""
    seen: set[str] = set()
    out = []
    for clause in re.findall(r"[^，；。]+[，；。]?", text):
        core = _LEAD_VERB.sub("", clause.strip("，；。 "))
        if len(core) >= 4 and core in seen:
            if clause[-1:] == "。" and out:  # the sentence keeps its end
                out[-1] = out[-1].rstrip("，；") + "。"
            continue
        seen.add(core)
        out.append(clause)
    return "".join(out)


_PLAN_TIME_LEAD = re.compile(r"^(?:今年|\d{4}年)?(?:下半年|明年|来年|今后|下一步|新的一年)[，,]?")


def measure_after(text: str, plan: str, names: tuple[str, ...] = ()) -> str:
    """What an answer to ``write_plan`` adds to its plan: the plan said back at its start goes (word for word, or
    a first clause that is mostly its characters, the unit's ``names`` and 将 before it not counted: "街道党工委将
    深化物业服务企业党的工作全覆盖" after "下半年实现物业服务企业党的工作全覆盖"), and so does an ordinal ("一是"); the
    engine states the plan."""
    text = _ORDINAL_START.sub("", text.strip().replace("\n", ""))
    core = plan.strip().rstrip("。；;，, ")
    if text.startswith(core):
        return text[len(core):].lstrip("，,；;。 ")
    # "下半年，栗川市望桥街道党工委将深化……": the time the plan is for, said before it, goes with it
    text, core = _PLAN_TIME_LEAD.sub("", text), _PLAN_TIME_LEAD.sub("", core) or core
    if text.startswith(core):
        return text[len(core):].lstrip("，,；;。 ")
    first, _, rest = re.split(r"([，,；;。])", text, maxsplit=1) if re.search(r"[，,；;。]", text) else (text, "", "")
    name = next((n for n in sorted(names, key=len, reverse=True) if n and first.startswith(n)), "")
    first = re.sub(r"^(?:将|要|会)", "", first[len(name):]) or first
    if rest and len(set(first) & set(core)) >= 0.7 * len(set(first)):
        return rest.lstrip("，,；;。 ")
    return text


def aim_joined(text: str, aim: str) -> str:
    """A plan's measures with the aim the prompt asked for (``aim``, "确保……") kept in their sentence: the 1.5B
    writes it as a sentence of its own with no subject ("……推动青年干部成长成才。确保青年干部……得到全面提升", 7 times
    in the 34 drafts of a 34-case eval run), where the genre runs one plan as one sentence ("一是……，进一步健全……，
    确保……。")."""
    word = aim.strip("…。， ")
    return re.sub(rf"。(?={re.escape(word)})", "，", text) if word else text


@dataclass
class WritePolicy:
    """How much exemplar text a writing prompt carries, which depends on the model.

    The embedded 0.5B model does not learn tone from exemplars, it copies them (often off-topic: a 医院
    sentence in a 市场监管局 summary); verification cuts the copies and the sections shrink. Measured on 7 eval
    cases: exemplars of 240 chars → 1 of 3 in length; 100 chars → 3 of 7; none → 5 of 7 in length, no copying,
    prompts a quarter as long. With a 150-char delexicalised passage per piece (drafter.exemplars) it copied
    whole passages of other units (an 教育局's 述职评议 paragraph in a 派出所 summary); measured again with passages
    gated by kind of work (3 cases): prose defects 0.5 → 2.3 per 1,000 characters ("镇党委立足山区资源禀赋" in
    a 职业中专's summary); and once more with passages of the facts' own unit type only, their unfit sentences
    left out (10 cases): sentences of invented detail 24 → 34, prose defects 0.3 → 0.7 per 1,000. Given as
    phrase frames instead (another unit's nouns left as gaps, drafter.exemplars.phrase_frames; 10 cases, same
    commit): the checks improved (9 of 10 pass against 7, prose 0.53 against 0.63 per 1,000) but 14 pieces
    copied a frame's genre content into the wrong unit ("教育质量稳步提升" in a 派出所's 成效, "扶贫" in a 学校's
    启示), which no check catches. So the 0.5B model (速度优先) writes from the facts alone.
    The 1.5B model (质量优先, the default) with the shaped 做法 prompts is given the phrase frames: on the 24 eval
    cases the share of sentences of invented detail fell from a median of 9 % (mean 11 %) to 0 % (mean 6 %), with
    the same 19 of 24 passing and prose 0.07 per 1,000; it still copies a frame's enumeration now and then
    ("一是把……骨干培养成党员" filled badly in a 职业中专). Both embedded models get 基本情况, 取得成效, 存在问题
    and 下一步打算 from frames (drafter.frames: the 0.5B invented national bodies and leaders in the one, causes
    and remedies in another); the 1.5B carries each plan of 下一步打算 on with a clause of measures (``plans``:
    the bare frame, "一是积极培植财源；二是……。", is a list of headings, not the genre's plans, and left drafts short
    of their target); a model behind an endpoint gets whole exemplars and writes every section. The
    embedded model's pieces that fail the prose check (one thin sentence, a label list) are written once more.
    The 1.5B writes a 做法 paragraph of three or four sentences whatever its share; one short of 0.6 of it is
    carried on by a sentence or two of what the work changed (``effect``, ``practice_effects``; the prompt's
    history is in ``write_practice_effect.yaml``).
    """

    exemplar_chars: int
    exemplar_tokens: int
    piece_exemplar_chars: int
    frame_sections: bool  # 基本情况 and 存在问题 by frame from the facts (drafter.frames), no model call
    max_repairs: int = 1
    # findings whose clauses can be cut at most at this share of a piece, its facts all kept, are cut instead of
    # re-prompted (verify.cuttable): a local model's repair costs as much as the piece
    cut_share: float = 0.0
    prose_retries: int = 0  # a piece failing the prose check is written once more (Writer.piece)
    passage_same_unit_type: bool = False  # a piece's passage must come from a unit of the facts' own type
    passage_frames: bool = False  # a piece's passage is given as phrase frames, its content left as gaps
    plan_measures: bool = False  # 下一步打算: the frame, each plan carried on by the model (Writer.plans)
    # a 做法 piece written far short of its share written once more (Writer.best_piece), then one still short
    # carried on by its effect (Writer.effect); 几点启示 written as a line of headlines carried on point by point
    # (Writer.lesson_reasons)
    practice_effects: bool = False

    def framed(self) -> frozenset[str]:
        """The section types written by frame (drafter.frames) alone, with no model call."""
        if not self.frame_sections:
            return frozenset()
        return frames.FRAMED - {"下一步打算"} if self.plan_measures else frames.FRAMED

    @classmethod
    def for_settings(cls, settings: Settings, *, exemplar_chars: int | None = None,
                     exemplar_tokens: int | None = None, piece_exemplar_chars: int | None = None,
                     frame_sections: bool | None = None, max_repairs: int = 1,
                     prose_retries: int | None = None, plan_measures: bool | None = None,
                     practice_effects: bool | None = None) -> WritePolicy:
        local = not settings.llm_base_url
        small = local and settings.local_model == "speed" and not settings.local_model_path  # the 0.5B model
        configured = settings.piece_exemplar_chars if piece_exemplar_chars is None else piece_exemplar_chars
        if configured is None and small:
            configured = 0  # the 0.5B model copies what it is shown into the wrong unit (measurements above)

        def pick(value, if_local, if_endpoint):
            return value if value is not None else (if_local if local else if_endpoint)

        return cls(exemplar_chars=pick(exemplar_chars, 0, 240), exemplar_tokens=pick(exemplar_tokens, 0, 400),
                   piece_exemplar_chars=configured if configured is not None else 150,
                   frame_sections=pick(frame_sections, True, False),
                   max_repairs=max_repairs, cut_share=LOCAL_CUT_SHARE if local else 0.0,
                   prose_retries=pick(prose_retries, 1, 0), passage_same_unit_type=local,
                   passage_frames=local, plan_measures=local and not small if plan_measures is None else plan_measures,
                   practice_effects=local and not small if practice_effects is None else practice_effects)


class Streamer:
    """Streams one model call into an ``Attempt`` (deltas as events). A crashed local model process is
    restarted once per ``reset`` (one write or regenerate call); a second crash is raised."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.restarts_left = 1

    def reset(self) -> None:
        self.restarts_left = 1

    def __call__(self, model: ChatModel, messages: list[dict], kind: str, target: int, sdraft: SectionDraft,
                 emit: bool = True, temperature: float | None = None) -> Generator[Event, None, Attempt]:
        temperature = self.settings.llm_temperature if temperature is None else temperature
        while True:
            started = time.perf_counter()
            try:
                response = model.execute(messages, stream=True, temperature=temperature,
                                         max_tokens=reply_tokens(target, model))
                chunks = []
                for chunk in response:
                    chunks.append(chunk)
                    if emit:
                        yield Event("delta", sdraft.index, chunk)
                break
            except LocalModelCrashedError as exc:
                if self.restarts_left <= 0:
                    raise LocalModelCrashedError(exit_code=exc.exit_code, log_tail=exc.log_tail,
                                                 restarted=True) from None
                self.restarts_left -= 1  # the next request restarts the server (its endpoint's ensure())
                yield Event("restart", sdraft.index, data={"message": exc.user_message.split("。")[0] +
                                                           "，正在重启本地模型并重写本节…"})
        usage = response.usage
        output = "".join(chunks)
        attempt = Attempt(kind=kind, prompt=messages, output=output,
                          prompt_tokens=usage.prompt_tokens if usage else count_messages(messages, model),
                          completion_tokens=usage.completion_tokens if usage else count_tokens(output, model),
                          elapsed_s=round(time.perf_counter() - started, 4), first_token_s=response.first_token_s,
                          model=getattr(model, "model_id", ""), tokens_estimated=usage is None)
        sdraft.attempts.append(attempt)
        return attempt


def section_pieces(osec: OutlineSection) -> list[tuple[str, list[str], list[str], int]]:
    """(sub-heading or "", figures, items, target chars) per model call of a section."""
    if not osec.subheadings:
        return [("", osec.figures, osec.items, osec.target_chars)]
    n = len(osec.subheadings)
    groups: list[list[str]] = [[] for _ in range(n)]
    for i, item in enumerate(osec.items):
        groups[min(i, n - 1)].append(item)
    each = max(60, osec.target_chars // n)
    return [(title, osec.figures if j == 0 else [], groups[j], each) for j, title in enumerate(osec.subheadings)]


# Items one model call writes at most: asked to enumerate 35 practices in one paragraph (a sub-section "其他工作"
# of a 40-activity summary), the 1.5B model wrote 150 字 and dropped most of them.
MAX_ITEMS_PER_CALL = 4
# A 主要做法 piece with this much of its share per item writes each item in a call of its own (one paragraph
# each, ``write_practice_purpose``/``_approach``): asked for 一是……；二是…… over two practices with 327 字 to fill,
# the 1.5B said the two fact lines back (66 字, and 66 again on the retry). In a 24 + 10-case eval run, pieces
# of several items reached a median 0.59 of their share, pieces of one item 0.71; three of the seven drafts
# short of the length check had such a piece.
SINGLE_CALL_CHARS = 120


def model_calls(osec: OutlineSection) -> list[tuple[int, str, list[str], list[str], int]]:
    """(piece number, sub-heading or "", figures, items, target chars) per model call: a piece's items in
    calls of at most ``MAX_ITEMS_PER_CALL`` (of one each for a 主要做法 piece with ``SINGLE_CALL_CHARS`` or
    more an item), its target shared by their items, its sub-heading on the first."""
    calls = []
    for j, (subheading, figures, items, target) in enumerate(section_pieces(osec)):
        size = (1 if osec.section_type == "主要做法" and target >= SINGLE_CALL_CHARS * max(1, len(items))
                else MAX_ITEMS_PER_CALL)
        chunks = [items[i:i + size] for i in range(0, len(items), size)] or [items]
        for c, chunk in enumerate(chunks):
            share = target if len(chunks) == 1 else max(60, target * len(chunk) // len(items))
            calls.append((j, subheading if c == 0 else "", figures if c == 0 else [], chunk, share))
    return calls


_LIST_LINE = re.compile(r"^\s*(?:\d{1,2}[.、．)）]|[（(]\d{1,2}[）)]|[一二三四五六七八九十]{1,3}[、．.]|[-*+•]\s)", re.M)


def one_paragraph(text: str, answer: str) -> str:
    """A 做法 piece answered as paragraphs of whole sentences, one paragraph: the 1.5B puts the three sentences
    it is asked for on three lines ("……增强了队伍的凝聚力。\n坚持制度落实，……\n通过以上措施，……"), and written
    again for that alone, it came back longer and with an invented date. An ``answer`` written as a numbered or
    bulleted list (the chatbot's mode), and lines that are not whole sentences, stay as they are, for the checks
    to find."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < 2 or any(line[-1] not in "。！？" for line in lines) or len(_LIST_LINE.findall(answer)) >= 2:
        return text
    return "".join(lines)


def said_twice_chars(text: str, section_type: str, facts: Facts) -> int:
    """Characters of the sentences the prose check finds said again (PROSE_REPEAT; a span found twice once)."""
    spans = {f.span for f in section_body_findings(text, section_type, facts, thin=False)
             if f.code == "PROSE_REPEAT" and f.span}
    return sum(count_chars(text[start:end]) for start, end in spans)


def polished(sdraft: SectionDraft, text: str, facts: Facts, known: str = "") -> str:
    """The rule repairs of drafter.polish, with what they cut and inserted counted on the section."""
    result = polish(text, sdraft.section_type, facts, known)
    sdraft.edits["cut"] = sdraft.edits.get("cut", 0) + result.cut
    sdraft.edits["inserted"] = sdraft.edits.get("inserted", 0) + result.inserted
    return result.text


def piece_prompt(facts: Facts, osec: OutlineSection, title: str, block: str, items: list[str],
                 target: int, piece_index: int = 0) -> tuple[str, dict]:
    """The template a piece is written with and its values. A 主要做法 piece is given its paragraph's shape:
    one practice → purpose or approach and action, how it was carried through, what it did
    (``write_practice_purpose`` and ``write_practice_approach``, alternating by ``piece_index``); several →
    一是……；二是……, each with what it did (``write_practices``). Other sections: ``write_section`` with the
    section type's task."""
    values: dict = dict(genre=facts.genre, unit=quote_data(facts.unit), section_title=title, facts_block=block,
                        target_chars=target)
    if osec.section_type == "主要做法" and len(items) == 1:  # alternate openings: not every paragraph "为……，"
        return ("write_practice_purpose" if piece_index % 2 == 0 else "write_practice_approach"), values
    if osec.section_type == "主要做法" and len(items) > 1:
        return "write_practices", {**values, "count": len(items)}
    if osec.section_type == "经验体会":
        return "write_lessons", {**values, "count": LESSONS}
    return "write_section", {**values, "task": osec.task}


class Writer:
    """Writes a section piece by piece (prompt, budget, stream, polish, verify and repair) and rewrites one."""

    def __init__(self, clients: Clients, policy: WritePolicy, stream: Streamer) -> None:
        self.clients, self.policy, self.stream = clients, policy, stream

    def write_section(self, run: Run, osec: OutlineSection, sdraft: SectionDraft,
                      retrieval: Retrieval) -> Generator[Event, None, None]:
        facts = run.facts
        yield Event("section_start", sdraft.index, sdraft.heading)
        sdraft.attempts, sdraft.flags, sdraft.exemplars = [], [], []
        sdraft.edits = {"cut": 0, "inserted": 0}
        if osec.placeholder:
            sdraft.body = PLACEHOLDER
            sdraft.flags = [{"code": "placeholder", "message": f"“{osec.title}”缺少资料，已留【待补】，请补充后重新生成"}]
        elif osec.section_type == "下一步打算" and self.policy.frame_sections and self.policy.plan_measures:
            sdraft.body = yield from self.plans(sdraft, facts, osec)
        elif osec.section_type in self.policy.framed():
            sdraft.body = frames.section_frame(facts, osec, brief=is_short(facts))
            sdraft.edits["inserted"] = len(sdraft.body)
            yield Event("delta", sdraft.index, sdraft.body, {"source": "frame"})
        else:
            hits = retrieval.by_section.get(osec.key, [])
            exemplars = exemplar_texts(hits, self.policy.exemplar_tokens, self.policy.exemplar_chars)
            parts = []
            calls = model_calls(osec)
            titles = {j: subheading for j, subheading, *_ in calls if subheading}
            shared = Counter(j for j, *_ in calls)  # model calls per piece
            piece_items: Counter[int] = Counter()  # practices per piece
            for j, _, _, items, _ in calls:
                piece_items[j] += len(items)
            numbered: dict[int, int] = {}  # per piece, the ordinals its paragraphs have used (一是……四是)
            for n, (j, subheading, figures, items, target) in enumerate(calls):
                if subheading:
                    yield Event("delta", sdraft.index, document.subheading_for(j, subheading) + "\n",
                                {"source": "outline"})
                title = titles.get(j) or osec.title
                if shared[j] > 1 and len(items) == 1 and osec.section_type == "主要做法":
                    # a practice of several under one heading is about itself, not the heading's practice (told
                    # "上门服务", the 1.5B wrote "为行动不便老人提供上门服务，……通过开展健康知识进社区宣讲")
                    title = short_title(items[0], 24)
                body = yield from self.piece(sdraft, facts, osec, title, figures, items,
                                             exemplars, retrieval.texts(), target, retrieval.excluded,
                                             index=sdraft.index + n)
                if osec.section_type == "主要做法" and (len(items) == 1 or not subheading):
                    # one practice is one paragraph: the 1.5B writes it as three or four lines of a sentence each
                    # now and then ("通过不断优化调解流程，提升工作效率。" on a line of its own); so is a piece of
                    # several practices without a sub-heading, asked for one paragraph of 一是……二是…… (a retry
                    # came as a markdown list whose "- 作用：……" lines stayed lines of their own)
                    body = "".join(line.strip() for line in body.split("\n"))
                body, cut = without_said_endings(body, "\n".join(parts))
                sdraft.edits["cut"] = sdraft.edits.get("cut", 0) + cut
                # the piece's paragraphs of several practices each number on (五是…… after a paragraph's 一是……四是),
                # not from 一是 again; a paragraph of one practice is no point of the enumeration
                body, numbered[j] = (continue_ordinals(body, numbered.get(j, 0), piece_items[j]) if len(items) > 1
                                     else (body, 0))
                parts.append(f"{document.subheading_for(j, subheading)}\n{body}" if subheading else body)
            sdraft.body = "\n".join(parts)
        sdraft.status, sdraft.error = "done", ""
        run.save_section(sdraft)
        yield Event("section_done", sdraft.index, sdraft.body, {"heading": sdraft.heading, "flags": sdraft.flags})

    def plans(self, sdraft: SectionDraft, facts: Facts, osec: OutlineSection) -> Generator[Event, None, str]:
        """下一步打算: the frame (drafter.frames.plans), each plan carried on by a model-written clause of how and to
        what end (``write_plan``). A clause that fails a check — a number, a name, a political term, invented
        detail, a prose defect — is left out: its plan then stands as the clerk gave it."""
        brief = is_short(facts)
        bare = count_chars(frames.plans(facts, osec.items, brief))
        each = min(MEASURE_MAX_CHARS, (osec.target_chars - bare) // max(1, len(osec.items)))
        measures = []
        for i, plan in enumerate(osec.items if each >= MEASURE_MIN_CHARS else []):
            measures.append((yield from self.plan_measure(sdraft, facts, plan, each, i)))
        body = frames.plans(facts, osec.items, brief, measures)
        sdraft.edits["inserted"] = sdraft.edits.get("inserted", 0) + count_chars(body) - sum(map(count_chars, measures))
        yield Event("delta", sdraft.index, body, {"source": "frame"})
        return body

    def plan_measure(self, sdraft: SectionDraft, facts: Facts, plan: str, size: int,
                     number: int = 0) -> Generator[Event, None, str]:
        """The clause that carries one plan on ("进一步健全……，确保……"), or "" when two answers fail a check: a
        number, a name, a political term, the prompt said back, a prose defect. Clauses the grounding check
        would fault are cut by polish ("完善税收制度，坚持依法治税" of a 县财政局), not the whole answer: a whole
        answer failed on one clause left 4 of 11 plans bare on 5 eval cases. The plans take the template's shapes
        (``how``, ``aim``) in turn, so that they do not all run 进一步健全……完善……确保……."""
        values = dict(genre=facts.genre, unit=quote_data(facts.unit), plan=quote_data(plan),
                      target_chars=size + count_chars(plan), how=choice("write_plan", "how", number),
                      aim=choice("write_plan", "aim", number))
        instructions = "\n".join(m["content"] for m in render("write_plan", **{**values, "plan": ""}))
        found: list[Finding] = []
        for kind, temperature in (("write", None), ("retry", min(1.0, self.clients.settings.llm_temperature + 0.4))):
            answer = yield from self.stream(self.clients.model, render("write_plan", **values), kind, size, sdraft,
                                            emit=False, temperature=temperature)
            text = aim_joined(without_echoes(measure_after(
                polished(sdraft, sanitize(answer.output, "下一步打算"), facts, plan), plan,
                (facts.unit, short_unit_name(facts.unit)))), values["aim"])
            # a named programme the facts do not have ("坚持“五项基本功”训练") is a promise the unit never made
            named = invented_names(text, facts)
            text = verify.drop_clauses(text, named)[0] if named else text
            found = [*verify.section_findings(text, facts, [], instructions),
                     *section_body_findings(text, "下一步打算", facts, thin=False)]
            if count_chars(text) >= MEASURE_MIN_CHARS // 2 and not found:
                return text
        sdraft.flags.append({"code": "plan_measure_dropped", "message": f"“{plan}”的展开未通过检查，只保留原话："
                             + "；".join(f.message_zh for f in found[:2])})
        return ""

    def piece(self, sdraft: SectionDraft, facts: Facts, osec: OutlineSection, title: str, figures: list[str],
              items: list[str], exemplars: list[str], examples: list[str],
              target: int, excluded: list[str] = (), index: int = 0) -> Generator[Event, None, str]:
        """One model-written piece; ``index`` (its place in the draft) varies the shape of its prompt."""
        # 经验体会 has no facts of its own: it is drawn from the practices, which its prompt must therefore carry
        if osec.section_type == "经验体会" and not items:
            block = facts_block(facts, figures, [a for a in facts.activities if not looks_like_instruction(a)])
        else:
            block = facts_block(facts, figures, items)
        template, values = piece_prompt(facts, osec, title, block, items, target, index)
        # Exemplars get what the context window leaves after the prompt itself and the answer.
        model = self.clients.model
        room = self.clients.settings.llm_context_window - count_messages(
            render(template, examples_block="", **values), model)
        free = room - reply_tokens(target, model) - 64
        budget = min(self.policy.exemplar_tokens, free)
        exemplars = fit_to_budget(exemplars, budget, model=model) if budget > 0 else []
        framed, phrasing = False, ""
        if self.policy.piece_exemplar_chars > 0:  # the piece's own passage, delexicalised, goes first
            found = piece_exemplar(self.clients.store, facts, osec.section_type, title, items,
                                   self.policy.piece_exemplar_chars, excluded=excluded,
                                   same_unit_type=self.policy.passage_same_unit_type,
                                   frames=self.policy.passage_frames,
                                   used=frozenset(e["hit_id"] for e in sdraft.exemplars))
            if found is not None and sum(count_tokens(t, model) for t in [found.text, *exemplars]) <= free:
                sdraft.exemplars.append(found.to_dict())
                exemplars = [found.text, *exemplars]
                examples = [*examples, found.text]  # what it was shown is checked for copying like the rest
                framed = self.policy.passage_frames
                phrasing = found.text if framed else ""  # its wording is there to be used
        messages = render(template, examples_block=examples_block(exemplars, framed), **values)
        # What the prompt asks, without its facts and exemplars: text repeating it back is an echo, not prose.
        instructions = "\n".join(m["content"] for m in render(template, examples_block="",
                                                               **{**values, "facts_block": ""}))

        def attempt(kind: str, temperature: float | None) -> Generator[Event, None, tuple[str, int, int]]:
            """One answer made into body text; returns it with its badness (prose defects left, plus one when
            the rules had to cut more than MAX_CUT_SHARE of the answer: a first-person, off-register answer) and
            how many of the piece's figures and items it left for the rules to append."""
            answer = yield from self.stream(self.clients.model, messages, kind, target, sdraft,
                                            emit=kind == "write", temperature=temperature)
            cut_before = sdraft.edits.get("cut", 0)
            clean = sanitize(answer.output, title)
            if osec.section_type == "主要做法":
                clean = one_paragraph(clean, answer.output)
            text = polished(sdraft, clean, facts, title)
            # what the rules cut of a sentence the answer said twice is a stutter, not an off-register answer
            repeated = said_twice_chars(clean, osec.section_type, facts)
            heavy = (sdraft.edits.get("cut", 0) - cut_before - repeated
                     > MAX_CUT_SHARE * max(1, len(answer.output) - repeated))
            # the piece's figures and items the answer left out for the rules to append as a string: an answer
            # written as headed lines lost all of them with the headings sanitising took out
            lost = verify.appended(text, figures, verify.unstated_items(title, items))
            text = yield from verify.repair(
                self.stream, self.clients.model, sdraft, facts, title, text, block, figures, items, examples, target,
                max_repairs=self.policy.max_repairs, instructions=instructions, phrasing=phrasing,
                cut_share=self.policy.cut_share,
                clean=lambda out: polish(sanitize(out, title), sdraft.section_type, facts, title).text)
            if not text.strip():  # nothing usable (the answer was headings only): worse than any text
                return text, EMPTY_BADNESS, lost
            # sentences of invented detail polish could not remove without emptying the piece count too; so does
            # a piece asked for one paragraph that came as more than two (a numbered list the rules unnumbered:
            # "举办书记校长培训班4期。\n在每次培训班中，邀请专家教授……\n培训期间，……" from a warmer retry)
            paragraphs = sum(1 for line in text.split("\n") if line.strip())
            return text, (len(section_body_findings(text, osec.section_type, facts)) + int(heavy)
                          + len(grounding_findings(text, facts, extra=title))
                          + int(osec.section_type == "主要做法" and paragraphs > MAX_PIECE_PARAGRAPHS)), lost

        def stated(text: str) -> str:
            """A piece left empty states its items as the unit's sentences (its heading alone says too little)."""
            if text.strip() or not items:
                return text
            sentences = "".join(f"{facts.unit}{i.strip().rstrip('。；;，,')}。" for i in items)
            sdraft.edits["inserted"] = sdraft.edits.get("inserted", 0) + len(sentences)
            return verify.insert_missing(sentences, figures, [])

        text = yield from self.best_piece(sdraft, facts, osec, title, attempt, target)
        text = stated(text)
        if self.policy.practice_effects and osec.section_type == "主要做法" and items and text.strip():
            text = yield from self.effect(sdraft, facts, title, text, target, examples)
        if self.policy.practice_effects and osec.section_type == "经验体会" and text.strip():
            text = yield from self.lesson_reasons(sdraft, facts, text, target, examples, block)
        return text

    def lesson_reasons(self, sdraft: SectionDraft, facts: Facts, text: str, target: int, examples: list[str],
                       block: str) -> Generator[Event, None, str]:
        """几点启示 written as a line of headlines, well short of its target, made a paragraph a point: each point
        carried on by a sentence or two of what it was learned from (``write_lesson_reason``). A point with no
        reason that passes the checks stays as it was; so does the whole when fewer than two points are found."""
        if count_chars(text) >= LESSON_BELOW * target:
            return text
        points = [p.strip() for p in _POINT.split(text.replace("\n", "")) if p.strip()]
        if len(points) < 2 or not all(_ORDINAL_START.match(p) for p in points):
            return text
        each = max(LESSON_REASON_MIN, min(LESSON_REASON_MAX, (target - count_chars(text)) // len(points)))
        paragraphs = []
        for number, point in enumerate(points):
            head = point.rstrip("；;。，, ") + "。"
            reason = "" if count_chars(point) >= each + 20 else \
                (yield from self.lesson_reason(sdraft, facts, head, block, each, examples,
                                              "\n".join([text, *paragraphs]), number))
            paragraphs.append(head + reason)
        if not any(p not in text for p in paragraphs):
            return text
        return "\n".join(paragraphs)  # the section's text as streamed is replaced when the section is done

    def lesson_reason(self, sdraft: SectionDraft, facts: Facts, head: str, block: str, size: int,
                      examples: list[str], section: str, number: int = 0) -> Generator[Event, None, str]:
        """The sentences (at most two) that give a lesson's (``head``) grounds in the practices, or "": each must
        pass what an effect sentence passes (no number, person, name, political term, echo, invented detail,
        prose defect) and not say the lesson or an earlier point again. The prompt's shape goes in turn
        (``number``)."""
        lesson = _ORDINAL_START.sub("", head)
        values = dict(genre=facts.genre, unit=quote_data(facts.unit), lesson=quote_data(lesson),
                      facts_block=block, target_chars=size, shape=choice("write_lesson_reason", "shape", number))
        instructions = "\n".join(m["content"] for m in render("write_lesson_reason",
                                                               **{**values, "lesson": "", "facts_block": ""}))
        answer = yield from self.stream(self.clients.model, render("write_lesson_reason", **values), "lesson",
                                        size, sdraft, emit=False)
        known = f"{section}\n{block}"
        body = polished(sdraft, sanitize(answer.output, "几点启示").replace("\n", ""), facts, known)
        said = bigrams(section.replace(facts.unit, ""))
        added, rejected = "", []
        for sentence in re.findall(r"[^。！？]*[。！？]", body):
            sentence = without_echoes(sentence).strip()
            if count_chars(added) >= size or not sentence.strip("。！？"):
                break
            # grounds run longer than an effect ("实践证明，坚持……，确保……，关键在于……，……，……。" of 84 字 is the genre)
            if _NO_EFFECT.search(sentence) or _ORDINAL_START.match(sentence) or sentence.count("，") >= 8 \
                    or count_chars(sentence) > LESSON_REASON_MAX + 30:
                rejected.append({"code": "lesson_form", "text": sentence})
                continue
            faults = said_or_faulted(sentence, said, facts, examples, instructions, known, "lesson_said_before") or \
                [f.to_dict() for f in section_body_findings(head + added + sentence, "经验体会", facts, thin=False)]
            if faults:
                rejected += faults
                continue
            added += sentence
            said |= bigrams(sentence.replace(facts.unit, ""))
            if len(re.findall(r"[。！？]", added)) >= 2:
                break
        if count_chars(added) < LESSON_REASON_MIN // 2:
            answer.findings = rejected or [{"code": "lesson_short"}]  # kept for inspection
            return ""
        return added

    def best_piece(self, sdraft: SectionDraft, facts: Facts, osec: OutlineSection, title: str,
                   attempt: Callable[[str, float | None], Generator[Event, None, tuple[str, int, int]]],
                   target: int = 0) -> Generator[Event, None, str]:
        """The piece's answer; one that fails the prose check, or a 做法 piece shorter than ``RETRY_BELOW`` of
        ``target`` (with ``WritePolicy.practice_effects``), is written once more (``WritePolicy.prose_retries``)."""
        before = ([*sdraft.flags], dict(sdraft.edits))
        text, bad, lost = yield from attempt("write", None)
        # a far-short 做法 piece goes with the effect step: both are for the 1.5B's short paragraphs
        short = (self.policy.practice_effects and osec.section_type == "主要做法"
                 and count_chars(text) < RETRY_BELOW * target)
        if (not bad and not short) or not self.policy.prose_retries:
            return text
        # A piece that fails the prose check (one thin sentence, a list, a repeat), that the rules had to cut
        # heavily, or that is far short is written once more rather than patched; the better of the two is kept
        # (less bad counting the facts it left for the rules to append, then the one that left fewer, then the
        # longer): a retry that came back as headed lines lost every figure with its headings, and the figures
        # appended as a string read worse than the first answer's defects.
        reasons = [f.message_zh for f in [*section_body_findings(text, osec.section_type, facts),
                                          *grounding_findings(text, facts, extra=title)]]
        if not reasons:
            reasons = [f"只写了 {count_chars(text)} 字，远少于本段约 {target} 字" if short else "大段文字不合公文文风"]
        yield Event("repair", sdraft.index, data={"attempt": 1, "findings": reasons})
        first = (text, [*sdraft.flags], dict(sdraft.edits))
        sdraft.flags, sdraft.edits = [*before[0]], dict(before[1])
        # warmer for a defect (the same prompt would give it again); a short answer is sampled again as it was
        warmer = min(1.0, self.clients.settings.llm_temperature + 0.4) if bad else None
        again, bad_again, lost_again = yield from attempt("retry", warmer)
        if (bad_again + lost_again, lost_again, -count_chars(again)) < (bad + lost, lost, -count_chars(text)):
            return again
        text, sdraft.flags, sdraft.edits = first
        return text

    def effect(self, sdraft: SectionDraft, facts: Facts, title: str, text: str, target: int,
               examples: list[str]) -> Generator[Event, None, str]:
        """``text`` carried on by what the work did and meant (``write_practice_effect``) when it is short of its
        target: the small model's 做法 paragraph is three or four sentences whatever length it is asked for. The
        added sentences must pass what a plan's measures pass (no number, name, political term, prompt echo,
        invented detail), say something the paragraph has not (``EFFECT_MAX_SAID``) and leave it free of prose
        defects (a repeat); otherwise ``text`` stays."""
        room = min(EFFECT_MAX_CHARS, target - count_chars(text))
        if count_chars(text) >= EFFECT_BELOW * target or room < EFFECT_MIN_CHARS:
            return text
        values = dict(genre=facts.genre, unit=quote_data(facts.unit), section_title=title, previous=quote_data(text),
                      target_chars=room)
        instructions = "\n".join(m["content"] for m in render("write_practice_effect", **{**values, "previous": ""}))
        answer = yield from self.stream(self.clients.model, render("write_practice_effect", **values), "effect", room,
                                        sdraft, emit=False)
        # held against the facts and heading only (effect_sentences): polish drops what they do not ground
        body = polished(sdraft, sanitize(answer.output, title).replace("\n", ""), facts, title)
        added, rejected = effect_sentences(body, text, title, facts, examples, instructions, room)
        joined = text.rstrip() + added  # the paragraph it carries on
        if count_chars(added) < EFFECT_MIN_CHARS // 2:
            answer.findings = rejected or [{"code": "effect_short"}]  # kept for inspection
            return text
        yield Event("delta", sdraft.index, added, {"source": "model"})
        return joined

    def rewrite(self, run: Run, index: int, instruction: str, preset: str | None) -> Generator[Event, None, None]:
        """Regenerate one section with an editor's instruction and/or a preset; the old text goes to history."""
        if not 0 <= index < len(run.sections):
            yield Event("error", index, data={"message": f"没有第 {index + 1} 节（共 {len(run.sections)} 节）"})
            return
        sdraft = run.sections[index]
        if sdraft.locked:
            yield Event("error", index, data={"message": "本节已锁定，解锁后才能重新生成"})
            return
        if preset and preset not in REWRITE_PRESETS:
            yield Event("error", index, data={"message": f"未知的预设“{preset}”，可选：{'、'.join(REWRITE_PRESETS)}"})
            return
        facts, osec = run.facts, run.outline.sections[index]
        wanted = "；".join(x for x in (REWRITE_PRESETS.get(preset or ""), instruction.strip()) if x)
        wanted = wanted or "重新组织语言，事实和数字不变"
        target = int(max(60, len(sdraft.body) or osec.target_chars) * PRESET_LENGTH.get(preset or "", 1.0))
        block = facts_block(facts, osec.figures, osec.items)
        keep = {line for line in sdraft.body.split("\n") if line.startswith("（")}
        messages = render("rewrite_section", genre=facts.genre, unit=quote_data(facts.unit), section_title=osec.title,
                          facts_block=block, current=sdraft.body, instruction=quote_data(wanted), target_chars=target)
        yield Event("section_start", sdraft.index, sdraft.heading, {"instruction": wanted})
        previous, sdraft.flags = sdraft.body, []
        model = self.clients.rewrite_model
        try:
            attempt = yield from self.stream(model, messages, "rewrite", target, sdraft)
            known = "\n".join([osec.title, previous, wanted])  # an editor's words are not invented
            text = polished(sdraft, sanitize(attempt.output, osec.title, keep), facts, known)
            text = yield from verify.repair(self.stream, model, sdraft, facts, osec.title, text, block, osec.figures,
                                            osec.items, Retrieval.of_run(run).texts(),
                                            target, max_repairs=self.policy.max_repairs, clean=lambda out: polish(
                                                sanitize(out, osec.title, keep), sdraft.section_type, facts,
                                                known).text)
        except LLMError as exc:
            run.save_section(sdraft)
            yield Event("error", sdraft.index, data={"message": exc.user_message, "error": type(exc).__name__})
            return
        if not text.strip():
            yield Event("error", sdraft.index, data={"message": "模型没有给出可用的改写，原文未改动"})
            return
        sdraft.history.append(previous)
        sdraft.body, sdraft.status = text, "done"
        run.save_section(sdraft)
        yield Event("section_done", sdraft.index, text, {"heading": sdraft.heading, "flags": sdraft.flags})
