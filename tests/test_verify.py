"""The repair loop of one piece (drafter.verify): what the piece was given to use is no copy, and a cut keeps the
enumeration's markers in order."""

from __future__ import annotations

from generators import returned

from drafter import verify
from drafter.checks.base import Finding
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
    text = returned(verify.repair(Streamer(get_settings()), model, sdraft, FACTS, "几点启示", COPYING + OWN, "", [], [],
                                  [SOURCE], 150, clean=lambda out: out))
    assert sdraft.attempts[-1].kind == "fallback"
    assert text == "注重开展健康知识进社区宣讲，提高居民的自我保健能力。"


def test_a_repair_answer_much_shorter_than_the_cut_is_not_kept():
    facts = validate_facts({"genre": "经验材料", "unit": "城南社区卫生服务中心党支部",
                            "activities": ["组建党员家庭医生团队18个"]})
    first = ("城南社区卫生服务中心党支部组建了党员家庭医生团队18个。坚持“服务至上”，推动团队成员深入社区提供医疗服务。"
             "这一举措提高了居民的健康意识，增强了社区的公共卫生服务能力。")
    shorter = "城南社区卫生服务中心党支部组建了党员家庭医生团队18个。"  # the slogan gone, and all else with it

    def run(answer: str) -> tuple[str, SectionDraft]:
        sdraft = SectionDraft(index=1, key="practice1", heading="一、组建党员家庭医生团队", section_type="主要做法")
        sdraft.attempts.append(Attempt(kind="write", prompt=[], output=first))
        steps = verify.repair(Streamer(get_settings()), MockModel().enqueue(answer), sdraft, facts, "组建党员家庭医生团队",
                              first, "", [], [], [], 150, clean=lambda out: out)
        return returned(steps), sdraft

    text, sdraft = run(shorter)
    assert sdraft.attempts[-1].kind == "fallback" and "服务至上" not in text  # the clause cut instead
    assert text.startswith("城南社区卫生服务中心党支部组建了党员家庭医生团队18个。") and "公共卫生服务能力" in text
    fixed = first.replace("坚持“服务至上”，", "坚持服务至上，")
    text, sdraft = run(fixed)  # a repair that keeps the piece is kept
    assert text == fixed and sdraft.attempts[-1].kind == "repair"


def test_trimming_invented_detail_keeps_the_point_a_paragraph_of_an_enumeration_opens_on():
    known = "推进智慧警务室建设"
    text = ("下一步，派出所党支部将重点抓好以下工作：\n一是深化社区警务，进一步健全社区警务体系。\n"
            "二是推进智慧警务室建设，进一步健全智能监控系统和无人机巡逻平台，提升大数据研判水平。确保警务室建设取得实效。")
    kept = verify.trim_sentences(text, 200, [], [], known, invented_only=True)
    assert "二是推进智慧警务室建设" in kept  # its point stays, whatever detail it was carried on with


def test_a_one_sentence_paragraph_left_under_its_own_may_go_whole_a_first_paragraph_never():
    body = ("城关镇党委推行轻微违法行为免罚清单，首违免罚19件。\n"  # carries the figure: stays
            "坚持严格执法，推动轻微违法行为免罚清单的落实。")  # left alone under it: may go
    assert verify.trim_sentences(body, 10, ["首违免罚19件"], []) == body.split("\n")[0]
    under_heading = "（一）推行免罚清单\n坚持严格执法，推动免罚清单的落实。"  # a sub-section's only paragraph stays
    assert verify.trim_sentences(under_heading, 50, [], []) == under_heading


