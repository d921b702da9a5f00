"""The unit's short name after its first mention: the name rule and the draft-wide pass of finalize."""

from __future__ import annotations

import re

import pytest

from drafter.checks import run_checks
from drafter.engine import DraftEngine
from drafter.facts import validate_facts
from drafter.llm import MockModel
from drafter.zh.unit_names import short_unit_name, shorten_mentions
from vectorstore.cli import demo_corpus_files
from vectorstore.store import CorpusStore


@pytest.mark.parametrize(("unit", "short"), [
    ("栗川市望桥街道党工委", "街道党工委"),
    ("县公安局城西派出所党支部", "所党支部"),
    ("城南社区卫生服务中心党支部", "中心党支部"),
    ("市水务集团有限公司党委", "公司党委"),
    ("禾屿县第二中学党支部", "学校党支部"),
    ("泊川县纪委机关党总支", "机关党总支"),
    ("县市场监管局党组", "局党组"),
    # named under its parent body: its own name
    ("泊川县市场监督管理局青石铺市场监管所", "青石铺市场监管所"),
    ("县公安局交警大队", "交警大队"),
    # an office with a standard short name (data/office_abbreviations.txt), its level of government kept
    ("澄岭县人力资源和社会保障局", "县人社局"),
    ("泊川县市场监督管理局", "县市场监管局"),
    ("栗川市人民检察院", "市检察院"),
    ("卫生健康委员会", "卫健委"),
    ("县发展和改革局", ""),  # saves too little
    # no party organisation at the end and no parent body, or short enough already: no short name
    ("澄岭县教育局", ""),
    ("市委组织部", ""),
    ("县档案馆", ""),
    ("城关镇党委", ""),
])
def test_short_unit_name(unit, short):
    assert short_unit_name(unit) == short


def test_mentions_after_the_first_are_short_but_not_in_quotes():
    unit = "栗川市望桥街道党工委"
    text = f"{unit}现有社区9个。{unit}坚持每月研究一次。“{unit}”字样的标识牌统一更换。{unit}召开专题会议5次。"
    assert shorten_mentions(text, unit, "街道党工委") == (
        f"{unit}现有社区9个。街道党工委坚持每月研究一次。“{unit}”字样的标识牌统一更换。街道党工委召开专题会议5次。")
    assert shorten_mentions(text, unit, "街道党工委", keep_first=False).startswith("街道党工委现有")
    assert shorten_mentions(text, unit, "") == text


def test_a_mention_that_clips_the_head_of_the_name_is_a_mention():
    unit = "县公安局城西派出所党支部"  # short: 所党支部
    text = (f"{unit}现有民警28名。为提高服务质量，公安局城西派出所党支部设立党员示范岗6个。"
            "城西派出所党支部与12个社区联建共建。")
    assert shorten_mentions(text, unit, "所党支部") == (
        f"{unit}现有民警28名。为提高服务质量，所党支部设立党员示范岗6个。所党支部与12个社区联建共建。")
    after_preposition = f"{unit}现有党员22名。这一做法使城西派出所党支部在管理方面取得成效。"
    assert shorten_mentions(after_preposition, unit, "所党支部") == \
        f"{unit}现有党员22名。这一做法使所党支部在管理方面取得成效。"
    assert shorten_mentions(f"{unit}牵头。市公安局城西派出所党支部参加。", unit, "所党支部") == \
        f"{unit}牵头。市公安局城西派出所党支部参加。"  # another unit's name
    # clipped where it is the first mention: said in full
    assert shorten_mentions("公安局城西派出所党支部坚持学习。", unit, "所党支部") == f"{unit}坚持学习。"
    # after another character it may be another unit ("市人民医院党委" beside "县人民医院党委"); too short to tell
    other = "县人民医院党委"
    assert shorten_mentions(f"{other}牵头，与市人民医院党委共建。", other, "医院党委") == f"{other}牵头，与市人民医院党委共建。"
    assert shorten_mentions("党支部现有党员22名。", unit, "所党支部") == "党支部现有党员22名。"  # under the floor


