"""Rule repairs of the writer's prose: lists become 一是/二是 prose, chat words and repeats go, nothing invented."""

from __future__ import annotations

from drafter.checks.prose import section_body_findings
from drafter.facts import validate_facts
from drafter.polish import polish
from drafter.zh.numbers import extract_numbers

FACTS = validate_facts({"genre": "工作总结", "unit": "城南社区卫生服务中心党支部", "unit_type": "医院",
                        "period": "2025年", "activities": ["组建党员家庭医生团队"],
                        "figures": [{"label": "重点人群签约率", "value": "86.5", "unit": "%"}]})
FACTS_FINANCE = validate_facts({"genre": "汇报材料", "unit": "县财政局", "unit_type": "机关", "period": "2024年",
                                "activities": ["加强政府债务风险防控"]})
CHATBOT = """组建党员家庭医生团队：首先，由中心全体党员组成团队，确保每位成员都有足够的专业技能。
选择合适科室：根据中心的实际情况，选择专门科室开展上门服务。
培训和指导：为家庭医生提供必要的培训和指导，提升服务能力。
此外，他们可能会与社区里的医生合作。通过互联网平台（如微信、支付宝等）为患者提供预约挂号。
重点人群签约率86.5%，这表明医院能够有效应对不同人群的需求。重点人群签约率达86.5%，体现了良好形象。
城南社区卫生服务中心党支部的口吻：我们始终秉持以人为本的理念。请根据实际情况调整上述内容。"""


def test_chatbot_answer_becomes_公文_without_losing_a_figure():
    result = polish(CHATBOT, "主要做法", FACTS)
    text = result.text
    assert text.startswith("一是由中心全体党员组成团队") and "；二是根据中心的实际情况" in text and "；三是为家庭医生" in text
    for gone in ("首先", "此外", "可能", "微信", "支付宝", "这表明", "的口吻", "请根据实际情况", "培训和指导："):
        assert gone not in text, gone
    assert text.count("86.5%") == 1  # stated once; the restatement went
    assert {m.key for m in extract_numbers(text)} <= {m.key for m in extract_numbers(CHATBOT)}  # nothing new
    left = {f.code for f in section_body_findings(text, "主要做法", FACTS, thin=False)}
    assert not left & {"PROSE_LIST", "PROSE_CONNECTIVE", "PROSE_HEDGE", "PROSE_REGISTER", "PROSE_COMMENTARY"}
    assert result.cut > 0 and result.inserted == 6  # 一是、二是、三是


def test_a_third_sentence_on_the_same_opening_loses_what_can_go():
    from drafter.polish import _varied_openings

    unit = "县财政局"
    text = ("通过强化资金管理和预算执行，有效控制了债务规模。通过建立债务风险预警机制，及时发现潜在的风险问题。"
            "通过制定和完善债务风险防控政策，提高了防控能力。")
    assert _varied_openings(text, unit).endswith("问题。制定和完善债务风险防控政策，提高了防控能力。")
    named = "县财政局坚持依法理财。县财政局加强预算管理。县财政局完善绩效评价办法。县财政局的工作得到肯定。"
    assert _varied_openings(named, unit) == "县财政局坚持依法理财。县财政局加强预算管理。完善绩效评价办法。县财政局的工作得到肯定。"
    # 通过 before no verb ("通过这次检查，……") keeps it: cut, the sentence would have no predicate
    kept = "通过这次检查，发现隐患三处。通过这次检查，整改隐患三处。通过这次检查，提高了安全水平。"
    assert _varied_openings(kept, unit) == kept
    assert not [f for f in section_body_findings(polish(text, "主要做法", FACTS_FINANCE).text, "主要做法", FACTS_FINANCE)
                if f.code == "PROSE_OPENING"]


def test_jianchi_goes_before_a_count_of_what_was_done_and_a_practice_is_no_idea():
    from drafter.polish import _jianchi_one_off

    facts = validate_facts({"unit": "杏坪村党总支", "activities": ["盘活闲置校舍和老仓库", "节假日保畅通期间组建党员突击队15支"]})
    assert _jianchi_one_off("公司党委坚持节假日保畅通期间组建党员突击队15支，处置交通事故1260起。", facts) == \
        "公司党委节假日保畅通期间组建党员突击队15支，处置交通事故1260起。"
    assert _jianchi_one_off("村党总支坚持盘活闲置校舍和老仓库这一工作思路，与企业签订租赁合同。", facts) == \
        "村党总支坚持盘活闲置校舍和老仓库，与企业签订租赁合同。"
    kept = "支部坚持每月开展主题党日1次，坚持以人为本这一理念。坚持党建引领，设立党员先锋岗36个。"
    assert _jianchi_one_off(kept, facts) == kept  # recurring; an idea of its own; 坚持 before no count


