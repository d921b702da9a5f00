"""The grounding check: sentences of detail neither the facts nor the genre give are flagged, and polish
removes them from what the model wrote; the facts' and the editor's own words are never invented."""

from __future__ import annotations

from drafter.checks import run_checks
from drafter.checks.grounding import (
    COMMON_MIN_DOCS,
    body_findings,
    build_vocabulary,
    check_grounding,
    common_nouns,
    genre_nouns,
)
from drafter.facts import validate_facts
from drafter.polish import polish
from vectorstore.cli import demo_corpus_files

FACTS = validate_facts({
    "genre": "工作总结", "unit": "县市场监管局党组", "unit_type": "机关", "period": "2024年", "theme": "食品安全",
    "figures": [{"label": "检查食品经营户", "value": 1260, "unit": "户"}],
    "activities": ["开展食品安全“你点我检”活动", "组建党员先锋队深入农贸市场开展检查"],
    "achievements": ["群众对食品安全的满意度明显提升"], "target_chars": 600,
})
INVENTED = "通过区块链技术，我们实现了资金的加密和交易记录的匿名化，确保资金的安全性和保密性。"
GROUNDED = "局党组组建党员先锋队深入农贸市场开展检查，推动食品安全监管责任落到实处，群众满意度明显提升。"


def test_invented_detail_is_flagged_with_its_nouns_and_span():
    body = GROUNDED + INVENTED
    found = body_findings(body, FACTS)
    assert [f.code for f in found] == ["GROUND_INVENTED"]
    start, end = found[0].span
    assert body[start:end] == INVENTED and "区块" in found[0].message_zh and "交易" in found[0].message_zh


def test_the_facts_and_the_genre_are_grounds():
    assert body_findings(GROUNDED, FACTS) == []
    facts = validate_facts({**FACTS.model_dump(exclude_none=True),
                            "activities": ["运用区块链技术实现交易记录加密，保障资金安全性和保密性"]})
    assert body_findings(INVENTED, facts) == []  # the facts say it: not invented
    assert body_findings(INVENTED, FACTS, extra="区块链 加密 交易记录 匿名化 安全性 保密性") == []


def test_the_vocabulary_file_is_built_from_the_demo_corpus():
    assert set(build_vocabulary(demo_corpus_files())) == genre_nouns()  # rebuild: python -m drafter.checks.grounding
    assert set(build_vocabulary(demo_corpus_files(), COMMON_MIN_DOCS)) == common_nouns() < genre_nouns()
    assert {"党员", "群众", "支部"} <= genre_nouns()


def test_check_share_and_pass():
    draft = ("县市场监管局党组2024年工作总结\n一、主要做法\n" + GROUNDED + "\n二、取得成效\n" + INVENTED + "\n"
             "群众对食品安全的满意度明显提升，检查食品经营户1260户。\n")
    result = check_grounding(draft, FACTS)
    assert result.details["flagged"] == 1 and result.details["sentences"] == 3 and not result.passed
    assert "grounding" in run_checks(draft, FACTS).to_dict()["checks"]


def test_polish_removes_invented_sentences_but_not_the_editors_words():
    text = GROUNDED + INVENTED + "全年检查食品经营户1260户，发现问题及时督促整改。"
    out = polish(text, "主要做法", FACTS).text
    assert "区块链" not in out and GROUNDED in out and "1260户" in out
    editor = "区块链 加密 交易记录 匿名化 安全性 保密性"
    # the sentence stays, in the genre's voice (the unit does not call itself 我们 in a 做法: drafter.polish)
    assert "通过区块链技术，实现了资金的加密和交易记录的匿名化" in polish(text, "主要做法", FACTS, known=editor).text


def test_a_calendar_day_the_facts_do_not_give_is_an_invented_event():
    from drafter.checks.grounding import invented_detail, known_text

    made_up = "2024年3月15日，局党组书记带领全体党员召开专题会议，对检查工作进行部署。"
    found = body_findings(GROUNDED + made_up, FACTS)
    assert [f.code for f in found] == ["GROUND_INVENTED"] and "3月15日" in found[0].message_zh
    assert invented_detail(made_up, known_text(FACTS))[0] == "2024年3月15日"
    given = validate_facts({**FACTS.model_dump(exclude_none=True), "activities": ["3月15日开展“你点我检”活动"]})
    assert body_findings("2024年3月15日，局党组开展“你点我检”活动，组织党员深入农贸市场开展检查。", given) == []
    assert body_findings("2024年，局党组开展“你点我检”活动，组织党员深入农贸市场开展检查。", FACTS) == []


def test_a_channel_or_platform_the_facts_do_not_name_is_invented_detail():
    from drafter.checks.grounding import body_findings
    from drafter.facts import validate_facts

    facts = validate_facts({"unit": "城西派出所党支部", "activities": ["社区民警进网格，与12个社区联建共建"]})
    text = ("所党支部坚持社区民警进网格。通过建立微信群、QQ群等平台，及时传达信息，加强沟通。"
            "社区民警深入社区，了解居民需求。")
    found = body_findings(text, facts)
    assert [text[f.span[0]:f.span[1]] for f in found] == ["通过建立微信群、QQ群等平台，及时传达信息，加强沟通。"]
    assert "微信群" in found[0].message_zh and "QQ群" in found[0].message_zh
    # one the facts give is theirs to say (matched whatever its case)
    given = validate_facts({"unit": "城西派出所党支部", "activities": ["建立警民联系微信群和qq群"]})
    assert body_findings(text, given) == []
