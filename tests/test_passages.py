"""Passages a piece is written from: the kind of work a passage is about, paragraph passages, sub-sections
before their containing section, another unit's names in a passage, and the prose defects a copied passage
leaves (a sentence cut off mid-way, another kind of unit's bodies)."""

from __future__ import annotations

from pathlib import Path

from drafter.checks.prose import section_body_findings
from drafter.exemplars import delexicalise, piece_exemplar
from drafter.facts import validate_facts
from vectorstore.classify import classify_work, work_cue_scores
from vectorstore.search import query_work
from vectorstore.store import CorpusStore

FACTS = validate_facts({
    "genre": "工作总结", "unit": "县职业中专党总支", "unit_type": "教育", "period": "2024年",
    "activities": ["组织党员教师与学困生结对帮扶"], "target_chars": 600,
})

DOC = """桐川市黄茅岭林场党委2014年党建工作总结
一、基本情况
林场党委下设党支部6个，共有党员97名。
二、主要做法
（一）严格考核评议，检验学习成效
制定学习考评细则，实行月检查、季讲评，把学习情况纳入年底民主评议，学习成效与评先评优挂钩，学习笔记每季度检查一次。
（二）开展结对帮扶，解决职工群众困难
组织班子成员和党员与困难职工家庭结对，建立困难职工档案，采取一户一策帮扶，帮助解决子女上学、就医等实际困难。
三、取得成效
干部作风明显转变。会议和文件明显减少，班子成员到一线工作的时间明显增多，廉洁自律意识进一步增强。
职工群众得到实惠。围绕职工反映强烈的饮水难、行路难问题，为管护站解决安全饮水，硬化林区道路，职工群众满意。
四、存在问题
一是部分党员学习的主动性不强；二是少数管护站远离场部，管理难度较大。
"""


def test_the_heading_decides_the_kind_of_work_over_words_in_passing():
    text = "（六）严格考核评议，检验学习成效\n制定学习计划，开展集中学习、专题党课和读书班，学习情况纳入评议。"
    assert classify_work(text) == "考核评议"  # the body names 学习教育 with more cue words, the heading 评议
    assert classify_work(text.partition("\n")[2]) == "学习教育"  # without its heading line
    # a heading naming two kinds alike: its body breaks the tie
    tied = "（二）学习和评议两手抓\n年底召开民主评议会，党员逐一测评打分。"
    assert classify_work(tied) == "考核评议" and classify_work(tied.partition("\n")[0]) == "学习教育"



def test_a_specific_cue_outweighs_a_generic_one():
    # 党群服务中心 (阵地建设) against 便民 and 群众 (服务群众): the longer, more specific term wins
    text = "新建村党群服务中心，设置便民服务大厅，群众办事一站式办结。"
    assert classify_work(text) == "阵地建设"


def _store(tmp_path: Path) -> CorpusStore:
    path = tmp_path / "linchang.txt"
    path.write_text(DOC, encoding="utf-8")
    store = CorpusStore()
    store.ingest([path])
    return store


def test_paragraphs_of_a_section_without_sub_headings_are_passages(tmp_path: Path):
    store = _store(tmp_path)
    paragraphs = [(text, meta) for _, text, meta in store.section_records() if meta.get("paragraph")]
    assert [doc[:8] for doc, _ in paragraphs] == ["干部作风明显转变", "职工群众得到实惠"]
    assert {meta["section_type"] for _, meta in paragraphs} == {"取得成效"}
    # a section with sub-sections gets sub-section records, not paragraph records; 存在问题 none at all
    assert not [m for _, m in paragraphs if m["parent"] in ("二、主要做法", "四、存在问题")]
    hits = store.search("职工群众得到实惠，解决饮水难", k=1, section_type="取得成效")
    assert hits and hits[0].text.startswith("职工群众得到实惠")


def test_a_piece_gets_the_sub_section_not_the_section_containing_it(tmp_path: Path):
    store = _store(tmp_path)
    hits = store.search("党员与困难职工家庭结对帮扶", k=2, section_type="主要做法")
    assert hits[0].heading.endswith("开展结对帮扶，解决职工群众困难")
    assert "严格考核评议" not in hits[0].text  # the whole 主要做法 section ranks below its own passage


def test_a_piece_gets_the_paragraph_not_the_section_of_paragraphs_containing_it(tmp_path: Path):
    store = _store(tmp_path)
    hits = store.search("职工群众得到实惠，干部作风明显转变，群众满意", k=3, section_type="取得成效")
    # the whole 取得成效 section holds both paragraphs and matches more words: it ranks below its own passage
    assert hits[0].text.startswith("职工群众得到实惠"), [h.text[:12] for h in hits]


VISITS = """柏溪县石门村党支部2024年工作总结
一、基本情况
村党支部共有党员38名。
二、主要做法
（一）上门走访农户，帮助解决实际困难
党员每月上门走访农户，面对面了解农户在生产生活中遇到的难题，能当场解决的当场解决，不能当场解决的带回支部研究、限期答复。
（二）开通便民窗口，群众办事少跑路
在村部开通便民服务窗口，党员轮流值班，为农户代办社保、医保等事项。
（三）开展上门服务，解决群众急难愁盼
党员上门为行动不便的老人办理事项，帮助解决看病、出行等难题。
（四）领办合作社，发展特色产业
党支部领办蔬菜合作社，带动农户发展特色种植，合作社经营收入增长三成。
"""