def test_the_units_name_opening_sentence_after_sentence_goes_where_the_genre_leaves_it_out():
    unit = "泊川县市场监督管理局青石铺市场监管所"
    text = (f"{unit}坚持“三会一课”制度，全年开展主题党日12次。\n（二）党员亮身份\n{unit}党员9名全部亮身份进市场。"
            f"{unit}坚持依法行政。通过深入排查，{unit}立案查处案件27件。{unit}的党员带头承诺。{unit}是……")
    out = verify.omit_repeated_subject(text, unit)
    assert out.startswith(f"{unit}坚持“三会一课”")  # its first mention says who
    assert "\n党员9名全部亮身份进市场。坚持依法行政。" in out  # a sentence's opening subject, once known, goes
    assert f"通过深入排查，{unit}立案" in out  # after a clause it is the subject the clause needs
    assert f"{unit}的党员" in out and f"{unit}是" in out  # a name that is no subject, or 是, stays
    assert verify.omit_repeated_subject("镇党委开展培训。镇党委开展帮扶。", "镇党委") == "镇党委开展培训。镇党委开展帮扶。"


def test_a_dropped_opening_clause_leaves_the_unit_as_subject():
    """An invented slogan cut from "单位坚持“……”的方针，做了……" leaves "单位做了……", not a sentence without a subject."""
    from drafter.checks.leakage import invented_names
    facts = validate_facts({"genre": "工作总结", "unit": "县档案馆", "activities": ["开展档案安全检查"]})
    text = "为确保档案安全，县档案馆坚持“安全第一，预防为主”的方针，定期组织档案安全检查。检查中发现隐患3处。"
    kept, removed = verify.drop_clauses(text, invented_names(text, facts), subject=facts.unit)
    assert kept == "为确保档案安全，县档案馆定期组织档案安全检查。检查中发现隐患3处。"
    assert removed == ["县档案馆坚持“安全第一，预防为主”的方针"]
    # the clause after it opening on a pronoun takes the name in its place: not "县档案馆我们定期组织……"
    pronoun = "县档案馆坚持“安全第一，预防为主”的方针，我们定期组织档案安全检查。"
    assert verify.drop_clauses(pronoun, invented_names(pronoun, facts), subject=facts.unit)[0] == \
        "县档案馆定期组织档案安全检查。"
    # without a subject to keep, the clause goes whole
    assert verify.drop_clauses(text, invented_names(text, facts))[0].startswith("为确保档案安全，定期组织")


def test_what_an_item_lacks_goes_where_the_text_names_it_not_after_it_again():
    from drafter.verify import insert_missing
    text = "二是建立“党员+新员工”师徒结对机制，通过师傅带徒弟的方式，培养年轻员工的技能；三是企业重大决策前听取党委意见。"
    assert insert_missing(text, [], ["建立“党员+新员工”师徒结对机制，结对216对"]) == text.replace(
        "师徒结对机制，", "师徒结对机制，结对216对，")
    assert insert_missing("党委坚持设立党员示范岗，发挥作用。", [], ["设立党员示范岗58个"]) == "党委设立党员示范岗58个，发挥作用。"  # a count is no practice kept up
    # only where the phrase ends a clause of the text
    inside = "党支部坚持为行动不便老人提供上门服务这一工作思路。"
    assert insert_missing(inside, [], ["为行动不便老人提供上门服务4300人次"]) == inside + "为行动不便老人提供上门服务4300人次。"
    # the text does not name it: the item is stated after it, as before
    assert insert_missing("党委开展工作。", [], ["设立党员示范岗58个"]) == "党委开展工作。设立党员示范岗58个。"
    # several such items are parallel clauses of one sentence, not sentences opening on the same verb
    assert insert_missing("党委开展工作。", [], ["开展“党员中心户”创建", "开展党群服务中心提档升级"]) == \
        "党委开展工作。开展“党员中心户”创建；开展党群服务中心提档升级。"
    assert insert_missing("党委开展工作。", [], ["开展评议；公开结果", "设立示范岗"]) == \
        "党委开展工作。开展评议；公开结果。设立示范岗。"
    # stated after the text, an item leaves out the clauses the text already has (it said them twice)
    said = "党支部把常态化入户走访作为有效手段，排查问题隐患1046条。"
    assert insert_missing(said, [], ["网格员212名常态化入户走访，排查问题隐患1046条"]) == said + "网格员212名常态化入户走访。"
    lesson = "总支书记讲专题党课3次，提升了理论水平。"
    assert insert_missing(lesson, [], ["制定学习方案，4个党支部每月集中学习，总支书记讲专题党课3次"]) == \
        lesson + "制定学习方案，4个党支部每月集中学习。"
    long_rest = "设立困难职工帮扶基金，每年从企业利润中提取专项资金用于帮扶生活困难的职工家庭"
    assert insert_missing("党委设立困难职工帮扶基金。", [], [long_rest]) == \
        "党委设立困难职工帮扶基金。每年从企业利润中提取专项资金用于帮扶生活困难的职工家庭。"