def test_sentences_opening_on_the_clerks_items_one_after_another_are_numbered():
    facts = validate_facts({"unit": "青龙乡党委", "activities": ["开展村级后备干部培养", "开展党员冬训", "开展移风易俗宣传",
                                                           "开展森林防火宣传"]})
    text = ("开展村级后备干部培养，为乡村振兴提供人才支撑。开展党员冬训，增强党员的理论水平。这项工作成效明显。"
            "开展移风易俗宣传，倡导文明健康的生活方式。开展森林防火宣传。")
    out = polish(text, "主要做法", facts).text
    assert out.startswith("一是开展村级后备干部培养") and "二是开展党员冬训" in out and "三是开展移风易俗宣传" in out
    assert "四是开展森林防火宣传" in out and "一是这项" not in out
    assert not [f for f in section_body_findings(out, "主要做法", facts) if f.code == "PROSE_OPENING"]
    two = "开展村级后备干部培养，为乡村振兴提供人才支撑。开展党员冬训，增强党员的理论水平。"
    assert polish(two, "主要做法", facts).text == two  # two on one opening are no monotony yet


def test_clean_prose_is_left_alone():
    clean = "坚持把党建工作摆在突出位置，健全工作机制，压实工作责任。一是组建党员家庭医生团队；二是推行上门服务。"
    result = polish(clean, "主要做法", FACTS)
    assert result.text == clean and result.cut == 0 and result.inserted == 0


def test_remedies_leave_the_problems_section_but_never_empty_it():
    problems = "部分党员学习主动性不强，参与活动积极性不高。要进一步加强教育培训，切实提高学习实效。"
    assert polish(problems, "存在问题", FACTS).text == "部分党员学习主动性不强，参与活动积极性不高。"
    only_remedy = "要进一步加强教育培训，切实提高学习实效。"
    assert polish(only_remedy, "存在问题", FACTS).text == only_remedy


def test_commentary_after_a_figure_goes_the_figure_stays():
    facts = validate_facts({"unit": "市水务集团党委", "activities": ["开展学习"]})
    text = "营业收入18.3亿元，同比增长7.5%，表明公司业务发展迅速。利润总额6480万元，显示出公司的财务状况良好。"
    out = polish(text, "取得成效", facts).text
    assert "表明" not in out and "显示出" not in out
    assert "18.3亿元" in out and "7.5%" in out and "6480万元" in out


def test_mixed_language_personal_voice_and_broken_clauses_go():
    facts = validate_facts({"unit": "城西派出所党支部", "activities": ["开展学习"],
                            "achievements": ["电信网络诈骗发案下降31.4%"]})
    text = ("通过集中学习，我不仅掌握了规定精神，还深入了解了相关政策。这使我能够全面 grasp国家的政策，为决策提供依据。"
            "集中学习10次。电信网络诈骗发案下降31.4%，这是，对社会造成了巨大的损失。")
    codes = [f.code for f in section_body_findings(text, "主要做法", facts)]
    assert codes.count("PROSE_REGISTER") >= 3
    out = polish(text, "主要做法", facts).text
    assert "grasp" not in out and "我不仅" not in out and "这是，" not in out
    assert "10次" in out and "31.4%" in out
    # a slogan with 我 is the genre's own phrasing, not a personal voice
    assert not section_body_findings("深入开展“我为群众办实事”实践活动，累计办结实事120件，群众满意度明显提升。", "主要做法", facts)


def test_ordinals_left_out_of_order_by_a_cut_are_renumbered():
    facts = validate_facts({"unit": "城西派出所党支部", "activities": ["开展学习", "为老人上门办证137人次"]})
    gap = "一是上门为老人办证137人次，方便了群众；三是提高了群众的办事效率；四是对老人定期上门服务，确保及时办理。"
    assert polish(gap, "主要做法", facts).text == gap.replace("三是", "二是").replace("四是", "三是")
    lone = "二是将学习内容通过多种形式进行传播，确保信息准确。开展学习教育，集中学习10次。"
    assert polish(lone, "主要做法", facts).text.startswith("将学习内容")
    two_lists = "一是学习不够深入，学用结合不紧；二是组织生活形式单一。\n一是落实整改，提高质量；二是丰富组织生活。"
    assert polish(two_lists, "存在问题", facts).text.count("二是") == 2  # each list keeps its own numbering
    assert "统一是" in polish("统一是基础，全镇党员干部积极参与各项活动，形成良好氛围。", "主要做法", facts).text


def test_a_list_written_without_its_first_ordinal_gets_it():
    facts = validate_facts({"unit": "县税务局党委", "activities": ["开展春风行动"]})
    text = "开展春风行动，走访企业860户宣讲政策，二是发放宣传资料，提高政策知晓度，三是推动企业享受税收优惠。"
    assert polish(text, "主要做法", facts).text == (
        "一是开展春风行动，走访企业860户宣讲政策；二是发放宣传资料，提高政策知晓度；三是推动企业享受税收优惠。")
    lead = "全年抓实党员教育。二是抓学习，全年集中学习12次。三是抓培训，轮训党员86名。"
    assert polish(lead, "主要做法", facts).text == "全年抓实党员教育。一是抓学习，全年集中学习12次。二是抓培训，轮训党员86名。"


def test_self_introductions_fragments_and_invented_rankings_go():
    text = ("城南社区卫生服务中心党支部。从初到熟，通过不懈的努力，为社区居民提供优质的医疗服务。"
            "作为支部的一员，我们需要为每一位家庭医生提供一个舒适的工作环境。"
            "组织家庭医生定期开展业务培训，提高了医疗技能和专业知识水平。签约服务满意度位居全市前列。")
    out = polish(text, "主要做法", FACTS).text
    for gone in ("城南社区卫生服务中心党支部。", "作为支部的一员", "我们需要", "位居全市前列"):
        assert gone not in out, gone
    assert "组织家庭医生定期开展业务培训，提高了医疗技能和专业知识水平。" in out
    assert not {f.code for f in section_body_findings(out, "主要做法", FACTS, thin=False)} & {
        "PROSE_REGISTER", "PROSE_FRAGMENT"}


