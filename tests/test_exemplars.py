"""Passage exemplars: retrieved per outline piece, delexicalised, recorded with the section, shown in the app."""

from __future__ import annotations

from drafter.engine import DraftEngine
from drafter.exemplars import GAP, delexicalise, phrase_frame, piece_exemplar
from drafter.facts import validate_facts
from drafter.llm import MockModel
from drafter.retrieval import search_exemplars
from drafter.webapp.drafting import section_view
from drafter.webapp.render import examples_table
from drafter.zh.numbers import extract_numbers
from vectorstore.cli import demo_corpus_files
from vectorstore.store import CorpusStore

FACTS = validate_facts({
    "genre": "工作总结", "unit": "青石镇党委", "unit_type": "乡镇", "period": "2024年", "theme": "创先争优活动",
    "figures": [{"label": "党员", "value": 1286, "unit": "名"}],
    "activities": ["开展党员公开承诺活动", "设立党员示范岗"], "achievements": ["群众满意度明显提升"],
    "problems": ["部分党员学习不够深入"], "plans": ["加强党员教育培训"],
    "signature": "中共青石镇委员会", "date": "2024年12月20日", "target_chars": 600,
})


def test_delexicalise_drops_figures_dates_headings_and_names():
    text = ("（一）组建志愿服务队\n桐川市黄茅岭林场党委组建党员志愿服务队，开展护林防火宣传。2019年共开展活动36场。"
            "我局把志愿服务纳入党员积分管理，做到常态长效。")
    out = delexicalise(text, FACTS, 200)
    assert "桐川市" not in out and "林场" not in out and "青石镇党委" in out
    assert not [n for n in extract_numbers(out) if n.kind != "ordinal"]
    assert "组建志愿服务队\n" not in out and "青石镇党委把志愿服务" in out


def test_delexicalise_leaves_out_sentences_unfit_for_this_unit():
    school = validate_facts({"genre": "工作总结", "unit": "县职业中专党总支", "unit_type": "教育", "activities": ["x"]})
    text = ("（一）立足资源优势\n镇党委立足山区资源禀赋，引导党员发展特色产业。首先，组织党员外出考察学习。"
            "党组织坚持把党员培养成骨干，把骨干培养成党员，党员队伍结构不断优化。")
    out = delexicalise(text, school, 200, "主要做法")
    assert "镇党委" not in out and "首先" not in out
    assert out == "党组织坚持把党员培养成骨干，把骨干培养成党员，党员队伍结构不断优化。"


def test_phrase_frame_keeps_the_phrasing_and_leaves_another_units_content_as_gaps():
    sentence = "依托桐川市红枫驿站开展理论宣讲，推动党的创新理论深入人心。"
    frame = phrase_frame(sentence, known="")
    assert "桐川市" not in frame and "红枫驿站" not in frame and GAP in frame
    assert frame.startswith("依托") and "开展理论宣讲" in frame and frame.endswith("深入人心。")
    # a word this unit's facts have is this unit's content: it stays
    assert "红枫驿站" in phrase_frame(sentence, known="红枫驿站")
    # a sentence that is mostly another unit's content gives no frame
    assert phrase_frame("桐川市黄茅岭林场红枫驿站。", known="") == ""


def test_a_framed_passage_shows_no_other_units_content():
    store = CorpusStore()
    store.ingest(demo_corpus_files())
    framed = piece_exemplar(store, FACTS, "主要做法", "开展党员公开承诺活动", ["开展党员公开承诺活动"], 150, frames=True)
    assert framed is not None and len(framed.text) <= 150
    from drafter.checks.grounding import ungrounded
    known = FACTS.all_text()
    assert not ungrounded(framed.text, known)  # every noun left is this unit's or the genre's


def test_each_piece_gets_a_passage_of_its_type_recorded_with_the_section():
    store = CorpusStore()
    store.ingest(demo_corpus_files())
    found = piece_exemplar(store, FACTS, "主要做法", "开展党员志愿服务活动", ["开展党员志愿服务活动"], 150)
    assert found is not None and found.text and len(found.text) <= 150
    model = MockModel()
    for _ in range(8):
        model.enqueue("青石镇党委扎实开展各项工作，推动党员作用充分发挥，群众满意度明显提升。")
    engine = DraftEngine(store=store, model=model, piece_exemplar_chars=150)
    run = engine.draft(FACTS)
    practice = next(s for s in run.sections if s.section_type == "主要做法")
    # the embedded model (MockModel stands in for it) only gets passages of units of its own type, as frames
    expected = [piece_exemplar(store, FACTS, "主要做法", item, [item], 150, same_unit_type=True, frames=True)
                for item in FACTS.activities]
    assert all(e is None or e.hit_id.startswith(tuple(d.doc_id for d in store.documents() if d.unit_type == "乡镇"))
               for e in expected)
    assert [e["hit_id"] for e in practice.exemplars] == [e.hit_id for e in expected if e is not None]  # per piece
    assert practice.exemplars
    prompts = [a.prompt[-1]["content"] for a in practice.attempts if a.prompt]
    assert practice.exemplars[0]["text"] in prompts[0] and "参考句式" in prompts[0]
    assert "参考范文：《" in section_view(practice).status


def test_relevance_is_readable():
    store = CorpusStore()
    store.ingest(demo_corpus_files())
    hits = search_exemplars(store, "组织党员开展志愿服务活动", 5, section_type="主要做法")
    labels = [h.relevance for h in hits]
    assert labels[0][0] in ("高", "中") and 0 <= labels[-1][1] <= labels[0][1] <= 100
    html = examples_table(hits)
    assert "相关度" in html and "0.0" not in html


def test_lessons_get_no_other_unit_types_frames_a_practice_of_a_known_kind_does():
    # the demo corpus has a 乡镇's lessons but no 社区's: a 社区's 启示 was given the 镇's "脱贫……关键在基层" and
    # wrote "确保扶贫政策落实到位"; a practice of a known kind of work still gets its passage
    store = CorpusStore()
    store.ingest(demo_corpus_files())
    community = validate_facts({"genre": "经验材料", "unit": "幸福里社区党委", "unit_type": "社区",
                                "activities": ["开展党员公开承诺活动"]})
    assert piece_exemplar(store, community, "经验体会", "几点启示", [], 150, same_unit_type=True, frames=True) is None
    found = piece_exemplar(store, community, "主要做法", "开展党员公开承诺活动", ["开展党员公开承诺活动"], 150,
                           same_unit_type=True, frames=True)
    assert found is not None and "承诺" in found.text


def test_a_practice_gets_no_enumeration_in_its_phrase_frames():
    from drafter.exemplars import phrase_frames
    from drafter.facts import validate_facts
    facts = validate_facts({"unit": "柳溪村党总支", "activities": ["领办股份经济合作社"]})
    text = "村党支部牵头领办合作社，把党员吸纳到合作社中。一是选准项目；二是规范管理行为；三是加强服务。"
    with_lists, without = phrase_frames(text, facts), phrase_frames(text, facts, ordinals=False)
    assert "一是" in with_lists and "二是" in with_lists  # 经验体会 keeps them: its prompt asks for 一是……二是……
    assert "一是" not in without and "二是" not in without and without.startswith("村党支部")
