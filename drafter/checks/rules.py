"""Every rule and threshold the draft checks apply, in one place, with the reason for each.

Required sections per genre were decided from the real documents in ``../shared/corpus`` (read, not copied):

* a 创先争优活动总结 of a 教文体局党委: 主要做法 / 活动成效 / 工作启示及建议 — the 基本情况 is the opening
  paragraph, not a heading;
* a 镇 工作小结: 基本情况 / 工作开展情况 (its last item is 存在主要问题) / 下一步计划;
* two 汇报 of a company and a bureau: 进展情况及主要作法 / 取得的初步成效 / 存在的主要问题 / 下阶段工作安排, and
  进展情况 / 存在的问题和建议 / 下一步工作打算;
* a 点评工作总结: themed 做法 headings, then 点评效果明显 (成效);
* two 经验材料: only themed headings (完善创建机制…, 依托品牌搭建载体…, 发挥品牌效应…), no fixed sections;
* a 实施方案 (指导思想 / 主要内容 / 方法步骤 / 相关要求): not a summary genre, no rule taken from it.

Hence:

* 工作总结 and 汇报材料 share the four-part skeleton 做法 → 成效 → 问题 → 打算. 做法 and 成效 are always
  required; 问题 and 打算 only when the facts give problems / plans (a draft must not invent them). 基本情况
  is optional (one real summary puts it in the opening paragraph). A section may be found at any heading
  level (the 镇 summary has 存在主要问题 as a level-3 item), by any synonym below.
* 经验材料 has no named sections: at least two level-1 headings, each a practice; problems and plans are not
  expected, so coverage only asks for activities and achievements.
* Any other genre gets the generic structure checks only.

Numbers: a draft number is *derivable* when it equals a number of the facts in the same quantity after unit
normalisation (86.4亿元 = 864000万元; 名 = 人). Sums, differences and ratios of figures are NOT derivable
(``ALLOW_SUMS = False``): with a few dozen figures, pairwise sums cover so many values that invented numbers
would slip through, and a total the clerk wants cited belongs in the facts. Small Chinese counts (value ≤ 10
written in Chinese with a plain measure word: 三个方面, 五项措施, 一名党员) are discourse, not statistics; they
are only flagged when they stand next to a figure's label with another value (九个党支部 when the facts say
8个). Dates not in the facts are warnings, not errors (a summary may name the year of its plans).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# --------------------------------------------------------------------------------------------------------
# Sections


@dataclass(frozen=True)
class SectionRule:
    key: str  # stable id: "basic", "practice", "results", "problems", "plans"
    name: str  # how the section is named in messages
    synonyms: tuple[str, ...]  # any of these inside a heading title marks the section
    required: str  # "always" | "if_problems" | "if_plans" | "optional"


@dataclass(frozen=True)
class GenreRule:
    genre: str
    sections: tuple[SectionRule, ...]
    min_level1: int
    coverage_fields: tuple[str, ...]
    order: tuple[str, ...] = field(default=())  # expected order of section keys when present


BASIC = SectionRule("basic", "基本情况", ("基本情况", "总体情况", "工作概况", "概况"), "optional")
PRACTICE = SectionRule(
    "practice", "主要做法",
    ("主要做法", "主要作法", "具体做法", "工作做法", "做法", "作法", "工作开展情况", "开展情况", "进展情况",
     "工作措施", "主要措施", "主要工作", "工作举措", "采取的措施", "落实情况", "推进情况", "举措"),
    "always",
)
RESULTS = SectionRule(
    "results", "取得成效",
    ("成效", "成绩", "成果", "效果", "收获", "工作亮点", "主要亮点"),
    "always",
)
PROBLEMS = SectionRule(
    "problems", "存在问题",
    ("存在问题", "存在的问题", "主要问题", "存在的不足", "不足", "短板", "差距", "困难和问题", "问题和建议",
     "问题与建议", "问题及建议", "问题与不足"),
    "if_problems",
)
PLANS = SectionRule(
    "plans", "下一步打算",
    ("下一步", "下阶段", "今后", "打算", "工作计划", "工作安排", "工作思路", "努力方向", "工作建议", "意见建议",
     "问题和建议", "问题与建议", "问题及建议", "整改措施", "明年工作"),
    "if_plans",
)

_SKELETON = (BASIC, PRACTICE, RESULTS, PROBLEMS, PLANS)
_ALL_FIELDS = ("activities", "achievements", "problems", "plans")

GENRE_RULES: dict[str, GenreRule] = {
    "工作总结": GenreRule("工作总结", _SKELETON, 2, _ALL_FIELDS,
                      ("basic", "practice", "results", "problems", "plans")),
    "汇报材料": GenreRule("汇报材料", _SKELETON, 2, _ALL_FIELDS,
                      ("basic", "practice", "results", "problems", "plans")),
    "经验材料": GenreRule("经验材料", (), 2, ("activities", "achievements")),
}
GENERIC_RULE = GenreRule("其他", (), 1, _ALL_FIELDS)


def genre_rule(genre: str) -> GenreRule:
    """The rule for a genre; unknown genres get the generic structure checks only."""
    return GENRE_RULES.get(genre, GENERIC_RULE)


# --------------------------------------------------------------------------------------------------------
# Structure

TITLE_MAX_CHARS = 60  # a first line longer than this is a paragraph, not a title
SIGNATURE_TAIL_LINES = 6  # signature and date must be among the last non-empty lines

# --------------------------------------------------------------------------------------------------------
# Numbers

ALLOW_SUMS = False  # see the module docstring
SMALL_CHINESE_MAX = 10  # 三个方面 is discourse; 十二个党支部 is a statistic
# An approximate mention is checked with its direction. 超过/逾/以上/余/多 X says the fact is above X: X must
# lie below the fact and within APPROX_TOLERANCE of it (1200余名 for 1286). 近/将近/不到/不足/以下 X says it is
# below X: X above the fact, within APPROX_TOLERANCE. 约/大约/左右 X: within APPROX_ABOUT_TOLERANCE either way.
# ("党员总数超过1500人" for 1286 is false, whatever its distance.)
APPROX_TOLERANCE = 0.2
APPROX_ABOUT_TOLERANCE = 0.05
APPROX_ABOVE = ("超过", "逾", "以上", "余", "多")
APPROX_BELOW = ("近", "将近", "不到", "不足", "以下")
APPROX_ABOUT = ("约", "大约", "左右")
LABEL_WINDOW = 6  # chars after a small Chinese count in which a figure's label makes it a statistic
# Units that always make a number a statistic, even when small and written in Chinese (三万元, 五亩).
MEASURE_UNITS = ("%", "元", "千克", "吨", "亩", "公里", "米", "平方米", "平方公里", "立方米", "公顷", "个百分点",
                 "千瓦", "千瓦时", "美元", "倍")

# A fact value written with another unit of the same kind is reported as a changed unit (NUM_WRONG_UNIT):
# 86.4万元 for 86.4亿元 (same base unit, other scale), 96.3个百分点 for 96.3%, 120人次 for 120名. Across kinds
# (864亿元 when the facts have 864名 党员) it is a changed unit only when the figure's label stands next to the
# number (党员1286个); otherwise the number is simply invented.
UNIT_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset(("%", "个百分点", "‰")),
    frozenset(("人", "人次")),
    frozenset(("户", "户次")),
    frozenset(("元", "美元")),
    frozenset(("天", "小时", "周", "个月", "年", "分钟")),
    frozenset(("千克", "吨")),
    frozenset(("亩", "公顷", "平方米", "平方公里")),
    frozenset(("公里", "米")),
    frozenset(("次", "场", "场次", "期", "批", "轮")),
)

# --------------------------------------------------------------------------------------------------------
# Coverage

COVERAGE_MIN_RECALL = 0.5  # share of an item's character bigrams found in the best-matching window
COVERAGE_WINDOW_SENTENCES = 3

# --------------------------------------------------------------------------------------------------------
# Copying

COPY_NGRAM = 8  # chars; shorter runs are set phrases (深入学习贯彻…) shared by every summary
COPY_MAX_RUN = 40  # a verbatim run this long copied from one example fails the check
COPY_MAX_OVERLAP = 0.3  # share of the draft's 8-grams found in the examples

# --------------------------------------------------------------------------------------------------------
# Length

LENGTH_MIN_RATIO = 0.8  # 1500字左右 accepts 1200–1875
LENGTH_MAX_RATIO = 1.25

# --------------------------------------------------------------------------------------------------------
# Leakage and instructions

# A run of the prompt's own wording in a section is an echo only when its clause talks about the writing
# itself: "存在的问题和不足" is prose, "要写明存在的问题和不足" is the task line said back.
PROMPT_ECHO_RE = re.compile(r"写明|写清|写出|写好|动词开头|条理清楚|口吻|正文|素材|不编造|只使用|只输出|字数|约\d+字|语气|"
                            r"不写标题|本节|要求|删除|改写|上述内容|原稿|改正|"
                            # the paragraph shapes of write_practice_* / write_lessons
                            r"概括写|第[一二三四]句|最后一句|原样写进|为主语|一段连贯的话|点明|不逐条复述|提炼")
# Text in a draft that shows the model followed such an instruction or talked about itself.
PROMPT_LEAK_RE = re.compile(
    r"系统提示词?|提示词|system\s*prompt|忽略以上|作为(?:一个)?(?:AI|人工智能|语言模型|大模型)|"
    r"我是(?:一个)?(?:AI|人工智能|语言模型|大模型)|(?:由|是)(?:人工智能|AI|大模型|语言模型)(?:生成|撰写)|"
    r"<\|im_start\|>|<\|im_end\|>|\[INST\]",
    re.IGNORECASE,
)

# Person names are recognised by context: a common surname, then 1–2 chars, then a title or 同志, or after a
# title (党委书记张三).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
PERSON_TITLES = (
    "同志", "书记", "副书记", "局长", "副局长", "镇长", "乡长", "县长", "区长", "市长", "主任", "副主任", "校长",
    "院长", "组长", "部长", "科长", "所长", "站长", "队长", "经理", "董事长", "主席", "委员", "老师", "教授",
    "医生", "代表", "等同志",
)
# Place and organisation names: 2–3 chars, then one of these suffixes. The chars before the suffix must not
# be an ordinary word: jieba's dictionary frequency decides (城市 25084, 示范 981 are words; 青山 192 as a
# place name, 石门 672, 博望 10 are names).
PLACE_SUFFIXES = ("街道", "社区", "中学", "小学", "医院", "卫生院", "公司", "省", "市", "县", "区", "镇", "乡", "村")
NAME_MAX_FREQ = 5000  # a head jieba tags as a name (ns/nr/nz) may be this frequent
WORD_MAX_FREQ = 700  # any other dictionary word this frequent is an ordinary word, not a name
# Words the suffix begins: in 美丽乡村 or 村民 the 乡/村 ends no place name.
COMMON_COMPOUNDS = frozenset((
    "乡村", "乡镇", "乡亲", "乡土", "村民", "村级", "村委", "村庄", "村干", "村组", "村务", "村集", "村两", "市场",
    "市民", "市级", "市委", "县级", "县域", "县委", "省级", "省委", "区域", "区级", "区委", "镇级", "镇村", "镇党",
    "镇政", "社区", "街道", "公司", "中学", "小学", "医院",
))
# Generic words that end like a place name but name no particular place.
GENERIC_PLACE_WORDS = frozenset((
    "全省", "全市", "全县", "全区", "全镇", "全乡", "全村", "本市", "本县", "本区", "本镇", "我市", "我县", "我区",
    "我镇", "我乡", "我村", "各村", "各镇", "城区", "市区", "社区", "小区", "辖区", "园区", "景区", "山区", "城市",
    "城镇", "乡镇", "农村", "行政村", "自然村", "示范区", "实验区", "试验区", "开发区", "先进区", "示范村",
    "贫困村", "重点村", "中心村", "先进村", "文明村", "美丽乡村", "新农村", "城乡", "县区", "市县", "省市",
    "地市", "县市区", "新城区", "老城区", "中心城区", "教育强区", "强区", "强县", "强市", "强镇", "大县",
    "大市", "居委会", "村委会", "党支部", "街道办",
))
# Characters that never start a place name (function words, quantifiers).
PLACE_BAD_CHARS = frozenset("全我本各该在和与的了对到等及其每个为是从向于由这那此有将把被以并或也又都就所已为各级等")