def test_a_heading_marker_inside_a_paragraph_and_talk_of_these_measures_go():
    facts = validate_facts({"unit": "县教育局党组", "activities": ["开展学习"],
                            "figures": [{"label": "发展党员", "value": 36, "unit": "名"}]})
    text = "县教育局党组在各项工作中取得了显著成效。一、发展党员36名，党员队伍结构不断优化。通过以上措施，县教育局党组可以有效提升党建水平。"
    out = polish(text, "取得成效", facts).text
    assert "。一、" not in out and "发展党员36名" in out and "通过以上措施" not in out


def test_it_for_the_unit_goes_without_leaving_a_broken_sentence():
    text = ("组建党员家庭医生团队。它建立了党员联系群众制度，每月走访一次。"
            "它的工作不仅提高了居民的生活质量，还增强了中心的社会形象。上门服务4300人次。")
    out = polish(text, "主要做法", FACTS, "").text
    assert "建立了党员联系群众制度，每月走访一次。" in out and "它" not in out
    assert "。的" not in out and "4300人次" in out
    assert not [f for f in section_body_findings(out, "主要做法", FACTS) if f.code == "PROSE_FRAGMENT"]


def test_the_unit_put_where_a_purpose_goes_becomes_the_subject():
    from drafter.facts import validate_facts
    from drafter.polish import polish

    facts = validate_facts({"unit": "幸福里社区党委", "activities": ["把党支部建在网格上"]})
    assert polish("为幸福里社区党委，幸福里社区党委坚持把党支部建在网格上。", "主要做法", facts).text == (
        "幸福里社区党委坚持把党支部建在网格上。")
    assert polish("为幸福里社区党委，选派党员担任网格员。", "主要做法", facts).text == "幸福里社区党委选派党员担任网格员。"
    kept = "为方便群众办事，幸福里社区党委把党支部建在网格上。"  # a real purpose stays
    assert polish(kept, "主要做法", facts).text == kept
    long_name = validate_facts({"unit": "国家税务总局青崖县税务局党委", "activities": ["开展春风行动"]})
    assert polish("为青崖县税务局党委，国家税务总局青崖县税务局党委开展春风行动。", "主要做法", long_name).text == (
        "国家税务总局青崖县税务局党委开展春风行动。")  # the unit's name shortened is the unit too
    assert polish("为幸福里社区党委推行网格管理，幸福里社区党委选派党员担任网格员。", "主要做法", facts).text == (
        "幸福里社区党委选派党员担任网格员。")  # a clause naming the unit is no purpose either


def test_clauses_of_words_neither_the_facts_nor_the_genre_has_go_until_the_sentence_passes():
    from drafter.checks.grounding import body_findings
    from drafter.polish import drop_ungrounded_clauses
    facts = validate_facts({"genre": "汇报材料", "unit": "县财政局", "activities": ["推进预算绩效管理全覆盖"],
                            "plans": ["积极培植财源"]})
    # a 县财政局 does not make tax law: clauses of words neither the facts nor the genre has go, the measures stay
    text = "进一步健全预算执行机制，完善税收制度，坚持依法治税，推动财税政策的落实，确保预算绩效管理落到实处。"
    assert body_findings(text, facts, extra="积极培植财源")
    kept = drop_ungrounded_clauses(text, facts, extra="积极培植财源")
    assert not body_findings(kept, facts, extra="积极培植财源")
    # the clauses with the most such words go first, only until the sentence passes
    assert kept == "进一步健全预算执行机制，完善税收制度，确保预算绩效管理落到实处。"
    plain = "进一步健全预算执行机制，确保预算绩效管理落到实处。"
    assert drop_ungrounded_clauses(plain, facts) == plain  # nothing to fault: unchanged


def test_a_clause_that_only_continues_a_cut_one_goes_with_it():
    from drafter.polish import drop_ungrounded_clauses
    facts = validate_facts({"genre": "经验材料", "unit": "城南社区卫生服务中心党支部", "theme": "家庭医生签约服务",
                            "activities": ["组建党员家庭医生团队"]})
    text = "同时，通过开展家庭医生签约服务，让居民在签约期内享受免费的医疗咨询和治疗，以及优先使用公共卫生资源。"
    kept = drop_ungrounded_clauses(text, facts, "组建党员家庭医生团队")
    assert kept == ""  # and what is left, "同时，通过开展家庭医生签约服务。", is no sentence: it goes too
    text = "党支部组建党员家庭医生团队，配备护士、助产士、营养师和康复师，以及优先使用资源，方便了群众。"
    assert drop_ungrounded_clauses(text, facts, "组建党员家庭医生团队") == "党支部组建党员家庭医生团队，方便了群众。"
    text = "党支部组建党员家庭医生团队，不仅配备护士、助产士、营养师和康复师，还方便了群众，得到了好评。"
    assert drop_ungrounded_clauses(text, facts, "组建党员家庭医生团队") == "党支部组建党员家庭医生团队，得到了好评。"


