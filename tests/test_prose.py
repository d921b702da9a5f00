"""The prose-quality check: each defect class found with its span; human-written 公文 raises few alarms."""

from __future__ import annotations

import pytest

from drafter.checks.length import count_chars
from drafter.checks.prose import check_prose, prose_findings, section_body_findings
from drafter.facts import validate_facts
from vectorstore.cli import demo_corpus_files
from vectorstore.pipeline import parse_path

FACTS = validate_facts({"genre": "工作总结", "unit": "城南社区卫生服务中心党支部", "unit_type": "医院",
                        "period": "2025年", "activities": ["组建党员家庭医生团队"]})

CASES = [
    ("主要做法", "制定评选标准：明确评选条件和程序。\n培训与教育：组织党员参加培训。", "PROSE_LIST"),
    ("基本情况", "代表性强，在全市党政机关中占主导地位。代表性强，在全市党政机关中占主导地位。", "PROSE_REPEAT"),
    ("主要做法", "通过互联网平台（如微信、支付宝等）为患者提供预约挂号服务。", "PROSE_REGISTER"),
    ("主要做法", "首先，由社区卫生服务中心全体成员组成团队，确保服务到位。", "PROSE_CONNECTIVE"),
    ("经验体会", "他们可能会与社区里的医生合作，共同制定管理制度。", "PROSE_HEDGE"),
    ("取得成效", "服务群众成效明显。评出党员示范岗达56个。培训党员达960人次。", "PROSE_RULE_FIGURE"),
    ("下一步打算", "继续加强党建工作。", "PROSE_THIN"),
    ("存在问题", "部分党员学习主动性不强。要进一步加强教育培训，切实提高学习实效。", "PROSE_SOLUTION"),
    ("存在问题", "部分党员学习主动性不强。获评县级先进基层党组织1个，成绩来之不易。", "PROSE_WRONG_SECTION"),
    ("取得成效", "毕业生就业率达97.1%，位居全国前列，群众满意度不断提升。", "PROSE_REGISTER"),
    ("主要做法", "作为支部的一员，我们为每一位家庭医生提供舒适的工作环境，群众评价较好。", "PROSE_REGISTER"),
    ("经验体会", "党支部作为基层组织，其经验材料中蕴含着丰富的经验和体会。", "PROSE_REGISTER"),
    ("主要做法", "城南社区卫生服务中心党支部。通过不懈努力，为社区居民提供优质的医疗服务。", "PROSE_FRAGMENT"),
    ("主要做法", "举办家庭医生培训班，旨在提升医生的专业技能和服务水平。", "PROSE_COMMENTARY"),
    ("存在问题", "基层分局党员年龄偏大，这由于工作压力过大、缺乏创新精神等原因造成的。", "PROSE_REGISTER"),
    ("主要做法", "城南社区卫生服务中心党支部设立党员示范窗口。该窗口提高了党员的技能和素质，群众评价较好。", "PROSE_REGISTER"),
    ("主要做法", "城南社区卫生服务中心党支部，为工作总结开展义诊活动，服务群众300余人次。", "PROSE_REGISTER"),
    ("取得成效", "城南社区卫生服务中心党支部取得的成效包括签约居民3200户，群众满意度96.3%。", "PROSE_REGISTER"),
    ("下一步打算", "下一步，我们将深化家庭医生签约服务。我们将提升党组织的组织力，推动各项工作落实。", "PROSE_REGISTER"),
    ("主要做法", "组建党员家庭医生团队，……开展上门服务，群众评价较好。", "PROSE_REGISTER"),
    ("下一步打算", "下一步，我们将深化家庭医生签约服务。请继续在这一基础上，根据实际情况制定下一步的工作计划。", "PROSE_REGISTER"),
    ("取得成效", "家庭医生签约率明显提升，说明党支部在服务群众方面取得了显著进步。", "PROSE_REGISTER"),
    ("主要做法", "组建党员家庭医生团队。具体来说，该工程为居民提供了全面的健康服务。", "PROSE_CONNECTIVE"),
    ("存在问题", "一是部分党员学习不够深入；二是确定会议议程和内容，确保会议内容的集中和可管理。", "PROSE_SOLUTION"),
    ("存在问题", "党建力量相对薄弱。为此，党支部应当加强党建力量的建设，增强党建的执行力。", "PROSE_SOLUTION"),
    ("主要做法", "组建党员家庭医生团队。一方面，我们与专家合作，优化服务方式，提升服务水平。", "PROSE_CONNECTIVE"),
    ("主要做法", "组建党员家庭医生团队，这种组织结构有助于提高工作效率和决策质量。", "PROSE_COMMENTARY"),
    ("取得成效", "家庭医生签约率明显提升，提升了中心的管理水平和服务质量和服务质量。", "PROSE_REGISTER"),
    ("主要做法", "通过这三项工作，党支部深刻认识到家庭医生签约服务的重要性，并积极推进。", "PROSE_REGISTER"),
    ("主要做法", "建立党员先锋岗，开展结对帮扶，这标志着各项工作开始规范化、制度化。", "PROSE_COMMENTARY"),
    ("存在问题", "根据实际情况，对工作流程进行调整，确保各项工作有序进行。个别党员承诺事项落实不够到位。", "PROSE_SOLUTION"),
    ("存在问题", "城南社区卫生服务中心党支部，作为国家医疗中心的领导机构，高度重视人才引进工作。", "PROSE_REGISTER"),
    ("下一步打算", "下一步，我们将深化家庭医生签约服务。通过上述措施，我们将逐步推进智慧医疗建设。", "PROSE_REGISTER"),
    ("主要做法", "党支部在组建家庭医生团队的过程中，首先，由党支部书记担任团队负责人，负责组织团队成员。", "PROSE_CONNECTIVE"),
    ("主要做法", "组建党员家庭医生团队，开展上门服务。第三，我们带来了巨大的变化。", "PROSE_CONNECTIVE"),
    ("存在问题", "这需要党支部加强预算管理力度，制定更加合理的分配方案。部分党员学习不够深入。", "PROSE_SOLUTION"),
    ("存在问题", "部分党员学习不够深入。以上只是部分存在的问题，并没有具体整改措施。", "PROSE_REGISTER"),
    ("主要做法", "组建党员家庭医生团队，还利用了大数据、云计算等信息技术，实现了智能化管理。", "PROSE_REGISTER"),
    ("经验体会", "幸福里社区党委，是党和政府的重要组成部分。我们加强对党员的教育和培训。", "PROSE_REGISTER"),
    ("经验体会", "党支部作为党的机关，始终坚持科学、民主、法治的治国理念，把人民群众放在首位。", "PROSE_REGISTER"),
    ("主要做法", "通过党建品牌建设，增强了党组织凝聚力，提升了组织的整体效能。开展书记讲党课，提升了组织的整体效能。",
     "PROSE_REPEAT"),
    ("主要做法", "压减一般性支出。以上内容仅限为汇报材料，不涉及商业活动、制度、机构名称等具体信息。", "PROSE_REGISTER"),
    ("主要做法", "组建党员家庭医生团队。的工作不仅提高了居民的生活质量，还增强了中心的社会形象。", "PROSE_FRAGMENT"),
    ("主要做法", "成立由党委书记任组长的领导小组。领导小组将充分发挥领导作用，推动活动深入开展。", "PROSE_WRONG_SECTION"),
    ("主要做法", "一是党员民警挂牌上岗，设立党员示范岗6个；二是党员民警挂牌上岗，建立党员示范岗制度。", "PROSE_REPEAT"),
    ("主要做法", "城南社区卫生服务中心党支部重视制度建设。它建立了党员联系群众制度，每月走访一次。", "PROSE_REGISTER"),
    ("主要做法", "开展党员教师技能示范课42节，为学校的发展提供了宝贵的经验和启示。", "PROSE_COMMENTARY"),
    ("主要做法", "与本地企业共建实训基地9个。该基地结合企业需求开展实训，学生技能明显提升。", "PROSE_REGISTER"),
    # a clause said before, said again inside a longer one (a held-out eval draft)
    ("主要做法", "通过土地流转，村集体收入明显增加，为乡村振兴注入了新的活力。同时，这项工作也为乡村振兴注入了新的活力，"
                "带动了当地经济发展。", "PROSE_REPEAT"),
    # a clause said again in other words (an eval draft's effect sentences)
    ("主要做法", "组建党员家庭医生团队18个，提升了社区卫生服务中心的整体服务水平和居民的健康水平。这项工作不仅提高了"
                "社区卫生服务中心的整体服务水平和居民的健康水平，还增强了居民的信任。", "PROSE_REPEAT"),
    # a frame's tail stuck to every point (an eval draft's 几点启示)
    ("经验体会", "一是坚持党员示范带动作用，党员走在前面，带动居民参与健康宣讲比学赶超。二是注重为老人提供上门服务，"
                "把群众满意作为根本评价标准比学赶超。三是组建党员家庭医生团队，提高医疗服务水平比学赶超。", "PROSE_REPEAT"),
    # a foreign word after a comma (a held-out draft's "，also促进了")
    ("主要做法", "这些活动提高了党员的积极性，also促进了社区居民之间的互动。", "PROSE_REGISTER"),
    # a sentence ending on a bare place phrase (a held-out draft's 结对帮扶, a LOO draft's 阶段小结)
    ("主要做法", "学校党支部确保了38名党员教师全部与学困生结对，并且在95名学生中。", "PROSE_FRAGMENT"),
    ("主要做法", "通过加强沟通协调，推动各项工作顺利进行。在推进过程中。", "PROSE_FRAGMENT"),
    # three sentences of one paragraph on one opening (an eval draft's 做法 on 政府债务)
    ("主要做法", "坚持科学决策和动态管理，确保债务安全可控。通过强化资金管理和预算执行，有效控制了债务规模。通过建立"
                "债务风险预警机制，及时发现和处理潜在的风险问题。通过制定和完善债务风险防控政策，提高了防控能力。",
     "PROSE_OPENING"),
]


