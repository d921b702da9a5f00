"""The political and normative rules (data/political.yaml), reviewed with wrong and correct sentences."""

from __future__ import annotations

import pytest

from drafter.checks.political import check_political, political_findings
from drafter.facts import validate_facts


def facts(period: str = "2025年", unit: str = "城关镇党委", **extra):
    return validate_facts({"genre": "工作总结", "unit": unit, "period": period, "activities": ["举办党课培训12期"],
                           **extra})


WRONG = [
    ("××街道党工委是中华人民共和国第166届全国人民代表大会常务委员会，由习近平同志任主席。", "2025年",
     {"POL_STATE", "POL_SESSION", "POL_BODY", "POL_LEADER"}),
    ("城关镇党委，是中华人民共和国政府成立的第二十七届中央委员会委员长、书记处书记，是全国政协常委、副主席。", "2025年",
     {"POL_STATE", "POL_SESSION", "POL_BODY"}),
    ("镇党委深入学习贯彻党的十八大精神，推动各项工作。", "2025年", {"POL_OUTDATED"}),
    ("以深入贯彻落实科学发展观为主线，扎实开展创先争优。", "2024年", {"POL_OUTDATED"}),
    ("为决胜全面建成小康社会作出新贡献。", "2023年", {"POL_OUTDATED"}),
    ("扎实开展党史学习教育。", "2011年", {"POL_ANACHRONISM"}),
    ("深入学习习近平新时代中国特色社会主义思想。", "2012年", {"POL_ANACHRONISM"}),
    ("湖北省张家界市城关镇党委坚持党建引领。", "2025年", {"POL_PLACE"}),
    ("李强同志到我镇调研指导工作。", "2025年", {"POL_LEADER"}),
    ("镇党委召开十九届五中全会精神宣讲会。", "2025年", {"POL_OUTDATED"}),
]

CORRECT = [
    ("镇党委深入学习贯彻习近平新时代中国特色社会主义思想和党的二十大精神。", "2025年"),
    ("自党的十八大以来，全镇党员队伍不断壮大。", "2025年"),
    ("深入学习贯彻党的二十届三中全会精神。", "2025年"),
    ("紧紧围绕以习近平同志为核心的党中央决策部署。", "2024年"),
    ("以邓小平理论和“三个代表”重要思想为指导，深入贯彻落实科学发展观。", "2011年"),
    ("认真学习胡锦涛总书记“七一”重要讲话精神。", "2011年"),
    ("扎实开展党纪学习教育，严格落实中央八项规定精神。", "2024年"),
    ("全镇共有基层党组织42个，党员1286名。", "2025年"),
    ("为全面建成小康社会作出新的贡献。", "2012年"),
    ("庆祝中华人民共和国成立75周年。", "2024年"),
    ("全市各级党组织扎实推进“十四五”规划落实。", "2025年"),
]


@pytest.mark.parametrize(("sentence", "period", "codes"), WRONG)
def test_wrong_sentences_are_hard_findings(sentence, period, codes):
    found = {f.code for f in political_findings(sentence, facts(period))}
    assert codes <= found, (sentence, found)
    assert not check_political(sentence, facts(period)).passed


@pytest.mark.parametrize(("sentence", "period"), CORRECT)
def test_correct_sentences_pass(sentence, period):
    assert political_findings(sentence, facts(period)) == [], sentence


def test_what_the_facts_contain_is_allowed():
    f = facts(unit="张家界市永定区城关镇党委")
    assert political_findings("张家界市永定区城关镇党委坚持党建引领。", f) == []
    assert {x.code for x in political_findings("湖北省张家界市永定区城关镇党委坚持党建引领。", f)} == {"POL_PLACE"}


def test_spans_point_at_the_words():
    text = "我镇认真学习。由习近平同志任主席。"
    (finding,) = [f for f in political_findings(text, facts()) if f.code == "POL_LEADER"]
    assert text[finding.span[0]:finding.span[1]] == "习近平"


def test_a_word_joined_to_the_units_own_place_is_not_another_place():
    # the opening frame "现将泊川县纪委机关党总支……汇报如下": jieba read "将泊川县" as a place the facts lack
    own = facts(unit="泊川县纪委机关党总支")
    assert political_findings("现将泊川县纪委机关党总支工作情况汇报如下：", own) == []
    assert {x.code for x in political_findings("现将澄岭县纪委机关党总支工作情况汇报如下：", own)} == {"POL_PLACE"}