def test_a_practice_the_paragraph_never_states_opens_it_given_the_units_names():
    """"……奠定了坚实的基础。推行党委班子与管理层“双向进入、交叉任职”，4名党委委员进入经营管理层。" (a held-out
    经验材料): the practice trailed its own paragraph."""
    from drafter.verify import insert_missing
    names = ("禾屿恒锐精密机械股份有限公司党委", "公司党委")
    item = "推行党委班子与管理层“双向进入、交叉任职”，4名党委委员进入经营管理层"
    purpose = "为推动决策科学化，禾屿恒锐精密机械股份有限公司党委召开专题会议，明确职责分工。这一做法提升了决策效率。"
    assert insert_missing(purpose, [], [item], names) == purpose.replace("党委召开", f"党委{item}，召开")
    plain = "公司党委坚持制度化管理，推动双方共同成长。"
    assert insert_missing(plain, [], ["建立“党员+新员工”师徒结对机制"], names) == \
        "公司党委建立“党员+新员工”师徒结对机制，坚持制度化管理，推动双方共同成长。"
    bare = "制定了详细的实施计划。通过加强宣传教育，确保执法人员熟练掌握。"
    assert insert_missing(bare, [], ["推行轻微违法行为免罚清单，首违免罚19件"], names) == \
        "推行轻微违法行为免罚清单，首违免罚19件。" + bare
    # the unit's name not as the subject (公司党委的…): the item opens the paragraph as a sentence of its own
    # said without its count: the count goes in where it is said, not the practice again at the head
    said = "街道党工委坚持网格员常态化入户走访，排查问题隐患1046条。"
    assert insert_missing(said, [], ["网格员212名常态化入户走访，排查问题隐患1046条"], names) == \
        "街道党工委坚持网格员212名常态化入户走访，排查问题隐患1046条。"
    owned = "公司党委的帮扶工作有效缓解了困难职工的生活压力。"
    assert insert_missing(owned, [], ["设立困难职工帮扶基金50万元"], names) == "设立困难职工帮扶基金50万元。" + owned


def test_trimming_an_enumeration_down_to_one_point_leaves_no_lone_ordinal():
    from drafter.verify import trim_sentences

    text = ("所党支部坚持依法行政，采取了以下措施：一是明确责任和标准，严格执法程序；二是通过培训和宣传提高执法人员的"
            "法律意识和操作能力；三是坚持依法处理，确保案件公正裁决。这项工作首违免罚19件。")
    out = trim_sentences(text, 60, [], ["首违免罚19件"])
    assert "二是" not in out and "一是" not in out and "首违免罚19件" in out
    assert out.startswith("所党支部坚持依法行政，采取了以下措施：明确责任和标准")


def _cut_first(text: str, facts, figures: list[str], answers: list[str]) -> tuple[str, SectionDraft, MockModel]:
    model = MockModel()
    for answer in answers:
        model.enqueue(answer)
    sdraft = SectionDraft(index=1, key="practice1", heading="（一）设立党员示范岗", section_type="主要做法")
    sdraft.attempts.append(Attempt(kind="write", prompt=[], output=text))
    steps = verify.repair(Streamer(get_settings()), model, sdraft, facts, "设立党员示范岗", text, "", figures, [],
                          [], 200, clean=lambda out: out, cut_share=0.25)
    return returned(steps), sdraft, model


