"""Grounding check: sentences whose content the facts do not give and the genre does not use — invented detail.

A summary may say only what the unit did; the small model fills pieces with detail from nowhere ("通过区块链技术
实现资金的加密", "制作了血压监测、血糖检查等健康检查工具", "青龙乡的地理位置不优越"). Each sentence's content nouns
(jieba parts of speech) are held against the facts' words and against the genre's own vocabulary: the nouns
that occur in at least ``MIN_DOCS`` documents of the demo corpus (``data/genre_nouns.txt``, rebuilt with
``python -m drafter.checks.grounding``). A sentence with at least ``MIN_UNGROUNDED`` nouns from neither, making
up at least ``MIN_SHARE`` of its nouns, or naming a calendar day or a channel (微信群, 抖音: ``data/channels.txt``)
the facts do not, is flagged (GROUND_INVENTED, a warning with the nouns in its message);
polish removes such sentences from what the model wrote. The check's figure is the share of body sentences
flagged; it passes at or below ``MAX_SHARE``.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from drafter.checks.base import WARNING, CheckResult, Finding
from drafter.checks.structure import split_sections
from drafter.facts import Facts
from drafter.zh.sentences import sentence_pieces
from drafter.zh.unit_names import short_unit_name

NOUN_FLAGS = frozenset({"n", "nz", "vn", "an", "ng", "nt", "nr", "ns"})
MIN_DOCS = 2  # a noun in this many demo documents is the genre's own word
COMMON_MIN_DOCS = 5  # ... in this many, a word any unit of any type uses (党员, 阵地, 台账): phrase frames keep it
MIN_UNGROUNDED = 2
MIN_SHARE = 0.5
# A calendar day the facts do not give ("2025年3月15日，党支部书记带领全体党员民警召开专题会议"): an event made up.
_DAY = re.compile(r"(?:(?:19|20)\d{2}年)?\d{1,2}月\d{1,2}日")
MAX_SHARE = 0.08  # share of a draft's body sentences that may be flagged
VOCAB_FILE = "data/genre_nouns.txt"
COMMON_FILE = "data/common_nouns.txt"
CHANNELS_FILE = "data/channels.txt"  # named channels and platforms (微信群, 抖音): specifics the facts must give


@lru_cache(maxsize=1)
def _posseg():  # type: ignore[no-untyped-def]
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def pos_tokens(text: str) -> list[tuple[str, str]]:
    """(word, jieba part of speech) for each token of a text, in order."""
    return [(w.word, w.flag) for w in _posseg().cut(text)]


def content_nouns(text: str) -> list[str]:
    """The nouns of a text (two characters or more), in order, as jieba tags them."""
    return [w for w, flag in pos_tokens(text) if flag in NOUN_FLAGS and len(w) >= 2
            and re.fullmatch(r"[\u4e00-\u9fff]+", w)]


@lru_cache(maxsize=2)
def _word_file(name: str) -> frozenset[str]:
    text = resources.files("drafter.checks").joinpath(name).read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def genre_nouns() -> frozenset[str]:
    return _word_file(VOCAB_FILE)


def common_nouns() -> frozenset[str]:
    """The genre's nouns that no one kind of unit owns: in at least ``COMMON_MIN_DOCS`` demo documents."""
    return _word_file(COMMON_FILE)


def build_vocabulary(paths: list[Path], min_docs: int = MIN_DOCS) -> list[str]:
    """The nouns occurring in at least ``min_docs`` of the documents at ``paths``, sorted."""
    from collections import Counter

    from vectorstore.pipeline import parse_path

    counts: Counter[str] = Counter()
    for path in paths:
        for doc in parse_path(path):
            counts.update(set(content_nouns(doc.text)))
    return sorted(w for w, n in counts.items() if n >= min_docs)


def ungrounded(sentence: str, known: str) -> list[str]:
    """The nouns of ``sentence`` that neither ``known`` (the facts' text) nor the genre's vocabulary has."""
    vocab = genre_nouns()
    return [w for w in dict.fromkeys(content_nouns(sentence)) if w not in vocab and w not in known]


def invented_detail(sentence: str, known: str) -> list[str]:
    """The nouns of a sentence's made-up specifics: neither ``known`` (the facts' text) nor the words every
    kind of unit uses (``common_nouns``) give them ("书法比赛、绘画展览", "大数据、云计算", "教学场所"). Empty unless
    at least ``MIN_UNGROUNDED`` of them make up ``MIN_SHARE`` of its nouns. Stricter than ``ungrounded``: a
    genre word of some other unit's work counts too. Used to choose what goes first when a draft has text to
    spare (drafter.verify.trim_sentences), never as a finding."""
    specifics = unknown_specifics(sentence, known)
    nouns = list(dict.fromkeys(content_nouns(sentence)))
    vocab = common_nouns()
    missing = [w for w in nouns if w not in vocab and w not in known]
    return specifics + missing if _made_up(specifics, missing, nouns) else []