def test_query_work_weighs_the_named_kinds_by_the_nearest_passages():
    cues = work_cue_scores("党员上门走访农户，帮助解决生产经营难题")
    assert classify_work("党员上门走访农户，帮助解决生产经营难题") == "业务融合"  # 生产 and 经营 outweigh 走访
    assert query_work(cues, []) == "业务融合"
    near = [("服务群众", 0.016), ("服务群众", 0.016), ("服务群众", 0.015), ("业务融合", 0.015)]
    assert query_work(cues, near) == "服务群众"
    # a kind the query does not name competes by the neighbours' vote alone: a split vote leaves the named
    # kind, a unanimous one outweighs a query that names two kinds
    assert query_work(cues, [("阵地建设", 0.016)] * 2 + [("业务融合", 0.015)] * 3) == "业务融合"
    assert query_work(cues, [("阵地建设", 0.016)] * 5) == "阵地建设"
    # a query whose words name no kind is about what its nearest passages are about; with none, about none
    assert query_work(work_cue_scores("全年接待来访120人次"), near) == "服务群众"
    assert query_work(work_cue_scores("全年接待来访120人次"), [(None, 0.016)]) is None


def test_a_piece_naming_no_kind_still_gets_the_paragraph_not_its_section(tmp_path: Path):
    store = _store(tmp_path)
    piece = "解决安全饮水，硬化林区道路，职工得到实惠"
    assert not any(work_cue_scores(piece).values())
    hits = store.search(piece, k=2, section_type="取得成效")
    assert hits[0].text.startswith("职工群众得到实惠"), [h.text[:12] for h in hits]


def test_a_piece_naming_a_kind_in_passing_gets_the_passage_its_nearest_passages_are_about(tmp_path: Path):
    path = tmp_path / "shimen.txt"
    path.write_text(VISITS, encoding="utf-8")
    store = CorpusStore()
    store.ingest([path])
    piece = "党员上门走访农户，帮助解决生产经营难题"
    hits = store.search(piece, k=2, section_type="主要做法")
    assert hits[0].heading.endswith("上门走访农户，帮助解决实际困难"), [h.heading for h in hits]
    village = validate_facts({**FACTS.model_dump(), "unit": "青石村党支部", "unit_type": "村"})
    found = piece_exemplar(store, village, "主要做法", piece, [piece], 150)
    assert found is not None and found.heading.endswith("上门走访农户，帮助解决实际困难")


def test_delexicalise_replaces_proper_names_and_keeps_generic_phrases():
    text = ("（一）抓基层\n桐川市黄茅岭林场党委组建党员志愿服务队，开展护林防火宣传。基层党建工作发展不平衡，"
            "个别党支部组织生活不规范。全县各党支部开展学习，推动工作落实。")
    out = delexicalise(text, FACTS, 300)
    assert out.startswith("县职业中专党总支组建党员志愿服务队")
    assert "个别党支部组织生活不规范" in out and "全县各党支部开展学习" in out
    assert out.count("县职业中专党总支") == 1


def test_a_paragraph_cut_off_mid_sentence_and_another_units_body_are_defects():
    body = "镇党委立足山区资源禀赋，\n组织党员教师与学困生结对帮扶，帮助学生提高学习成绩，树立学习信心。"
    codes = [f.code for f in section_body_findings(body, "主要做法", FACTS)]
    assert codes.count("PROSE_UNFINISHED") == 1 and codes.count("PROSE_FOREIGN") == 1
    # the same words are at home in a 乡镇's summary, and a sign-off line is not an unfinished sentence
    town = validate_facts({**FACTS.model_dump(), "unit": "青石镇党委", "unit_type": "乡镇"})
    ok = "镇党委立足山区资源禀赋，发展特色产业。\n中共青石镇委员会\n2024年12月20日"
    assert [f.code for f in section_body_findings(ok, "主要做法", town, thin=False)] == []
    # working with a village's branch is any unit's work: only a sentence opened by another unit's body counts
    pair = "与结对村党支部开展联学联建，共同办好民生实事。"
    assert [f.code for f in section_body_findings(pair, "主要做法", FACTS, thin=False)] == []


def test_a_title_the_facts_do_not_name_is_invented_and_verification_removes_it():
    from drafter.checks.leakage import check_leakage
    from drafter.verify import drop_clauses, section_findings

    facts = validate_facts({**FACTS.model_dump(), "activities": ["学习《中国共产党纪律处分条例》"]})
    text = "组织党员学习《中国共产党纪律处分条例》，观看警示教育片《反腐败》，进一步增强纪律意识。"
    found = [f for f in section_findings(text, facts, []) if f.code == "INVENTED_TITLE"]
    assert [text[f.span[0]:f.span[1]] for f in found] == ["《反腐败》"]
    kept, _removed = drop_clauses(text, found)
    assert "反腐败" not in kept and "《中国共产党纪律处分条例》" in kept
    assert not check_leakage(text, facts).passed