def test_a_predicate_left_without_its_subject_by_a_cut_goes():
    from drafter.polish import drop_ungrounded_clauses
    facts = validate_facts({"genre": "经验材料", "unit": "城南社区卫生服务中心党支部",
                            "activities": ["开展健康知识进社区宣讲"]})
    first = "城南社区卫生服务中心党支部开展健康知识进社区宣讲活动。"
    fragment = "通过组织专家讲座、发放宣传资料和举办健康咨询活动，我们成功地向社区居民普及了各种健康知识，提高了他们的自我保健能力。"
    assert drop_ungrounded_clauses(first + fragment, facts, "开展健康知识进社区宣讲") == first
    # the subject stays: the sentence keeps its predicate
    whole = "党支部组建宣讲队，通过组织专家讲座、发放宣传资料和举办健康咨询活动，提高了居民的自我保健能力。"
    assert drop_ungrounded_clauses(whole, facts, "开展健康知识进社区宣讲") == "党支部组建宣讲队，提高了居民的自我保健能力。"


def test_a_sentence_left_on_the_second_half_of_buJin_goes_on_from_the_one_before():
    facts = validate_facts({"genre": "工作总结", "unit": "市水务集团有限公司党委", "activities": ["组建党员突击队"]})
    text = "党委组建了党员突击队，推动了项目顺利进行。还增强了团队的凝聚力和战斗力。"
    assert polish(text, "主要做法", facts).text == "党委组建了党员突击队，推动了项目顺利进行。同时还增强了团队的凝聚力和战斗力。"
    kept = "部分党员学习不够深入。还有部分党员作用发挥不明显。"
    assert polish(kept, "存在问题", facts).text == kept  # 还有 opens a sentence of its own


def test_a_self_reference_of_another_kind_of_unit_is_the_units_name():
    archive = validate_facts({"genre": "工作总结", "unit": "县档案馆", "activities": ["开展档案安全检查"]})
    text = "县档案馆开展档案安全检查，为我局提供了有力的支撑。"
    assert polish(text, "主要做法", archive).text == "县档案馆开展档案安全检查，为县档案馆提供了有力的支撑。"
    bureau = validate_facts({"genre": "工作总结", "unit": "县市场监管局党组", "activities": ["开展专项检查"]})
    assert "我局" in polish("我局开展专项检查，守住了安全底线。", "主要做法", bureau).text


def test_a_practice_quoted_as_a_slogan_loses_its_quotes_and_zuowei_takes_ba():
    facts = validate_facts({"genre": "经验材料", "unit": "城南社区卫生服务中心党支部",
                            "activities": ["为行动不便老人提供上门服务", "推行“网格吹哨、部门报到”工作机制"]})
    text = "城南社区卫生服务中心党支部坚持“为行动不便老人提供上门服务”这一工作思路，推行“网格吹哨、部门报到”工作机制。"
    assert polish(text, "主要做法", facts).text == (
        "城南社区卫生服务中心党支部坚持为行动不便老人提供上门服务，推行“网格吹哨、部门报到”工作机制。")
    text = "城南社区卫生服务中心党支部坚持为行动不便老人提供上门服务作为重要抓手，坚持把服务作为根本。"
    assert polish(text, "主要做法", facts).text == (
        "城南社区卫生服务中心党支部把为行动不便老人提供上门服务作为重要抓手，坚持把服务作为根本。")


def test_a_closing_formula_an_earlier_piece_ended_on_goes_from_the_next():
    from drafter.polish import without_said_endings
    before = "教育系统组织会议集中点评，增强了师生之间的沟通和信任，为教育系统的持续发展奠定了坚实的基础。"
    piece = ("教育系统坚持深入细致的个别谈话，重点点评教师的教学方法和学生的学习态度，推动教学质量提升。"
             "通过这样的工作，提升了教师的专业水平和学生的综合素质，为教育事业的发展奠定了坚实的基础。")
    kept, cut = without_said_endings(piece, before)
    assert kept == piece.replace("，为教育事业的发展奠定了坚实的基础。", "。") and cut == 17
    assert without_said_endings(piece, "教育系统组织会议集中点评，推动工作落实。") == (piece, 0)  # first time: stays
    # a sentence of that clause alone goes whole, unless too little would be left
    lone = "教育系统坚持深入细致的个别谈话，重点点评教师的教学方法和学生的学习态度，推动教学质量提升。这一做法为教育事业的发展奠定了坚实的基础。"
    assert without_said_endings(lone, before)[0] == lone[:lone.index("这一做法")]
    short = "教育系统坚持个别谈话。这一做法为教育事业的发展奠定了坚实的基础。"
    assert without_said_endings(short, before)[0] == short
    # a cut that would end the sentence on a 通过 phrase is not made; an ending alike in four characters only stays
    dangling = lone.replace("这一做法为", "通过定期会议和培训，为")
    assert without_said_endings(dangling, before)[0] == dangling
    common = piece.replace("为教育事业的发展奠定了坚实的基础", "提高了工作效率")
    assert without_said_endings(common, "教育系统组织点评，提高员工的工作效率。")[0] == common


