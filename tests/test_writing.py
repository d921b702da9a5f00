"""Cleaning a model's answer into body paragraphs (writing.sanitize)."""

from __future__ import annotations

from drafter.writing import sanitize


def test_bare_list_items_and_lead_ins_are_dropped_sentences_kept():
    answer = "\n".join([
        "幸福里社区党委开展党员包楼栋志愿服务，具体做法如下：",
        "市委书记示范学",
        "每季度撰写笔记",
        "- 规范组织设置",
        "党员每月到联系楼栋走访一次，收集居民诉求。",
        "通过以上措施，社区服务能力明显提升。",
    ])
    assert sanitize(answer, "开展党员包楼栋志愿服务") == (
        "党员每月到联系楼栋走访一次，收集居民诉求。\n通过以上措施，社区服务能力明显提升。")


def test_a_short_sentence_with_a_full_stop_stays():
    assert sanitize("成效明显。") == "成效明显。"
    assert sanitize("（一）加强组织领导\n成立领导小组，书记任组长。", keep={"（一）加强组织领导"}) == (
        "（一）加强组织领导\n成立领导小组，书记任组长。")


def test_an_inline_numbered_list_loses_its_markers_but_not_its_decimals():
    # seen in a 1.5B draft: after a clause was cut, "4. 强化了……" stood at a line start and read as a heading
    answer = ("修订后的新规则包括以下几点变化：1. 增加了会议纪律条款；2. 优化了会议议程；（3）会议记录保存期限延长到3.5年；"
              "4. 强化了会议结束后的工作安排。")
    body = sanitize(answer)
    assert body == ("修订后的新规则包括以下几点变化：增加了会议纪律条款；优化了会议议程；会议记录保存期限延长到3.5年；"
                    "强化了会议结束后的工作安排。")
    assert sanitize("签约率达到86.5%，较上年提高3.2个百分点，其中2.1个百分点来自上门服务。") == (
        "签约率达到86.5%，较上年提高3.2个百分点，其中2.1个百分点来自上门服务。")


# ------------------------------------------------------------------------------- the prompt a piece is given

def _outline_section(section_type: str, items: list[str]):
    from drafter.outline import OutlineSection

    return OutlineSection(key="x", section_type=section_type, title=section_type, items=items)


def test_a_practice_is_given_its_paragraph_shape_and_the_openings_alternate():
    from drafter.facts import validate_facts
    from drafter.prompts import render
    from drafter.writing import facts_block, piece_prompt

    facts = validate_facts({"genre": "工作总结", "unit": "城关镇党委", "activities": ["举办党课培训12期"]})
    osec = _outline_section("主要做法", ["举办党课培训12期"])
    block = facts_block(facts, [], osec.items)
    first, values = piece_prompt(facts, osec, "举办党课培训", block, osec.items, 150, 0)
    second, _ = piece_prompt(facts, osec, "举办党课培训", block, osec.items, 150, 1)
    assert {first, second} == {"write_practice_purpose", "write_practice_approach"}
    for name in (first, second):
        system, user = (m["content"] for m in render(name, examples_block="", **values))
        assert "举办党课培训12期" in user and "不新增任何具体的活动" in system and "不写“一是、二是”" in system
    assert "“为……，”" in render(first, examples_block="", **values)[1]["content"]

    assert "城关镇党委坚持" in render(second, examples_block="", **values)[1]["content"]


def test_several_practices_are_enumerated_lessons_drawn_other_sections_keep_their_task():
    from drafter.facts import validate_facts
    from drafter.prompts import render
    from drafter.writing import piece_prompt

    facts = validate_facts({"genre": "经验材料", "unit": "城关镇党委", "activities": ["甲", "乙"]})
    name, values = piece_prompt(facts, _outline_section("主要做法", ["甲", "乙"]), "做法", "1. 甲\n2. 乙", ["甲", "乙"], 200)
    assert name == "write_practices" and "2项做法" in render(name, examples_block="", **values)[1]["content"]
    name, values = piece_prompt(facts, _outline_section("经验体会", []), "几点启示", "1. 甲\n2. 乙", [], 200)
    assert name == "write_lessons" and "“一是……；二是……”" in render(name, examples_block="", **values)[1]["content"]
    name, values = piece_prompt(facts, _outline_section("取得成效", ["获评先进"]), "取得成效", "1. 获评先进", ["获评先进"], 200)
    assert name == "write_section" and values["task"]