def test_a_quoted_name_the_facts_do_not_give_is_repaired_like_an_invented_title():
    from drafter.checks import check_leakage
    from drafter.verify import drop_clauses, section_findings

    facts = validate_facts({**FACTS.model_dump(), "activities": ["开展“一校一品”党建品牌创建"]})
    text = ("开展“一校一品党建品牌”创建，坚持“抓落实，推动工作”，以“一校一品”为抓手，"
            "落实“五项基本功”训练，形成了特色。")
    found = [f for f in section_findings(text, facts, []) if f.code == "INVENTED_NAME"]
    assert [text[f.span[0]:f.span[1]] for f in found] == ["“抓落实，推动工作”", "“五项基本功”"]
    kept, _removed = drop_clauses(text, found)
    assert kept == "开展“一校一品党建品牌”创建，以“一校一品”为抓手，形成了特色。"
    assert check_leakage(text, facts).passed  # repaired while drafting, not counted by the leakage check


def test_placeholders_bare_list_lines_and_chat_commentary_are_defects():
    body = ("制定党建品牌宣传册，明确品牌理念。\n通过社交媒体广泛传播品牌信息。\n定期组织党建项目活动。\n"
            "制定详细的项目计划。\n由XX同志担任主讲人，这不仅提高了教师的专业技能。")
    codes = [f.code for f in section_body_findings(body, "主要做法", FACTS, thin=False)]
    assert codes.count("PROSE_LIST") == 1  # four one-sentence lines: a list with its bullets taken off
    assert codes.count("PROSE_REGISTER") == 2 and codes.count("PROSE_COMMENTARY") == 1  # 社交媒体, XX同志
    prose = "一是抓学习，全年集中学习12次。\n二是抓培训，轮训党员86名，党员能力明显提升。\n三是抓服务，办实事32件。"
    assert [f.code for f in section_body_findings(prose, "主要做法", FACTS, thin=False)] == []


def test_a_comma_after_an_ordinal_goes():
    from drafter.polish import polish

    text = "一是，部分党员学习不够深入，学用结合不紧；二是，组织生活形式比较单一。"
    assert polish(text, "存在问题", FACTS).text == "一是部分党员学习不够深入，学用结合不紧；二是组织生活形式比较单一。"


def test_bare_list_lines_become_one_paragraph():
    from drafter.polish import polish

    text = "开展党建品牌创建。\n制定党建品牌宣传册，明确品牌理念。\n定期组织党建项目活动。\n制定详细的项目计划。"
    facts = validate_facts({**FACTS.model_dump(exclude_none=True), "activities": ["编印党建品牌宣传册，明确品牌理念"]})
    out = polish(text, "主要做法", facts).text
    assert out == "一是开展党建品牌创建；二是制定党建品牌宣传册，明确品牌理念；三是定期组织党建项目活动；四是制定详细的项目计划。"


def test_plans_in_what_was_done_and_remedies_in_the_problems_are_defects():
    done = "举办书记校长培训班4期，提升办学治校能力。这次培训班将通过线上研讨等形式组织，确保学员掌握课程内容。"
    assert [f.code for f in section_body_findings(done, "主要做法", FACTS, thin=False)] == ["PROSE_WRONG_SECTION"]
    problems = "一是农村学校党建力量薄弱，党务干部多为兼职。二是制定和完善党建管理制度，确保党员都能得到培训。"
    assert [f.code for f in section_body_findings(problems, "存在问题", FACTS, thin=False)] == ["PROSE_SOLUTION"]
    plans = "下一步，我们将推进农村学校党建提质，还将加强党员教师队伍建设，不断提高学校党建工作质量。"
    assert [f.code for f in section_body_findings(plans, "下一步打算", FACTS, thin=False)] == []


def test_a_personal_voice_is_a_defect_but_a_slogan_or_our_unit_is_not():
    personal = "为贯彻中央八项规定精神，我坚持集中学习10次，这既丰富了我的专业知识。"
    assert "PROSE_REGISTER" in [f.code for f in section_body_findings(personal, "主要做法", FACTS, thin=False)]
    ours = "我们开展“我为群众办实事”实践活动，我局党员带头认领服务项目，从我做起、向我看齐。"
    assert [f.code for f in section_body_findings(ours, "主要做法", FACTS, thin=False)] == []


def test_a_file_indexed_under_an_earlier_record_layout_is_indexed_again(tmp_path: Path):
    store = _store(tmp_path)
    assert store.ingest([tmp_path / "linchang.txt"]).unchanged == 1  # unchanged and current: skipped
    source = next(iter(store.known_files()))
    meta = dict(store.known_files()[source])
    meta.pop("records_version")
    store.files.update(ids=[source], metadatas=[{**meta, "records_version": 1}])  # as an older drafter wrote it
    again = store.ingest([tmp_path / "linchang.txt"])
    assert again.unchanged == 0 and again.files_read == 1
    records = [meta for _, _, meta in store.section_records()]
    assert sum(1 for m in records if m.get("paragraph")) == 2  # its paragraph passages, once each