def test_a_connective_left_alone_by_a_cut_goes():
    facts = validate_facts({"genre": "工作总结", "unit": "县教育局党组", "activities": ["开展党员相互点评"]})
    for text in ("通过党员之间的相互点评，发现了彼此的优点和不足。同时。", "通过党员之间的相互点评，发现了彼此的优点和不足。同时，"):
        assert polish(text, "主要做法", facts).text == "通过党员之间的相互点评，发现了彼此的优点和不足。"


def test_lessons_that_tell_a_practice_again_with_its_figure_go_and_at_most_four_stay():
    facts = validate_facts({"genre": "经验材料", "unit": "公司党委", "activities": ["设立党员创新工作室5个"]})
    points = ["坚持党建引领，确保发展方向正确", "注重人才培养，提高队伍综合素质", "设立党员创新工作室5个，推动技术创新",
              "强化制度建设，形成长效机制", "突出群众路线，凝聚发展合力", "坚持问题导向，提升工作实效"]
    text = "；".join(f"{n}是{p}" for n, p in zip("一二三四五六", points, strict=True)) + "。"
    out = polish(text, "经验体会", facts).text
    assert "5个" not in out and out.count("是") == 4 and out.startswith("一是坚持党建引领") and out.endswith("凝聚发展合力。")
    assert "四是突出群众路线" in out  # renumbered after the cut
    # fewer than two lessons without a figure: nothing goes
    two = "一是坚持党建引领，确保发展方向正确；二是设立党员创新工作室5个，推动技术创新。"
    assert polish(two, "经验体会", facts).text == two
    assert polish(text, "主要做法", facts).text.count("是") == 6  # only 几点启示
    # a paragraph a point
    lines = "\n\n".join(f"{n}是{p}。" for n, p in zip("一二三四五六", points, strict=True))
    out = polish(lines, "经验体会", facts).text
    assert "5个" not in out and out.count("是") == 4 and out.endswith("凝聚发展合力。") and "\n" in out


def test_a_named_programme_explained_with_ji_loses_the_explanation_the_facts_do_not_give():
    facts = validate_facts({"genre": "经验材料", "unit": "公司党委",
                            "activities": ["推行党委班子与管理层“双向进入、交叉任职”"]})
    text = "公司党委坚持“双向进入、交叉任职”制度，即不干预企业的经营决策，不参与企业的日常管理。通过这一制度，推动了管理提升。"
    assert polish(text, "主要做法", facts).text == "公司党委坚持“双向进入、交叉任职”制度。通过这一制度，推动了管理提升。"
    given = validate_facts({"genre": "经验材料", "unit": "公司党委",
                            "activities": ["推行“三张清单”，即责任清单、任务清单、问题清单"]})
    kept = "公司党委推行“三张清单”，即责任清单、任务清单、问题清单。"
    assert polish(kept, "主要做法", given).text == kept


def test_words_of_what_the_piece_may_draw_on_are_not_cut_as_invented():
    facts = validate_facts({"genre": "工作总结", "unit": "县图书馆党支部", "activities": ["开展志愿服务"]})
    text = "县图书馆党支部开展志愿服务。党支部组建红帆讲习团，走进乡村书屋开展领读活动，推动全民阅读。"
    assert "乡村书屋" not in polish(text, "主要做法", facts).text  # made up: cut
    assert polish(text, "主要做法", facts, "组建红帆讲习团走进乡村书屋开展领读活动").text == text  # its heading says so


def test_a_sentence_does_not_end_on_a_phrase_that_leads_into_nothing():
    from drafter.polish import without_dangling_phrases
    text = "党支部坚持上门服务，通过与社区工作人员密切合作。通过这种方式，推动了服务普及。"
    assert without_dangling_phrases(text) == "党支部坚持上门服务。通过这种方式，推动了服务普及。"
    assert without_dangling_phrases("通过定期会议和培训。党支部开展宣讲。") == "党支部开展宣讲。"
    kept = "党支部开展工作，通过这种方式推动发展。党支部坚持定期走访，围绕群众需求提供了服务。"
    assert without_dangling_phrases(kept) == kept  # the phrase has its verb
    # a time phrase whose statement a cut took: "截至目前，共检查各类食品企业1000家" without its invented count
    assert without_dangling_phrases("党组加大执法力度。截至目前。坚持依法监督。") == "党组加大执法力度。坚持依法监督。"
    assert without_dangling_phrases("党组加大执法力度，截至2024年底。") == "党组加大执法力度。"
    assert without_dangling_phrases("提高业务素质。党员示范岗的设立。这项工作……") == "提高业务素质。这项工作……"
    kept = "截至目前，共检查食品经营主体3260家。"
    assert without_dangling_phrases(kept) == kept


def test_commentary_goes_with_the_clause_it_is_in():
    from drafter.polish import polish
    facts = validate_facts({"unit": "派出所党支部", "activities": ["社区民警进网格"]})
    text = "派出所党支部推动社区民警进网格。通过这一举措，社区警务工作取得了显著成效。"
    assert polish(text, "主要做法", facts).text == "派出所党支部推动社区民警进网格。社区警务工作取得了显著成效。"