def _made_up(specifics: list[str], missing: list[str], nouns: list[str]) -> bool:
    """A sentence is made up when it gives a calendar day or a channel the facts do not (``specifics``), or enough
    unknown nouns."""
    return bool(specifics) or (len(missing) >= MIN_UNGROUNDED and len(missing) / len(nouns) >= MIN_SHARE)


@lru_cache(maxsize=1)
def _channels() -> re.Pattern[str]:
    words = sorted(_word_file(CHANNELS_FILE), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)), re.IGNORECASE)


def unknown_specifics(sentence: str, known: str) -> list[str]:
    """What a sentence names that only the facts can give, and ``known`` does not: a calendar day
    (``unknown_days``) or a named channel or platform ("微信群", "抖音": ``data/channels.txt``)."""
    lowered = known.lower()
    channels = [m.group(0) for m in _channels().finditer(sentence) if m.group(0).lower() not in lowered]
    return unknown_days(sentence, known) + list(dict.fromkeys(channels))


def unknown_days(sentence: str, known: str) -> list[str]:
    """Calendar days in a sentence that ``known`` does not contain (month and day given, the year optional)."""
    return [m.group(0) for m in _DAY.finditer(sentence) if m.group(0) not in known
            and re.sub(r"^\d{4}年", "", m.group(0)) not in known]


def known_text(facts: Facts, extra: str = "") -> str:
    """What a draft's sentences may draw on: the facts, the theme, the unit's short name ("县人社局" for
    "澄岭县人力资源和社会保障局", which finalize says after the first mention), and ``extra`` (headings)."""
    return "\n".join([facts.all_text(), facts.theme or "", facts.date or "", short_unit_name(facts.unit), extra])


def body_findings(body: str, facts: Facts, offset: int = 0, extra: str = "") -> list[Finding]:
    """GROUND_INVENTED findings of one body; ``extra``: further text the body may draw on (its headings)."""
    known = known_text(facts, extra)
    found = []
    pos = 0
    for line in body.split("\n"):
        for m in sentence_pieces(line, "。！？；"):
            nouns = list(dict.fromkeys(content_nouns(m.group(0))))
            missing = ungrounded(m.group(0), known) if nouns else []
            days = unknown_specifics(m.group(0), known)
            if _made_up(days, missing, nouns):
                missing = days + missing
                found.append(Finding("GROUND_INVENTED", f"事实中没有的内容：{'、'.join(missing[:5])}（请核实，或删去）",
                                     (offset + pos + m.start(), offset + pos + m.end()), WARNING))
        pos += len(line) + 1
    return found


def body_headings(body: str) -> str:
    """A body's sub-heading lines ("（一）……"): text its sentences may draw on."""
    return "\n".join(line for line in body.split("\n") if line.startswith("（"))


def _body_sentences(body: str) -> int:
    return sum(1 for line in body.split("\n") for m in sentence_pieces(line, "。！？；") if len(m.group(0).strip()) >= 6)


def check_grounding(draft: str, facts: Facts) -> CheckResult:
    findings: list[Finding] = []
    sentences = specific = 0
    for sec in split_sections(draft):
        if sec.heading is None:
            continue  # title and opening: fixed frames
        start = min(len(draft), sec.heading.end + 1)
        body = draft[start:sec.end]
        tail = {x for x in (facts.signature, facts.date) if x}
        body = "\n".join(line for line in body.split("\n") if line.strip() not in tail)
        sentences += _body_sentences(body)
        findings += body_findings(body, facts, start, extra=sec.heading.title)
        known = known_text(facts, sec.heading.title + "\n" + body_headings(body))
        specific += sum(1 for line in body.split("\n") for m in sentence_pieces(line, "。！？；")
                        if invented_detail(m.group(0), known))
    share = round(len(findings) / sentences, 3) if sentences else 0.0
    result = CheckResult.from_findings("grounding", findings, 1 - min(1.0, share / (2 * MAX_SHARE)),
                                       {"share": share, "sentences": sentences, "flagged": len(findings),
                                        "max_share": MAX_SHARE,
                                        # measured, not judged: sentences of made-up specifics by the stricter
                                        # measure (invented_detail), what finalize takes out first
                                        "invented_detail_share": round(specific / sentences, 3) if sentences else 0.0})
    result.passed = share <= MAX_SHARE
    return result


def main() -> int:
    """Rebuild ``data/genre_nouns.txt`` and ``data/common_nouns.txt`` from the demo corpus."""
    from vectorstore.cli import demo_corpus_files

    for name, min_docs in ((VOCAB_FILE, MIN_DOCS), (COMMON_FILE, COMMON_MIN_DOCS)):
        words = build_vocabulary(demo_corpus_files(), min_docs)
        target = Path(__file__).resolve().parent / name
        header = (f"# Nouns of the genre: in at least {min_docs} documents of vectorstore/demo_corpus (jieba parts "
                  "of speech).\n# Rebuilt by: python -m drafter.checks.grounding\n")
        target.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
        print(f"{len(words)} nouns → {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