@pytest.mark.parametrize(("section_type", "body", "code"), CASES)
def test_each_defect_is_found_with_its_span(section_type, body, code):
    found = [f for f in section_body_findings(body, section_type, FACTS) if f.code == code]
    assert found, (code, [f.code for f in section_body_findings(body, section_type, FACTS)])
    start, end = found[0].span
    assert 0 <= start < end <= len(body)


CLEAN = [
    ("主要做法", "坚持把党建工作摆在突出位置，一是健全组织体系，成立党员家庭医生团队；二是创新服务载体，推行上门服务；"
                "三是完善考评机制，把群众满意度作为考核的重要内容。"),
    ("存在问题", "一是部分党员参与活动的主动性不强，满足于完成规定动作；二是活动载体创新不够，特色不够鲜明，"
                "对年轻党员的吸引力有待增强。"),
    ("下一步打算", "下一步，我们将健全创先争优长效机制，加强对基层党组织的分类指导。同时，进一步创新活动载体，推动各项工作再上新台阶。"),
    ("主要做法", "利用微信公众号和微信群开展线上学习，尽可能方便党员参学，做到学习教育全覆盖、无死角，"
                "流动党员也能按时参加组织生活。"),
    ("主要做法", "开展“争当科学发展排头兵”公开承诺活动，党员公开承诺。各支部结合实际，深化“争当科学发展排头兵”公开承诺活动。"),
    ("主要做法", "选派第一书记驻村开展帮扶，第一书记，驻村工作队队员和村“两委”干部一起走访农户，做到户户见面。"),
    ("主要做法", "党支部作为基层党组织的战斗堡垒，带领党员走在服务群众前列，城南社区卫生服务中心党支部被评为先进基层党组织。"),
    ("主要做法", "地方党委高度重视。着力抓好党员教育。了解群众所需所盼，的确解决了一批难题。"),
    # points of a parallel enumeration may share their ending; two sentences on one ending are no formula yet
    ("主要做法", "与绩效考核结合起来，在提升执行力上实现突破；与中心工作结合起来，在促进发展上实现突破；"
                "与作风建设结合起来，在转变作风上实现突破。党员服务队深入村组为群众解难题，群众满意度明显提升。"),
    # a lead-in to 一是……二是…… is no label-colon line (the 存在问题 frame with a short unit name)
    ("存在问题", "集团党委工作中还存在一些不足：一是党建与业务融合深度不够；二是基层党务干部专业能力有待提升。"),
    # clauses sharing a common object are not one said twice; the unit's name opening both does not count
    ("主要做法", "城南社区卫生服务中心党支部组建党员家庭医生团队，增强了党组织的凝聚力。城南社区卫生服务中心党支部"
                "开展健康知识宣讲，提高了居民的健康意识。"),
    # two sentences on one opening, and three points of an enumeration, are no formula
    ("主要做法", "通过强化资金管理，有效控制了债务规模。通过建立预警机制，及时发现潜在的风险问题。一是加强党员教育管理；"
                "二是加强阵地建设，改善活动条件；三是加强制度建设，完善长效机制。"),
    # 其 and a 它 inside a word are no pronoun for the unit; 基地 named without 该 is no back-reference
    ("主要做法", "与本地企业共建实训基地9个，其中省级示范基地2个，其他基地按照统一标准建设管理。"),
    # a 在……中 with its predicate, or after a verb, is a whole sentence
    ("主要做法", "党员先锋作用体现在急难险重任务中。在结对帮扶中，党员带头走访困难家庭，解决实际问题。"),
    # one-sentence sub-sections are thin, not a bare list across their headings
    ("主要做法", "（一）开展“周三服务日”\n党支部开展“周三服务日”活动，全年为居民办实事48件。\n（二）在职党员到社区报到\n"
                "在职党员到社区报到认领岗位，开展志愿服务2100人次。\n（三）为独居老人提供助餐服务\n"
                "党支部为独居老人提供助餐服务，日均就餐86人。"),
]