def test_the_lesson_formula_做法表明_is_not_commentary():
    """The 几点启示 prompt asks for "……的做法表明，……": the commentary rule took "企业重大决策前听取党委意见的做法
    表明" off a held-out draft and left "有利于……" without its subject."""
    facts = validate_facts({"unit": "公司党委", "genre": "经验材料", "activities": ["企业重大决策前听取党委意见"]})
    for kept in ("企业重大决策前听取党委意见的做法表明，党委把关定向作用得到有效发挥。",
                 "实践表明，坚持党建与生产经营深度融合，才能把党建优势转化为发展优势。"):
        assert polish(kept, "经验体会", facts, "企业重大决策前听取党委意见").text == kept
        assert not [f for f in section_body_findings(kept, "经验体会", facts) if f.code == "PROSE_COMMENTARY"]
    said = "公司党委听取意见事项17项，这表明党委作用明显。"
    assert polish(said, "经验体会", facts).text == "公司党委听取意见事项17项。"


def test_a_vague_count_beside_the_exact_one_goes():
    facts = validate_facts({"unit": "街道党工委", "activities": ["召开专题会议研究基层治理工作5次"]})
    text = "街道党工委多次召开专题会议研究基层治理工作5次，推动治理水平提高。"
    assert polish(text, "主要做法", facts).text == "街道党工委召开专题会议研究基层治理工作5次，推动治理水平提高。"
    kept = "街道党工委多次召开专题会议，研究部署基层治理工作。"  # no exact count: the vague one is all there is
    assert polish(kept, "主要做法", facts).text == kept


def test_a_cut_second_half_takes_its_不仅_with_it():
    """The clause after 不仅 cut for invented detail (参与感、归属感 are in neither the facts nor the genre's nouns):
    the sentence does not end on an unanswered 不仅."""
    text = ("城南社区卫生服务中心党支部组建党员家庭医生团队，定期入户随访。这项工作不仅提高了服务效率，"
            "还增强了居民的参与感和归属感。不仅如此，团队还坚持每月走访。")
    out = polish(text, "主要做法", FACTS).text
    assert "这项工作提高了服务效率。" in out and "归属感" not in out and "不仅如此" in out


def test_a_purpose_left_without_what_was_done_for_it_goes():
    """A dev draft began "为提高档案管理水平。通过加强……" once the clause after the purpose was cut as invented; a
    purpose that something is done for, or a 为 of who benefits, stays."""
    from drafter.polish import without_dangling_phrases

    assert without_dangling_phrases("为提高档案管理水平。通过加强与上级部门的沟通和协调，确保了工作的顺利进行。") == (
        "通过加强与上级部门的沟通和协调，确保了工作的顺利进行。")
    assert without_dangling_phrases("完成了重点档案扫描，为提高档案管理水平。") == "完成了重点档案扫描。"
    for kept in ("完成了重点档案扫描，为提高档案管理水平打下基础。", "为乡村振兴提供坚强保障。",
                 "为进一步提升服务水平，社区党委开展志愿服务。", "党员干部为群众办实事。"):
        assert without_dangling_phrases(kept) == kept


def test_a_lesson_point_loses_the_figures_of_the_practice_it_tells_again():
    """A held-out 经验材料's 几点启示 (a paragraph a point) had one lesson and three practices with their figures:
    a point whose lesson is followed by a figure clause loses the clause, and then the two points of all figures
    go because two lessons stay."""
    from drafter.facts import validate_facts

    facts = validate_facts({"genre": "经验材料", "unit": "恒锐公司党委", "activities": ["实施“双培养”工程"]})
    text = ("一是坚持党管干部。实践证明，坚持党管干部是企业发展的根本保证。\n"
            "二是注重培养党员、把党员培养成技术骨干，全年发展党员11名。\n"
            "三是设立党员创新工作室5个，认领技术攻关项目32项，完成29项。\n"
            "四是在生产车间划定党员责任区24个、设立党员示范岗58个。")
    out = polish(text, "经验体会", facts).text
    assert out.split("\n") == ["一是坚持党管干部。实践证明，坚持党管干部是企业发展的根本保证。",
                               "二是注重培养党员、把党员培养成技术骨干。"]
    # a point whose lesson itself holds the figure is not cut into: it stays whole, or goes as a practice
    out = polish("一是坚持党建引领，确保方向正确；二是设立岗位5个，推动创新；三是注重制度建设，保障长效。", "经验体会", facts).text
    assert out == "一是坚持党建引领，确保方向正确；二是注重制度建设，保障长效。"


def test_a_paragraph_of_the_same_piece_numbers_on_and_a_list_of_more_than_ten_is_no_enumeration():
    from drafter.polish import continue_ordinals
    assert continue_ordinals("一是开展甲，帮助群众。二是开展乙；三是开展丙。", 4) == ("五是开展甲，帮助群众。六是开展乙；七是开展丙。", 7)
    assert continue_ordinals("一是开展甲。二是开展乙。", 0) == ("一是开展甲。二是开展乙。", 2)  # the first paragraph
    assert continue_ordinals("一是开展甲。二是开展乙。三是开展丙。", 8) == ("一是开展甲。二是开展乙。三是开展丙。", 3)  # past 十是
    assert continue_ordinals("开展甲，二是开展乙。", 3) == ("开展甲，二是开展乙。", 3)  # no run from 一是: as it was
    assert continue_ordinals("开展甲，推动乙。", 3) == ("开展甲，推动乙。", 3)
    # a piece of more than ten items is no enumeration: its points stand as clauses
    assert continue_ordinals("一是开展甲，帮助群众；二是开展乙。", 0, total=33) == ("开展甲，帮助群众；开展乙。", 2)
    assert continue_ordinals("一是开展丙。二是开展丁。", 2, total=33) == ("开展丙；开展丁。", 4)


