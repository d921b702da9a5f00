"""Passage exemplars for one outline piece: the retrieved passage about the same kind of work, delexicalised.

For each piece the writer drafts (a 做法 item, the 成效, 问题, 打算) the corpus is searched with the piece's own
words, filtered by its section type (the store prefers passages about the same kind of work). The best passage
is delexicalised before a model sees it, so that the small model's habit of copying turns into copying the
genre's phrasing, not another unit's facts: its heading line, every sentence stating a figure or a date, and
instruction-like sentences go; other units' names become this unit's name. Given as phrase frames
(``phrase_frames``), every noun that is neither this unit's nor common to all kinds of unit is a gap "……"
as well. What each piece was given is recorded with the section (``SectionDraft.exemplars``) and shown to the
clerk beside it. The embedded model gets no passage by default (measurements in ``WritePolicy``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from drafter.checks.grounding import NOUN_FLAGS, common_nouns, pos_tokens
from drafter.checks.political import names_politics, political_findings
from drafter.checks.prose import section_body_findings
from drafter.facts import Facts
from drafter.retrieval import search_exemplars, style_only
from drafter.zh.instructions import strip_instructions
from drafter.zh.sentences import split_sentences
from vectorstore.classify import classify_work, work_cue_scores

# Another unit's proper name: a place (桐川市, 黄茅岭, 青溪镇 …) and then a body word (党委, 林场党委, 医院 …).
_BODY = (r"(?:党委|党工委|党组(?!织)|党总支|党支部|委员会|公司|集团|学院|医院|卫生院|支行|法院|林场|派出所|边检站|"
         r"信用社|气象局|交通运输局|税务局|养老院)")
_ORG = re.compile(r"[\u4e00-\u9fff]{0,6}(?:省|市|州|县|区|镇|乡|村|街道)[\u4e00-\u9fff]{0,8}?" + _BODY + r"+")
# ... but not a generic phrase that happens to contain a place word (全县各党支部, 个别村党支部)
_GENERIC = re.compile(r"各|个别|部分|基层|所属|下属|全(?:省|市|州|县|区|镇|乡|村)|每个|一些|少数|多数|该")
# A run-in heading inside a passage's text: （一）理顺管理体制 / 1.抓好学习教育 / （1）领导干部示范学
_RUN_IN = re.compile(r"（[一二三四五六七八九十\d]+）|^[一二三四五六七八九十]+、|(?<![\d.])\d+[.、．](?!\d)")
# prose findings that make a passage sentence unfit to be shown to the writer
_UNFIT = {"PROSE_FOREIGN", "PROSE_REGISTER", "PROSE_SOLUTION", "PROSE_WRONG_SECTION", "PROSE_CONNECTIVE",
          "PROSE_HEDGE", "PROSE_COMMENTARY", "PROSE_FRAGMENT", "PROSE_LIST"}
# The passage's unit speaking of itself: 我院 → this unit's name; 全院党员 → 全体党员 (全局 alone is 大局, it stays)
_SELF_REF = re.compile(r"我(?:局|院|所|站|社|行|司|校|镇|乡|村)|全(?:局|院|所|站|行|校)(?=党员|干部|职工|上下|教职工|医护)")


# Parts of speech that are another unit's content when the genre does not use them: names, places, bodies, nouns.
_MASKED = NOUN_FLAGS | {"nrt", "nrfg", "eng", "x"}
GAP = "……"
MAX_GAP_SHARE = 0.5  # a sentence more than half gaps is content, not phrasing


def phrase_frame(sentence: str, known: str) -> str:
    """A sentence's phrasing with its content left as gaps: the nouns (and names, places) that neither
    ``known`` (this unit's facts) nor the genre's common vocabulary (words no one kind of unit owns) has
    become "……": "依托红色驿站开展理论宣讲" → "依托……开展理论宣讲". "" when more than ``MAX_GAP_SHARE`` of
    it would be gaps, or when it names a leader, a national body or a 提法."""
    if names_politics(sentence):  # a 提法 with a gap in it is a political error waiting to be filled in
        return ""
    vocab = common_nouns()
    out: list[str] = []
    gaps = 0
    for word, flag in pos_tokens(sentence):
        cjk = re.fullmatch(r"[\u4e00-\u9fff]+", word) is not None
        content = flag in _MASKED and (not cjk or len(word) >= 2 or flag in {"nr", "ns", "nt"})
        name = flag in {"nr", "ns", "nt", "nrt", "nrfg"}  # another unit's place or person, however common
        if content and (not cjk or ((name or word not in vocab) and word not in known)) and word.strip("，、；。：“”（）"):
            gaps += len(word)
            if not out or out[-1] != GAP:
                out.append(GAP)
        else:
            out.append(word)
    if gaps > MAX_GAP_SHARE * len(sentence.strip("。；！？")):
        return ""
    return re.sub(rf"(?:{GAP}[、和与及]?)+{GAP}", GAP, "".join(out))


_ORDINAL_SENTENCE = re.compile(r"^\s*[一二三四五六七八九十]是|[；;，,][二三四五六七八九十]是")


def phrase_frames(text: str, facts: Facts, ordinals: bool = True) -> str:
    """Every sentence of a delexicalised passage as its phrase frame (see ``phrase_frame``). ``ordinals=False``:
    without its enumerations ("一是……；二是规范……行为"), which a 做法 paragraph copies as a list of its own with
    the gaps filled thinly ("一是选准合作项目；二是党员带动；三是加强服务。")."""
    known = "\n".join([facts.all_text(), facts.theme or ""])
    sentences = [s for s in split_sentences(text) if ordinals or not _ORDINAL_SENTENCE.search(s)]
    return "".join(f for f in (phrase_frame(s, known) for s in sentences) if f)


@dataclass
class PieceExemplar:
    piece: str  # the piece's title (a sub-heading or the section title)
    text: str  # what the model was shown
    hit_id: str
    title: str  # the source document's title
    heading: str  # the passage's heading there
    score: float

    def to_dict(self) -> dict:
        return asdict(self)


def delexicalise(text: str, facts: Facts, max_chars: int, section_type: str = "") -> str:
    """A passage without its heading, figures, dates and instructions, other units' names → this unit's.
    A sentence that the prose check faults for this unit (another kind of unit's bodies, off-register words,
    a remedy in 存在问题 …) is left out too: the small model copies what it is shown."""
    lines = [line for line in text.split("\n") if line.strip()]
    lines = [line for line in (lines[1:] if len(lines) > 1 else lines) if re.search(r"[。；！？]", line)]
    body = style_only(strip_instructions("\n".join(lines))[0])
    out = ""
    for sentence in split_sentences(body.replace("\n", "")):
        sentence = _RUN_IN.sub("", sentence).strip()
        # another unit's named programmes and lists of its own items are content, not phrasing: left out
        if not sentence or "“" in sentence or sentence.count("、") >= 2:
            continue
        # judged before the names are replaced: "镇党委立足山区资源禀赋" is a 镇's content, whoever it is given to
        if section_type and any(f.code in _UNFIT for f in section_body_findings(sentence, section_type, facts,
                                                                                thin=False)):
            continue
        sentence = _ORG.sub(lambda m: m.group(0) if _GENERIC.search(m.group(0)) else facts.unit, sentence)
        sentence = _SELF_REF.sub(lambda m: facts.unit if m.group(0).startswith("我") else "全体", sentence)
        if political_findings(sentence, facts):  # a 提法 of another period, a leader or place not this unit's
            continue
        if len(out) + len(sentence) > max_chars:
            break
        out += sentence
    return out.strip()


# Passages a piece's exemplar is chosen from. The store orders them by the kind of work it reads the piece as,
# which its nearest passages may decide (vectorstore.search.query_work); the piece takes only a kind its own words
# name, which can then sit below the first four: over the 34 eval cases' 113 做法/启示 pieces, 4 gave 16 pieces a
# passage (21 before the store's vote could pick a kind no word names), 8 give 23.
PIECE_CANDIDATES = 8


def piece_exemplar(store, facts: Facts, section_type: str, title: str, items: list[str], max_chars: int,
                   excluded: list[str] = (), same_unit_type: bool = False,
                   frames: bool = False, used: frozenset[str] = frozenset()) -> PieceExemplar | None:
    """The best passage for one piece, delexicalised, or None when nothing usable is in the corpus.
    ``same_unit_type``: only a passage of a unit of the facts' own type will do (the embedded model copies
    content, and another kind of unit's content is wrong in this one's summary). ``frames``: the passage is
    given as phrase frames, its content left as gaps (``phrase_frames``). ``used``: the passages the section's
    earlier pieces were given, which this one is not (two calls of one sub-section given the same frames both
    copied its "一是在项目建设中当先锋。二是在产业发展中当示范。")."""
    query = " ".join([title, *items])[:300]
    if not query.strip():
        return None
    # A passage about another kind of work is what the small model copied into the wrong place (an 教育局's
    # 述职评议 paragraph in a 派出所's 示范岗 item): a piece whose words name kinds of work only gets a passage
    # about one of them (the store ranks first the one it reads the piece as: search.query_work); the
    # 成效/问题/打算 pieces, which name no kind, get the best passage of their type.
    kinds = {work for work, weight in work_cue_scores(query).items() if weight > 0}
    try:
        filters = {"unit_type": facts.unit_type} if same_unit_type and facts.unit_type else {}
        found = search_exemplars(store, query, PIECE_CANDIDATES, section_type=section_type, exclude_doc_ids=list(excluded),
                                 **filters)
        # frames carry little content of their own: another kind of unit's will do next — but not for a piece of
        # no kind of work (几点启示), whose best passage of another unit type is that unit's work ("脱贫……关键在基层"
        # from a 镇 gave "确保扶贫政策落实到位" in a 社区's 启示)
        if frames and filters and kinds:
            seen = {ex.id for ex in found}
            found += [ex for ex in search_exemplars(store, query, 4, section_type=section_type,
                                                    exclude_doc_ids=list(excluded)) if ex.id not in seen]
    except Exception:  # the corpus is an aid here: a broken store must not stop the draft
        return None
    for ex in found:
        if ex.id in used or (kinds and classify_work(ex.text[:400]) not in kinds):
            continue
        text = delexicalise(ex.text, facts, 4 * max_chars if frames else max_chars, section_type)
        if frames:
            text = _first_chars(phrase_frames(text, facts, ordinals=section_type != "主要做法"), max_chars)
        if len(text) >= 40:
            return PieceExemplar(title, text, ex.id, ex.title, ex.heading, round(ex.score, 4))
    return None


def _first_chars(text: str, max_chars: int) -> str:
    """The whole sentences of ``text`` that fit in ``max_chars``."""
    out = ""
    for sentence in split_sentences(text):
        if len(out) + len(sentence) > max_chars:
            break
        out += sentence
    return out