@pytest.mark.parametrize(("section_type", "body"), CLEAN)
def test_clean_公文_raises_nothing(section_type, body):
    assert section_body_findings(body, section_type, FACTS) == []


def test_whole_draft_rate_and_sections():
    draft = ("城南社区卫生服务中心党支部2025年工作总结\n现将有关情况总结如下：\n一、主要做法\n"
             "制定评选标准：明确评选条件。\n首先，组织党员培训。\n二、下一步打算\n继续加强。\n城南社区卫生服务中心党支部\n2025年12月20日")
    result = check_prose(draft, FACTS)
    assert not result.passed and result.details["per_1000"] > 2
    assert {"PROSE_LIST", "PROSE_CONNECTIVE", "PROSE_THIN"} <= set(result.details["by_code"])
    # the sign-off lines are not part of the last section's body
    assert all(draft[f.span[0]:f.span[1]] != "2025年12月20日" for f in result.findings)


def _rate(paths) -> float:
    chars = defects = 0
    for path in paths:
        for doc in parse_path(path):
            defects += len(prose_findings(doc.text))
            chars += count_chars(doc.text)
    return defects * 1000 / chars


def test_human_documents_raise_few_alarms(shared_corpus):
    assert _rate(demo_corpus_files()) <= 1.5
    assert _rate(sorted(shared_corpus.glob("*.txt"))) <= 1.5


def test_the_clerks_own_words_are_no_defect():
    facts = validate_facts({"unit": "县教育局党组", "activities": ["举办书记校长培训班"],
                            "achievements": ["全县教育质量综合评价位居全市前列"]})
    given = "2024年，县教育局党组各项工作取得了明显成效：全县教育质量综合评价位居全市前列。"
    assert section_body_findings(given, "取得成效", facts) == []
    invented = "2024年，县教育局党组各项工作取得了明显成效：全县党建工作位居全省前列。"  # not what was given
    assert [f.code for f in section_body_findings(invented, "取得成效", facts)] == ["PROSE_REGISTER"]

