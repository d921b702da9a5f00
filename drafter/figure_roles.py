"""What a figure is in a summary: part of what the unit *is* (党支部14个, 党员163名, 辅警46名: 基本情况) or something
its work achieved (营业收入18.3亿元, 满意度97.2%, 评选优秀共产党员56名: 取得成效) — decided by its label.

Used by the outline (which section a figure goes to) and the frames (a unit's counts are said as "现有……", its
area's as "辖区有……", even where a genre has no 基本情况 section of its own).
"""

from __future__ import annotations

import re

from drafter.facts import Facts

BASIC_LABELS = re.compile(r"(党组织|党委|党总支|党支部|支部|党员|职工|员工|干部|人口|户|村|社区|学校|医院|床位|网格|小组|单位|成员|班子|队伍|科室|部门|居民|志愿者|教师|学生|在校生|民警|农户)")
# A rate or score is an outcome, whatever it measures (客户满意度 is no count of 户, 党员参学率 no count of 党员).
RATE_LABEL = re.compile(r"(率|度|比例|占比|指数|得分)$")

# Verbs of something done to a count (评选优秀共产党员56名, 认领技术攻关项目32项): a label that opens with one is a
# result, whatever noun follows; in a sentence, the one nearest before a number says what the number counts
# (drafter.checks.figures.misbound_numbers).
ACTION_VERBS = ("评选|评出|评为|举办|开展|新发展|发展|培训|组织|办理|化解|为民|帮扶|帮助|走访|受理|破获|完成|实现|"
                "签约|服务|上门|创建|建成|设立|累计|新增|吸纳|表彰|慰问|调解|排查|整改|结对|征集|收集|接待|办结|"
                "处理|解决|回访|争取|引进|投入|流转|检查|抽检|巡查|立案|查处|接收|核查|审批|改造|认领|划定|召开|"
                "建立|打造|征求|选派|推荐|发放|筹集|认定|命名|招募|录用|聘请|联系|包联|挂牌")
ACTION_LABEL = re.compile(f"^({ACTION_VERBS})")
ACTION_VERB = re.compile(ACTION_VERBS)


# An amount of money is what the work brought in or spent (村集体经济收入52万元 names a 村, and counts nothing it has).
MONEY = re.compile(r"元$")

# A count of people is part of what the unit is when its label names people and nothing they did: 辅警46名,
# 教职工216名; "在职党员到社区报到2350名" is something done.
HEADCOUNT_UNITS = ("名", "人", "位", "万人", "万名")  # 1.86万人 counts people as 1860人 does
HEADCOUNT_LABEL = re.compile(r"^[\u4e00-\u9fff]{0,6}(警|员|师|工|生|者|干部|人员|代表|委员)$")

# A count of times, sessions or cases counts something done, whatever its label names ("各级领导干部点评指导608人次",
# "党组织开展点评2000人次": no unit *has* them, though 干部 and 党组织 are its people).
EVENT_UNITS = ("人次", "户次", "次", "场次", "场", "期", "批次", "批", "轮", "件", "起")

# A label that says which way a figure moved reads as a clause of its own: 发案下降31.4%, 同比增长6.2%.
CHANGE_WORDS = re.compile(r"(下降|增长|提高|减少|上升|增加|提升|下滑|回落|降低)")

# A count of what the unit's area holds, not of the unit (登记市场主体4862户, 辖区常住人口3.2万人): part of the
# unit's situation, said as "辖区有……" — told with 达 among results it reads as something the year achieved.
JURISDICTION_LABEL = re.compile(r"^(辖区内?|登记在册|登记|注册|在册|常住|户籍|管辖)")
# market entities (市场主体, 食品经营主体) are always what the area holds: no unit counts itself in them
AREA_HOLDINGS = re.compile(r"主体$")


def is_jurisdiction(figure_text: str) -> bool:
    """Whether a figure counts what the unit's area holds (登记市场主体4862户), not the unit itself."""
    label = re.split(r"\d", figure_text, maxsplit=1)[0]
    return bool(JURISDICTION_LABEL.match(label) or AREA_HOLDINGS.search(label)) and not RATE_LABEL.search(label) \
        and not CHANGE_WORDS.search(label) and not ACTION_VERB.search(JURISDICTION_LABEL.sub("", label))


def area_sentence(figure_texts: list[str]) -> str:
    """The area's counts as one sentence: 辖区有登记市场主体4862户、常住人口3.2万人。 (a label's own 辖区 goes)."""
    return "辖区有" + "、".join(re.sub(r"^辖区内?", "", f) for f in figure_texts) + "。" if figure_texts else ""


def split_figures(facts: Facts) -> tuple[list[str], list[str]]:
    """The facts' figures as text (党支部14个), split into (the unit's counts, results), each in the order given."""
    basic, results = [], []
    for fig in facts.figures:
        if fig.unit in HEADCOUNT_UNITS:
            named = HEADCOUNT_LABEL.match(fig.label)
        else:
            named = BASIC_LABELS.search(fig.label)
        is_basic = (named and not ACTION_LABEL.match(fig.label) and not RATE_LABEL.search(fig.label)
                    and not MONEY.search(fig.unit or "") and fig.unit not in EVENT_UNITS) or is_jurisdiction(fig.text())
        (basic if is_basic else results).append(fig.text())
    return basic, results
