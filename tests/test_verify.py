"""The repair loop of one piece (drafter.verify): what the piece was given to use is no copy, and a cut keeps the
enumeration's markers in order."""

from __future__ import annotations

from drafter import verify
from drafter.facts import validate_facts
from drafter.llm import MockModel
from drafter.run import Attempt, SectionDraft
from drafter.settings import get_settings
from drafter.writing import Streamer

FACTS = validate_facts({"genre": "经验材料", "unit": "城南社区卫生服务中心党支部", "activities": ["开展健康知识进社区宣讲"]})
SOURCE = "二是抓服务必须发挥党员示范带动作用，党员走在前面、干在实处，才能带动全院职工比学赶超。"
FRAME = "二是抓……必须发挥党员示范带动作用，党员走在前面、干在实处，才能带动……比学赶超。"
COPYING = "一是坚持发挥党员示范带动作用，党员走在前面、干在实处，才能带动全体职工参与宣讲。"
OWN = "二是注重开展健康知识进社区宣讲，提高居民的自我保健能力。"


def test_wording_of_the_frame_the_piece_was_given_is_no_copy_of_its_source():
    assert any(f.code == "copied" for f in verify.section_findings(COPYING, FACTS, [SOURCE]))
    assert not verify.section_findings(COPYING, FACTS, [SOURCE], phrasing=FRAME)


def test_a_clause_cut_by_the_fallback_takes_its_ordinal_along():
    # seen in an eval draft: the copied 一是 lesson was cut and "二是注重……" stood alone as the section
    model = MockModel().enqueue(COPYING + OWN)  # the repair answer copies again
    sdraft = SectionDraft(index=3, key="lessons", heading="四、几点启示", section_type="经验体会")
    sdraft.attempts.append(Attempt(kind="write", prompt=[], output=COPYING + OWN))
    run = verify.repair(Streamer(get_settings()), model, sdraft, FACTS, "几点启示", COPYING + OWN, "", [], [],
                        [SOURCE], 150, clean=lambda out: out)
    try:
        while True:
            next(run)
    except StopIteration as stop:
        text = stop.value
    assert sdraft.attempts[-1].kind == "fallback"
    assert text == "注重开展健康知识进社区宣讲，提高居民的自我保健能力。"


def test_clauses_of_words_neither_the_facts_nor_the_genre_has_go_until_the_sentence_passes():
    from drafter.checks.grounding import body_findings
    facts = validate_facts({"genre": "汇报材料", "unit": "县财政局", "activities": ["推进预算绩效管理全覆盖"],
                            "plans": ["积极培植财源"]})
    # a 县财政局 does not make tax law: clauses of words neither the facts nor the genre has go, the measures stay
    text = "进一步健全预算执行机制，完善税收制度，坚持依法治税，推动财税政策的落实，确保预算绩效管理落到实处。"
    assert body_findings(text, facts, extra="积极培植财源")
    kept = verify.drop_ungrounded_clauses(text, facts, extra="积极培植财源")
    assert not body_findings(kept, facts, extra="积极培植财源")
    # the clauses with the most such words go first, only until the sentence passes
    assert kept == "进一步健全预算执行机制，完善税收制度，确保预算绩效管理落到实处。"
    plain = "进一步健全预算执行机制，确保预算绩效管理落到实处。"
    assert verify.drop_ungrounded_clauses(plain, facts) == plain  # nothing to fault: unchanged