def test_an_exact_figure_of_the_facts_loses_the_hedge_the_model_put_on_it():
    """"投资约2.35亿元" of the fact "投资2.35亿元" blurs it (a held-out draft failed the numbers check on it); a hedge
    the facts write themselves stays, and so does one on a number the facts do not have (the check judges it)."""
    from drafter.facts import validate_facts
    from drafter.polish import polish
    facts = validate_facts({"unit": "公司党委", "activities": ["完成路面大中修工程12项，投资2.35亿元", "培训约1500人次"],
                            "figures": [{"label": "党员", "value": 132, "unit": "名"}]})
    text = "公司党委完成了12项路面大中修工程，投资约2.35亿元，提升了通行能力。现有党员132名左右。培训约1500人次，投资约3亿元。"
    assert polish(text, "主要做法", facts).text == ("公司党委完成了12项路面大中修工程，投资2.35亿元，提升了通行能力。现有党员132名。"
                                                "培训约1500人次，投资约3亿元。")


def test_the_prompts_sentence_roles_are_not_said_back_as_content():
    from drafter.facts import validate_facts
    from drafter.polish import polish

    facts = validate_facts({"unit": "幸福里社区党委", "activities": ["把党支部建在网格上"]})
    text = ("幸福里社区党委坚持党支部建在网格上这一工作目的，通过定期召开会议抓落实。"
            "这项工作起到了显著的作用，提升了社区的整体管理水平。党委开展服务，这一做法发挥了积极作用。")
    out = polish(text, "主要做法", facts).text
    assert "目的" not in out and "作用" not in out
    assert polish("党委开展服务。这项工作起到显著的推动作用，提升了居民的生活质量。", "主要做法", facts).text == (
        "党委开展服务。这项工作提升了居民的生活质量。")
    assert "这项工作提升了社区的整体管理水平。" in out and out.endswith("党委开展服务。")
    kept = "这项工作在推动发展中发挥了重要作用。"  # a role of its own, not the prompt's words
    assert polish(kept, "主要做法", facts).text == kept


def test_the_unit_does_not_speak_of_itself_as_women_in_a_practice():
    from drafter.facts import validate_facts
    from drafter.polish import polish

    facts = validate_facts({"unit": "栗川高速公路运营管理有限公司党委", "activities": ["党建考核与经营业绩考核挂钩"]})
    text = ("为栗川高速公路运营管理有限公司党委，我们通过建立挂钩机制，推动党建工作落实。"
            "同时，我们坚持定期召开述职会议。")
    assert polish(text, "主要做法", facts).text == (
        "栗川高速公路运营管理有限公司党委通过建立挂钩机制，推动党建工作落实。同时，坚持定期召开述职会议。")
    kept = "我们的党员干部积极参与。走访职工，他们纷纷表示满意。"  # 我们的 / another subject: not the unit's 我们
    assert polish(kept, "主要做法", facts).text == kept
    assert "我们也清醒地看到" in polish("在肯定成绩的同时，我们也清醒地看到，工作中还存在不足。", "存在问题", facts).text
    # 他们 carrying the unit's doing on (seen in a bench draft of a 局党委); before a verb it is the people just named
    assert polish("局党委定期召开专题会议。同时，他们还组织了主题党日活动。", "主要做法", facts).text == \
        "局党委定期召开专题会议。同时，还组织了主题党日活动。"


def test_jianchi_takes_a_practice_with_its_verb():
    from drafter.facts import validate_facts
    from drafter.polish import polish

    facts = validate_facts({"unit": "学校党支部", "activities": ["开展“不忘初心、牢记使命”主题教育，支部集中学习研讨6次",
                                                                 "党员教师上公开示范课27节"]})
    out = polish("学校党支部坚持“不忘初心、牢记使命”主题教育，支部集中学习研讨6次。", "主要做法", facts).text
    assert out == "学校党支部坚持开展“不忘初心、牢记使命”主题教育，支部集中学习研讨6次。"
    kept = "学校党支部坚持开展“不忘初心、牢记使命”主题教育。坚持党员教师上公开示范课的工作机制。"  # verb there / none given
    assert polish(kept, "主要做法", facts).text == kept
    fund = validate_facts({"unit": "公司党委", "activities": ["设立困难职工帮扶基金50万元"]})
    assert polish("公司党委坚持困难职工帮扶基金制度。", "主要做法", fund).text == "公司党委坚持设立困难职工帮扶基金制度。"
    other = "公司党委坚持困难职工帮扶工作。"  # not the practice the facts name: no verb is added
    assert polish(other, "主要做法", fund).text == other
    done = validate_facts({"unit": "市场监管所", "activities": ["完成食品安全监督抽检386批次"]})
    once = "市场监管所坚持食品安全监督抽检制度。"  # 完成 is no verb to keep up
    assert polish(once, "主要做法", done).text == once