def _drafted(facts, paragraph: str) -> tuple[DraftEngine, object]:
    """A draft of ``facts`` by a mock model that answers every call with ``paragraph``, over three demo documents."""
    model = MockModel()
    for _ in range(12):
        model.enqueue(paragraph)
    store = CorpusStore()
    store.ingest(demo_corpus_files()[:3])
    engine = DraftEngine(store=store, model=model, prose_retries=0, practice_effects=False)
    return engine, engine.draft(facts)


@pytest.mark.parametrize(("unit", "short", "work"), [
    ("栗川市望桥街道党工委", "街道党工委", "基层治理"),
    # an office by its standard short name (data/office_abbreviations.txt): "县人社局"
    ("澄岭县人力资源和社会保障局", "县人社局", "就业服务"),
])
def test_a_draft_names_its_unit_in_full_once_in_the_body_and_the_checks_accept_its_short_name(unit, short, work):
    facts = validate_facts({
        "genre": "工作总结", "unit": unit, "period": "2025年", "figures": [{"label": "党员", "value": 58, "unit": "名"}],
        "activities": [f"召开专题会议研究{work}", "组织在职党员到社区报到"], "achievements": ["群众满意度提升"],
        "problems": ["部分工作人员业务能力不强"], "plans": ["开展业务轮训"]})
    engine, run = _drafted(facts, f"{unit}坚持把{work}摆在突出位置，扎实推进各项工作，形成了共建共治的良好局面。")
    bodies = "\n".join(s.body for s in run.sections)
    text = engine.document_text(run)
    assert bodies.count(unit) == 1 and bodies.count(short) > 2
    assert text.startswith(unit) or unit in text.split("\n")[1]  # title and opening keep the full name
    # no check takes the short name for another unit or an invented noun (grounding read 县人社局 as "社局")
    said = [range(m.start(), m.end()) for m in re.finditer(short, text)]
    on_it = [f for f in run_checks(text, facts).findings if f.code != "PROSE_REPEAT"  # the mock says one thing
             if short in f.message_zh or short[-2:] in f.message_zh
             or (f.span and any(f.span[0] in r or f.span[1] - 1 in r for r in said))]
    assert not on_it


def test_an_over_long_draft_says_a_unit_named_under_its_parent_by_its_own_name():
    """Over the length line, the long name said short is the first 精简 (before sentences go)."""
    unit = "泊川县市场监督管理局青石铺市场监管所"
    facts = validate_facts({
        "genre": "工作总结", "unit": unit, "period": "2024年", "figures": [{"label": "党员", "value": 9, "unit": "名"}],
        "activities": ["落实三会一课", "开展食品安全专项整治"], "achievements": ["群众满意度提升"],
        "target_chars": 300})
    paragraph = f"{unit}坚持把食品安全作为重中之重，{unit}组织党员深入市场开展检查。{unit}扎实推进各项工作。"
    _engine, run = _drafted(facts, paragraph)
    bodies = "\n".join(s.body for s in run.sections)
    assert bodies.count(unit) == 1 and "青石铺市场监管所" in bodies.replace(unit, "")


def test_a_draft_under_its_target_still_says_the_long_name_short():
    """The short name does not wait for room (finalize.SHORT_NAME_FLOOR): a draft short of the length check's minimum
    kept a twelve-character name at the head of every paragraph, padding its length with the name."""
    from drafter.checks.length import count_chars
    from drafter.checks.rules import LENGTH_MIN_RATIO

    unit = "澄岭县石坞镇杏坪村党总支"
    facts = validate_facts({
        "genre": "工作总结", "unit": unit, "period": "2024年", "figures": [{"label": "党员", "value": 47, "unit": "名"}],
        "activities": ["落实四议两公开", "党员带头认领茶园管护片区"], "achievements": ["村集体收入增加"],
        "target_chars": 400})
    engine, run = _drafted(facts, f"{unit}坚持把村务公开摆在突出位置，{unit}每月公示集体收支，扎实推进各项工作。")
    bodies = "\n".join(s.body for s in run.sections)
    assert count_chars(engine.document_text(run)) < LENGTH_MIN_RATIO * 400  # short of the minimum, names said short
    assert bodies.count(unit) == 1 and "村党总支" in bodies.replace(unit, "")