def test_a_piece_of_many_items_is_written_in_calls_of_a_few():
    from drafter.outline import OutlineSection
    from drafter.writing import MAX_ITEMS_PER_CALL, model_calls

    items = [f"开展第{i}项工作" for i in range(1, 41)]
    osec = OutlineSection(key="practice", section_type="主要做法", title="主要做法", items=items, target_chars=3000,
                          subheadings=[*items[:5], "其他工作"])
    calls = model_calls(osec)
    assert [c[1] for c in calls[:6]] == osec.subheadings  # one call per named practice, headed
    rest = calls[5:]
    assert all(j == 5 for j, *_ in rest) and all(len(c[3]) <= MAX_ITEMS_PER_CALL for c in rest)
    assert [i for c in rest for i in c[3]] == items[5:] and [c[1] for c in rest[1:]] == [""] * (len(rest) - 1)
    assert sum(c[4] for c in rest) <= max(3000 // 6, 60 * len(rest))  # the share is shared (60 字 at least a call)


def test_practices_with_room_each_are_written_one_call_each():
    from drafter.outline import OutlineSection
    from drafter.writing import SINGLE_CALL_CHARS, model_calls

    items = ["为行动不便老人提供上门服务", "开展健康知识进社区宣讲"]
    roomy = OutlineSection(key="practice2", section_type="主要做法", title="上门服务", items=items,
                           target_chars=2 * SINGLE_CALL_CHARS + 10, figures=["上门服务4300人次"])
    calls = model_calls(roomy)
    assert [c[3] for c in calls] == [[items[0]], [items[1]]]
    assert [c[2] for c in calls] == [["上门服务4300人次"], []]  # the figures go with the first call only
    assert sum(c[4] for c in calls) == roomy.target_chars
    tight = OutlineSection(key="practice", section_type="主要做法", title="主要做法", items=items,
                           target_chars=2 * SINGLE_CALL_CHARS - 10)
    assert [c[3] for c in model_calls(tight)] == [items]  # 一是……二是…… in one call
    other = OutlineSection(key="problems", section_type="存在问题", title="存在问题", items=items, target_chars=400)
    assert len(model_calls(other)) == 1


def test_a_plan_said_back_at_the_start_of_its_measures_goes():
    from drafter.writing import measure_after
    assert measure_after("推进农村学校党建提质，进一步健全制度，确保质量。", "推进农村学校党建提质") == "进一步健全制度，确保质量。"
    assert measure_after("一是进一步加大培育力度，推动发展。", "壮大特色产业") == "进一步加大培育力度，推动发展。"
    # said back in other words: a first clause mostly of the plan's characters
    assert measure_after("推进农村学校党建工作提质，进一步健全制度。", "推进农村学校党建提质") == "进一步健全制度。"
    assert measure_after("坚持问题导向，推动发展。", "壮大特色产业") == "坚持问题导向，推动发展。"
    # the plan's time said first, then the unit and the plan in other words (a held-out draft's retry)
    assert measure_after("下半年，栗川市望桥街道党工委将深化物业服务企业党的工作全覆盖，进一步健全工作机制。",
                         "下半年实现物业服务企业党的工作全覆盖", ("栗川市望桥街道党工委", "街道党工委")) == "进一步健全工作机制。"
    assert measure_after("下半年，进一步健全工作机制。", "壮大特色产业") == "进一步健全工作机制。"
    # the plan said back after the unit and 将 (a held-out draft's 下一步打算)
    said = "街道党工委将深化物业服务企业党的工作全覆盖，进一步健全工作机制。"
    assert measure_after(said, "下半年实现物业服务企业党的工作全覆盖", ("栗川市望桥街道党工委", "街道党工委")) == \
        "进一步健全工作机制。"
    assert measure_after("街道党工委将坚持问题导向，推动发展。", "壮大特色产业", ("街道党工委",)) == \
        "街道党工委将坚持问题导向，推动发展。"



def test_the_aim_of_a_plan_stays_in_the_sentence_of_its_measures():
    from drafter.prompts import choice
    from drafter.writing import aim_joined
    text = "进一步健全青年干部培训体系，推动青年干部成长成才。确保青年干部得到全面提升。"
    assert aim_joined(text, "确保……") == "进一步健全青年干部培训体系，推动青年干部成长成才，确保青年干部得到全面提升。"
    # only the aim the prompt asked for: another sentence keeps its stop
    assert aim_joined("完善考核机制。坚持问题导向，推动发展。", "确保……") == "完善考核机制。坚持问题导向，推动发展。"
    assert aim_joined("完善考核机制。推动发展。", choice("write_plan", "aim", 1)) == "完善考核机制，推动发展。"
    assert aim_joined("完善考核机制。", "") == "完善考核机制。"

def test_plans_with_measures_stand_one_a_paragraph_and_a_lone_plan_keeps_two_sentences():
    from drafter import frames
    from drafter.facts import validate_facts
    facts = validate_facts({"unit": "青龙乡党委", "activities": ["开展培训"], "plans": ["壮大特色产业"]})
    one = frames.plans(facts, ["壮大特色产业"], measures=["进一步健全产业发展体系，确保产业持续发展"])
    assert one == ("下一步，青龙乡党委将壮大特色产业，进一步健全产业发展体系，确保产业持续发展。"
                   "同时，持续抓好各项工作的落实，推动各项工作取得新的成效。")
    two = frames.plans(facts, ["壮大特色产业"], measures=["进一步健全产业发展体系。确保产业持续发展"])
    assert two == "下一步，青龙乡党委将壮大特色产业，进一步健全产业发展体系。确保产业持续发展。"
    several = frames.plans(facts, ["壮大特色产业", "加强队伍建设"], measures=["", "进一步完善培训机制"])
    assert several.split("\n") == ["下一步，青龙乡党委将重点抓好以下工作：", "一是壮大特色产业。", "二是加强队伍建设，进一步完善培训机制。"]
    assert frames.plans(facts, ["壮大特色产业", "加强队伍建设"], measures=["", ""]) == frames.plans(
        facts, ["壮大特色产业", "加强队伍建设"])  # no measures: the one-line frame


def test_a_line_opening_on_a_quoted_name_keeps_its_quotation_marks():
    text = "第一句。\n\n“警民同心”调解室的建立，提升了调解效率。\n“全体党员参加学习。”"
    assert sanitize(text) == "第一句。\n“警民同心”调解室的建立，提升了调解效率。\n全体党员参加学习。"


def test_a_figure_an_achievement_states_is_not_said_twice_in_the_results():
    from drafter import frames
    from drafter.facts import validate_facts
    facts = validate_facts({"unit": "第二中学党支部", "period": "2019年", "activities": ["开展师德承诺"],
                            "figures": [{"label": "高考本科上线", "value": 412, "unit": "人"},
                                        {"label": "本科上线率", "value": "71.5", "unit": "%"},
                                        {"label": "结对帮扶学生", "value": 58, "unit": "名"}]})
    items = ["高考本科上线412人，本科上线率71.5%，创学校历史新高"]
    text = frames.results(facts, ["高考本科上线412人", "本科上线率71.5%", "结对帮扶学生58名"], items)
    assert text == "2019年，第二中学党支部结对帮扶学生58名，高考本科上线412人，本科上线率71.5%，创学校历史新高。"
    # a rate after the period has no unit before it ("第二中学党支部本科上线率达1.5%" reads as the branch's rate)
    assert frames.results(facts, ["本科上线率1.5%"], items).startswith("2019年，本科上线率达1.5%，")
    # nor of a count of the work's in a brief draft, which then opens on its period (a dev draft's "卫生院党支部门急诊达")
    clinic = validate_facts({"unit": "龙潭镇卫生院党支部", "period": "2025年上半年", "activities": ["下村坐诊"]})
    assert frames.results(clinic, ["门急诊2.7万人次", "重点人群签约率78.5%"], [], brief=True) == (
        "2025年上半年，门急诊达2.7万人次，重点人群签约率达78.5%。")
    assert frames.results(clinic, ["开展义诊12场"], [], brief=True) == "龙潭镇卫生院党支部开展义诊12场。"


def test_a_result_figure_of_a_noun_label_gets_its_verb():
    from drafter.frames import result_clause
    assert result_clause("受理警情6125起") == "受理警情6125起"  # a label of something done says it
    assert result_clause("电信网络诈骗发案下降31.4%") == "电信网络诈骗发案下降31.4%"  # and one of a change
    assert result_clause("家庭医生团队18个") == "家庭医生团队达18个"
    assert result_clause("检查食品经营主体3260家") == "检查食品经营主体3260家"  # not "检查……达3260家"
    assert result_clause("立案查处案件148件") == "立案查处案件148件"
    assert result_clause("群众满意率97.6%") == "群众满意率达97.6%"


def test_a_measure_saying_the_same_thing_after_each_verb_keeps_it_once():
    from drafter.writing import without_echoes
    text = ("进一步健全社区警务体系，坚持社区警务与基层网格深度融合，推动社区警务与基层网格深度融合，"
            "确保社区警务与基层网格深度融合。")
    assert without_echoes(text) == "进一步健全社区警务体系，坚持社区警务与基层网格深度融合。"
    assert without_echoes("进一步健全制度，完善机制，确保质量。") == "进一步健全制度，完善机制，确保质量。"


def test_an_effect_sentence_loses_the_clause_that_says_the_practice_again():
    from drafter.checks.coverage import bigrams
    from drafter.writing import effect_core

    paragraph = "为密切党群关系，青龙乡党委开展党员志愿服务，组织党员走进村组帮助群众解决实际困难。"
    said = bigrams(paragraph.replace("青龙乡党委", ""))
    # the opening clause says the practice again: it goes, and the predicate left gets a subject
    assert effect_core("通过开展党员志愿服务，不仅增强了党组织的凝聚力，还提升了群众的获得感。", said, "青龙乡党委") == (
        "这一做法不仅增强了党组织的凝聚力，还提升了群众的获得感。")
    # the unit opening what is left is its subject already
    assert effect_core("通过开展党员志愿服务，青龙乡党委赢得了群众信任。", said, "青龙乡党委") == "青龙乡党委赢得了群众信任。"
    # nothing said again, or nothing but the last clause: unchanged
    new = "党员的宗旨意识明显增强，基层党组织的凝聚力不断提升。"
    assert effect_core(new, said, "青龙乡党委") == new
    assert effect_core("开展党员志愿服务。", said, "青龙乡党委") == "开展党员志愿服务。"


def test_an_effect_that_opens_on_the_practice_and_its_figure_keeps_what_it_adds():
    """"开展党员志愿服务12次，……" said again before the effect: the figure goes with the clause, the effect stays."""
    from generators import returned

    from drafter.clients import Clients
    from drafter.facts import validate_facts
    from drafter.llm import MockModel
    from drafter.run import SectionDraft
    from drafter.settings import Settings
    from drafter.writing import Streamer, WritePolicy, Writer

    settings = Settings(local_model="quality")
    facts = validate_facts({"genre": "工作总结", "unit": "青龙乡党委", "activities": ["开展党员志愿服务12次"]})
    paragraph = "为密切党群关系，青龙乡党委开展党员志愿服务12次，组织党员走进村组帮助群众解决实际困难。"
    model = MockModel()
    model.enqueue("开展党员志愿服务12次，组织党员走进村组帮助群众解决实际困难，党员的宗旨意识和服务意识进一步增强，"
                  "基层党组织的凝聚力明显提升。")
    writer = Writer(Clients(settings, model=model), WritePolicy.for_settings(settings), Streamer(settings))
    sdraft = SectionDraft(index=1, key="practice", section_type="主要做法", heading="主要做法")
    out = returned(writer.effect(sdraft, facts, "开展党员志愿服务", paragraph, 260, []))
    assert out == paragraph + "党员的宗旨意识和服务意识进一步增强，基层党组织的凝聚力明显提升。"


def test_lessons_written_as_a_line_of_headlines_get_a_paragraph_a_point():
    """几点启示 as one line of short points, far short of its target: each point becomes a paragraph carried on
    by the reason the model gives for it; a reason with a figure, or one that says the point again, is left out
    and its point stands as it was."""
    from generators import returned

    from drafter.clients import Clients
    from drafter.facts import validate_facts
    from drafter.llm import MockModel
    from drafter.run import SectionDraft
    from drafter.settings import Settings
    from drafter.writing import Streamer, WritePolicy, Writer

    settings = Settings(local_model="quality")
    facts = validate_facts({"genre": "经验材料", "unit": "幸福里社区党委", "activities": [
        "把党支部建在网格上，选派党员担任网格员", "开展“党员包楼栋”志愿服务"]})
    line = "一是坚持党建引领，确保网格管理高效；二是注重志愿服务，提升居民幸福感；三是坚持党建引领，确保网格管理高效。"
    model = MockModel()
    model.enqueue("把党支部建在网格上，让党组织的触角延伸到居民身边，群众的急难愁盼有人听、有人管。")
    model.enqueue("党员包楼栋服务居民320户。")  # a figure the facts do not have: no reason for this point
    model.enqueue("坚持党建引领，确保网格管理高效。")  # the point said again
    writer = Writer(Clients(settings, model=model), WritePolicy.for_settings(settings), Streamer(settings))
    sdraft = SectionDraft(index=4, key="lessons", section_type="经验体会", heading="几点启示")
    block = "1. 把党支部建在网格上，选派党员担任网格员\n2. 开展“党员包楼栋”志愿服务"
    out = returned(writer.lesson_reasons(sdraft, facts, line, 200, [], block))
    assert out.split("\n") == [
        "一是坚持党建引领，确保网格管理高效。把党支部建在网格上，让党组织的触角延伸到居民身边，群众的急难愁盼有人听、有人管。",
        "二是注重志愿服务，提升居民幸福感。",
        "三是坚持党建引领，确保网格管理高效。",
    ]
    assert "坚持党建引领" in model.history[-1][0][-1]["content"] and model.pending == 0
    # long enough already, or not points at all: unchanged, no model call (nothing is enqueued)
    assert returned(writer.lesson_reasons(sdraft, facts, line, len(line), [], block)) == line
    assert returned(writer.lesson_reasons(sdraft, facts, "坚持党建引领，确保网格管理高效。", 200, [], block)) == (
        "坚持党建引领，确保网格管理高效。")