def test_a_closing_formula_cut_from_a_correlative_takes_its_first_half_along():
    # seen in a bench draft: "……不仅提升了党员干部的政治素养，也为推动税务工作高质量发展提供了有力保障。" lost its second
    # half to an earlier piece's ending and kept "不仅"
    from drafter.polish import without_said_endings
    before = "局党委每季度专题研究党建工作，为实现高质量发展提供了有力保障。"
    piece = ("局党委开展党纪学习教育，中心组专题研讨4次，提高了党员的纪律意识。"
             "这次党纪学习教育不仅提升了党员干部的政治素养，也为推动税务工作高质量发展提供了有力保障。")
    kept, _ = without_said_endings(piece, before)
    assert kept.endswith("这次党纪学习教育提升了党员干部的政治素养。")


def test_a_purpose_that_only_names_the_work_becomes_the_work_it_was_done_in():
    from drafter.facts import validate_facts
    from drafter.polish import polish

    facts = validate_facts({"unit": "澄岭县人力资源和社会保障局", "activities": ["开展根治欠薪冬季专项行动"]})
    text = "为根治欠薪冬季专项行动，澄岭县人力资源和社会保障局开展了深入的调查和摸底工作。"  # a held-out draft
    assert polish(text, "主要做法", facts).text == "在根治欠薪冬季专项行动中，澄岭县人力资源和社会保障局开展了深入的调查和摸底工作。"
    for kept in ("为开展好主题党日活动，澄岭县人力资源和社会保障局制定了方案。", "为提升群众满意度，澄岭县人力资源和社会保障局开展走访活动。"):
        assert polish(kept, "主要做法", facts).text == kept  # a purpose with its own verb


def test_a_purpose_that_only_says_the_practice_again_goes():
    from drafter.facts import validate_facts
    from drafter.polish import polish

    facts = validate_facts({"unit": "青石铺市场监管所", "activities": [
        "党员9名全部亮身份进市场，在集贸市场设立党员示范摊位8个", "推行轻微违法行为免罚清单，首违免罚19件",
        "开展校园周边食品安全专项整治，检查学校食堂和周边商户214家次"]})
    # both from a held-out draft
    assert polish("为推动党员亮身份进市场，青石铺市场监管所全体党员9名全部亮身份进市场。", "主要做法", facts).text == \
        "青石铺市场监管所全体党员9名全部亮身份进市场。"
    assert polish("为推动轻微违法行为免罚清单的推行，青石铺市场监管所坚持“首违免罚”制度。", "主要做法", facts).text == \
        "青石铺市场监管所坚持“首违免罚”制度。"
    own = "为提升校园周边食品安全，青石铺市场监管所开展了校园周边食品安全专项整治。"  # a purpose of its own
    assert polish(own, "主要做法", facts).text == own
    aim = validate_facts({"unit": "县财政局", "activities": ["加强政府债务风险防控，建立债务风险预警机制"]})
    kept = "为加强政府债务风险防控，县财政局建立健全债务风险预警机制。"  # the practice's aim, then how: stays
    assert polish(kept, "主要做法", aim).text == kept


def test_a_practice_done_for_someone_put_where_a_purpose_goes_gets_its_subject_first():
    from drafter.facts import validate_facts
    from drafter.polish import polish

    facts = validate_facts({"unit": "龙潭镇卫生院党支部", "activities": ["为65岁以上老年人免费体检2940人", "开展义诊"]})
    # from a dev draft: 为 + the practice, then the unit, reads as a purpose that is the work itself
    text = "为65岁以上老年人免费体检2940人，卫生院党支部通过定期组织体检活动，推动了老年人的健康管理。"
    assert polish(text, "主要做法", facts).text == "卫生院党支部为65岁以上老年人免费体检2940人，通过定期组织体检活动，推动了老年人的健康管理。"
    for kept in ("为提升群众健康水平，卫生院党支部开展义诊。",  # a purpose of its own
                 "为65岁以上老年人免费体检2940人，推动了老年人的健康管理。"):  # no subject to put first
        assert polish(kept, "主要做法", facts).text == kept


def test_a_practice_for_someone_is_found_with_the_units_name_in_it():
    from drafter.facts import validate_facts
    from drafter.polish import polish

    facts = validate_facts({"unit": "禾屿县第二中学党支部", "activities": ["党员教师38名全部与学困生结对，结对帮扶学生95名"]})
    text = "为禾屿县第二中学全体党员教师与学困生结对，学校党支部通过深入细致的帮扶和指导，提高了学生成绩。"  # held-out draft
    assert polish(text, "主要做法", facts).text.startswith("学校党支部为禾屿县第二中学全体党员教师与学困生结对，通过")


def test_a_clause_saying_a_figure_of_its_sentence_again_goes():
    from drafter.facts import validate_facts
    from drafter.polish import polish

    facts = validate_facts({"unit": "泊川县纪委机关党总支", "activities": ["对照党章党规查摆问题62条，已整改58条"]})
    text = "机关党总支对照党章党规查摆问题62条，已整改58条，通过深入分析和整改58条问题，已整改58条。"  # a held-out draft
    assert polish(text, "主要做法", facts).text == "机关党总支对照党章党规查摆问题62条，已整改58条。"
    kept = "机关党总支党员参学率100%，专题讨论覆盖率100%。"  # the same figure of two different things
    assert polish(kept, "主要做法", facts).text == kept