def test_a_small_cut_that_keeps_every_fact_is_made_without_a_model_call():
    facts = validate_facts({"genre": "工作总结", "unit": "城西派出所党支部", "period": "2025年",
                            "figures": [{"label": "党员示范岗", "value": 6, "unit": "个"}]})
    text = ("城西派出所党支部决定从2019年7月起，在每个社区设立党员示范岗6个。党支部组织党员民警学习业务知识、参加培训、"
            "实地调研，提升了专业技能和服务水平。党员示范岗为群众提供了更好的服务，也为党员民警树立了榜样。")
    fixed, sdraft, _ = _cut_first(text, facts, ["党员示范岗6个"], [])  # no answer enqueued: a model call would fail
    assert [a.kind for a in sdraft.attempts] == ["write", "fallback"]
    assert fixed.startswith("城西派出所党支部决定在每个社区设立党员示范岗6个。") and "2019" not in fixed


def test_a_cut_that_would_lose_a_figure_goes_to_the_model():
    facts = validate_facts({"genre": "工作总结", "unit": "城西派出所党支部", "period": "2025年",
                            "figures": [{"label": "党员示范岗", "value": 6, "unit": "个"}]})
    text = "城西派出所党支部在3个社区设立党员示范岗6个，党员民警提升了服务水平。"  # 3: not in the facts
    answer = "城西派出所党支部设立党员示范岗6个，党员民警提升了服务水平。"
    fixed, sdraft, _ = _cut_first(text, facts, ["党员示范岗6个"], [answer])
    assert [a.kind for a in sdraft.attempts] == ["write", "repair"] and fixed == answer


def _year_cut(text: str, year: str) -> str:
    start = text.index(year)
    return verify.drop_clauses(text, [Finding("NUM_YEAR_OUTSIDE", "", (start, start + len(year)))])[0]


def test_a_wrong_year_goes_with_its_time_phrase_and_the_statement_stays():
    assert _year_cut("2023年，党支部开展了主题党日活动。", "2023年") == "党支部开展了主题党日活动。"
    assert _year_cut("党支部于2023年12月开展主题党日。", "2023年") == "党支部开展主题党日。"
    assert _year_cut("党支部2019年以来共开展活动12次。", "2019年") == "党支部共开展活动12次。"


def test_a_wrong_year_in_a_name_or_an_attribute_takes_its_clause():
    # cutting the year alone would leave "荣获度……" and "在的基础上"
    assert _year_cut("党支部荣获2019年度先进基层党组织称号，工作成效明显。", "2019年") == "工作成效明显。"
    assert _year_cut("在2019年的基础上，继续推进工作。", "2019年") == "继续推进工作。"


def test_an_item_the_text_lacks_opens_a_paragraph_that_opens_on_its_means():
    from drafter.verify import insert_missing, unsaid

    # both from a held-out draft: the item stated after the paragraph read as a stray line
    text = "通过加强宣传教育和培训，确保所有执法人员都能熟练掌握免罚清单的使用。首违免罚19件，有效减轻了企业的负担。"
    assert insert_missing(text, [], ["推行轻微违法行为免罚清单"]) == "推行轻微违法行为免罚清单，" + text
    assert insert_missing("所党支部加强宣传教育。", [], ["推行轻微违法行为免罚清单"]) == "所党支部加强宣传教育。推行轻微违法行为免罚清单。"
    # with the unit before 通过, the unit stays the subject (the unit's name goes later, when said again)
    assert insert_missing("青石铺市场监管所通过加强宣传教育，确保执法人员掌握清单。", [], ["推行轻微违法行为免罚清单"]) == \
        "青石铺市场监管所推行轻微违法行为免罚清单，通过加强宣传教育，确保执法人员掌握清单。"
    # a clause the text says in other words, with its figure, is not stated again
    said = "青石铺市场监管所全体党员亮身份进集贸市场，设立党员示范摊位8个。"
    assert unsaid(said, "党员9名全部亮身份进市场，在集贸市场设立党员示范摊位8个") == "党员9名全部亮身份进市场"
    assert unsaid("设立党员示范摊位6个。", "在集贸市场设立党员示范摊位8个") == "在集贸市场设立党员示范摊位8个"
