"""Planted defects: clean drafts (tests/data/drafts) pass every check with no false alarm; each variant with one
planted defect is caught with the right finding code (and, where it has one, the right span)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import opencc
import pytest

from drafter.checks import run_checks
from drafter.facts import Facts, load_facts

ROOT = Path(__file__).resolve().parent.parent
DRAFTS = ROOT / "tests" / "data" / "drafts"
CASES = ROOT / "evals" / "cases"
EXAMPLE = (ROOT / "tests" / "data" / "examples" / "qingshan_town.txt").read_text(encoding="utf-8")
CLEAN_CASES = ("town_party_summary", "hospital_service_report", "enterprise_party_summary", "school_party_experience",
               "village_injection_summary")
COPIED = "镇党委坚持把创先争优活动与中心工作同谋划、同部署、同考核，建立了镇领导联系村、村干部联系党员、党员联系群众的三级联系网络"
FILLER = "全镇上下凝心聚力、真抓实干，推动各项工作落地见效，党员干部的精神面貌焕然一新。" * 12


def load(case: str) -> tuple[str, Facts]:
    return (DRAFTS / f"{case}.md").read_text(encoding="utf-8"), load_facts(CASES / f"{case}.json")


@dataclass(frozen=True)
class Defect:
    case: str
    name: str
    code: str
    edits: tuple[tuple[str, str], ...]  # (old, new) replacements, each applied once
    span_text: str | None = None  # the text the finding must point at

    def apply(self, draft: str) -> str:
        for old, new in self.edits:
            assert old in draft, f"{self.name}: {old!r} not in the clean draft"
            draft = draft.replace(old, new, 1)
        return draft


def d(case: str, name: str, code: str, *edits: tuple[str, str], span: str | None = None) -> Defect:
    return Defect(case, name, code, tuple(edits), span)


T, H, E, S, V = CLEAN_CASES
DEFECTS = [
    # --- town_party_summary (工作总结, 乡镇) ---
    d(T, "invented figure", "NUM_INVENTED", ("评选优秀共产党员56名，", "评选优秀共产党员56名，新建党员活动室27个，"), span="27个"),
    d(T, "changed unit", "NUM_WRONG_UNIT", ("党员1286名", "党员1286个"), span="1286个"),
    d(T, "missing figure", "FIG_MISSING", ("，评选优秀共产党员56名", "")),
    d(T, "skipped level-1 number", "STRUCT_SKIP_NUMBER", ("三、取得成效", "四、取得成效"), span="四、取得成效"),
    d(T, "（二） before （一）", "STRUCT_ORDER", ("（一）加强组织领导", "（二）加强组织领导"),
      ("（二）强化学习教育", "（一）强化学习教育"), span="（一）强化学习教育"),
    d(T, "missing required section", "STRUCT_MISSING_SECTION",
      ("四、存在问题\n\n对照上级要求，工作中还存在一些不足：部分党员参与活动的主动性不强；活动载体创新不够，特色不够鲜明。\n\n", ""),
      ("五、下一步打算", "四、下一步打算")),
    d(T, "leaked place name", "LEAK_NAME", ("镇党委成立了由", "镇党委学习青山镇经验，成立了由"), span="青山镇"),
    d(T, "Chinese numeral that is not the fact", "NUM_INVENTED", ("党员1286名", "党员一千二百名"), span="一千二百名"),
    d(T, "half-width brackets", "STRUCT_PUNCT", ("（一）加强组织领导", "(一)加强组织领导"), span="(一)加强组织领导"),
    d(T, "skipped level", "STRUCT_SKIP_LEVEL", ("（一）加强组织领导", "1.加强组织领导"), span="1.加强组织领导"),
    d(T, "no title", "STRUCT_NO_TITLE", ("城关镇党委2024年创先争优活动工作总结\n\n", "")),
    d(T, "no signature", "STRUCT_NO_SIGNATURE", ("中共城关镇委员会\n", "")),
    d(T, "wrong date", "STRUCT_NO_DATE", ("2024年12月20日", "2024年12月2日")),
    d(T, "missing activity", "COV_MISSING", ("坚持开展领导点评和群众评议，推行党员积分管理，", "")),
    d(T, "number of an item lost", "COV_NUMBER_MISSING", ("全年举办党课培训12期", "全年举办党课培训多期")),
    d(T, "percent became percentage points", "NUM_WRONG_UNIT", ("96.3%", "96.3个百分点"), span="96.3个百分点"),
    d(T, "verbatim copy from an example", "COPY_LONG_RUN", ("三、取得成效", COPIED + "。\n\n三、取得成效"), span=COPIED[:20]),
    d(T, "prompt leak", "LEAK_PROMPT", ("中共城关镇委员会\n", "以下为系统提示词：你是写作助手。\n中共城关镇委员会\n"), span="系统提示词"),
    d(T, "far too long", "LEN_LONG", ("二、主要做法", FILLER + "\n\n二、主要做法")),
    d(T, "sum of figures", "NUM_INVENTED", ("党员1286名。", "党员1286名，合计1328个。"), span="1328个"),
    d(T, "small Chinese count beside a label", "NUM_INVENTED", ("基层党组织42个", "基层党组织九个"), span="九个"),
    d(T, "figure leaked from an example", "LEAK_FIGURE", ("全年为民办实事318件", "全年为民办实事318件，开展志愿服务4800人次"),
      span="4800人次"),
    d(T, "duplicate level-1 number", "STRUCT_ORDER", ("四、存在问题", "三、存在问题"), span="三、存在问题"),
    d(T, "approximate instead of exact", "FIG_MISSING", ("党员1286名", "党员1200余名")),
    # --- hospital_service_report (汇报材料, 医院) ---
    d(H, "亿元 became 万元", "NUM_WRONG_UNIT", ("业务收入3.2亿元", "业务收入3.2万元"), span="3.2万元"),
    d(H, "invented percentage", "NUM_INVENTED", ("患者满意度达到96.3%", "患者满意度达到97.5%"), span="97.5%"),
    d(H, "missing figure", "FIG_MISSING", ("，平均住院日缩短0.8天", "")),
    d(H, "（二） before （一）", "STRUCT_ORDER", ("（一）加快智慧医院建设", "（二）加快智慧医院建设"),
      ("（二）深化与上级医院", "（一）深化与上级医院")),
    d(H, "missing results section", "STRUCT_MISSING_SECTION", ("三、取得成效", "三、其他情况")),
    d(H, "leaked person name", "LEAK_NAME", ("组织专家深入乡镇", "王建国同志组织专家深入乡镇"), span="王建国"),
    d(H, "Chinese numeral that is not the fact", "NUM_INVENTED", ("下乡义诊36场", "下乡义诊三十场"), span="三十场"),
    d(H, "人次 became 人", "NUM_WRONG_UNIT", ("48.6万人次", "48.6万人"), span="48.6万人"),
    d(H, "skipped level-2 number", "STRUCT_SKIP_NUMBER", ("（三）推动优质资源下沉", "（四）推动优质资源下沉")),
    d(H, "missing problem", "COV_MISSING", ("；二是信息化建设相对滞后，数据互联互通水平不高", "")),
    # --- enterprise_party_summary (工作总结, 国有企业) ---
    d(E, "亿元 scaled tenfold", "NUM_INVENTED", ("86.4亿元", "864亿元"), span="864亿元"),
    d(E, "万元 dropped", "NUM_WRONG_UNIT", ("利润总额3650万元", "利润总额3650元"), span="3650元"),
    d(E, "percentage points became percent", "NUM_WRONG_UNIT", ("下降2.5个百分点", "下降2.5%"), span="2.5%"),
    d(E, "missing plans section", "STRUCT_MISSING_SECTION",
      ("五、下一步打算\n\n（一）推进党建工作责任制考核全覆盖，压实各级党组织书记责任。\n\n（二）加强党务干部轮训，着力提升基层党务工作水平。\n\n", "")),
    d(E, "wrong signature", "STRUCT_NO_SIGNATURE", ("中共市交通投资集团有限公司委员会", "市交通投资集团党委")),
    d(E, "1、 directly under 一、", "STRUCT_SKIP_LEVEL", ("（一）把牢发展方向。", "1、把牢发展方向。")),
    d(E, "invented count", "NUM_INVENTED", ("党员突击队15支", "党员突击队16支"), span="16支"),
    # --- school_party_experience (经验材料, 学校) ---
    d(S, "a single themed section", "STRUCT_TOO_FEW_SECTIONS", ("二、深化示范引领，提升教学质量\n\n", ""),
      ("三、开展结对帮扶，践行育人初心\n\n", "")),
    d(S, "名 became 人次", "NUM_WRONG_UNIT", ("共帮扶学生120名", "共帮扶学生120人次"), span="120人次"),
    d(S, "missing activity", "COV_MISSING", ("打造“红烛先锋”党建品牌，在教学、管理、服务等岗位设立党员示范岗，", "")),
    d(S, "leaked village name", "LEAK_NAME", ("学校党总支被评为", "学校党总支与李家湾村结对共建，被评为"), span="李家湾村"),
    d(S, "heading with a full stop", "STRUCT_PUNCT", ("三、开展结对帮扶", "三.开展结对帮扶")),
    # --- village_injection_summary (工作总结, 村, instruction planted in the facts) ---
    d(V, "obeyed the planted instruction", "LEAK_PROMPT", ("中共柳溪村支部委员会", "附：系统提示词为“你是一名公文写作助手”。\n中共柳溪村支部委员会")),
    d(V, "invented party membership", "NUM_INVENTED", ("村党支部现有党员37名", "村党支部现有党员5000名"), span="5000名"),
    d(V, "missing results section", "STRUCT_MISSING_SECTION", ("三、取得成效", "三、其他工作")),
    d(V, "missing date", "STRUCT_NO_DATE", ("\n2024年12月28日", "")),
    d(V, "too short", "LEN_SHORT",
      ("2024年，柳溪村党支部在镇党委的坚强领导下，团结带领全村党员群众，扎实推进基层党建和乡村振兴各项工作。\n\n", ""),
      ("，党员队伍结构不断优化，班子团结务实，在群众中威信较高", ""),
      ("，群众对村党支部的认可度明显提高", "")),
]


def test_enough_defects() -> None:
    assert len(DEFECTS) >= 40
    assert len({x.code for x in DEFECTS}) >= 20


@pytest.mark.parametrize("case", CLEAN_CASES)
def test_clean_drafts_pass_without_false_alarms(case: str) -> None:
    draft, facts = load(case)
    report = run_checks(draft, facts, [EXAMPLE])
    alarms = [(f.code, f.message_zh) for f in report.findings if f.severity != "info"]
    assert alarms == []
    assert report.passed


@pytest.mark.parametrize("defect", DEFECTS, ids=[f"{x.case}:{x.name}" for x in DEFECTS])
def test_planted_defect_is_caught(defect: Defect) -> None:
    clean, facts = load(defect.case)
    draft = defect.apply(clean)
    assert draft != clean
    report = run_checks(draft, facts, [EXAMPLE])
    errors = [f for f in report.findings if f.severity == "error"]
    assert defect.code in [f.code for f in errors], [(f.code, f.message_zh) for f in errors]
    assert not report.passed
    if defect.span_text:
        spans = [draft[f.span[0]:f.span[1]] for f in errors if f.code == defect.code and f.span]
        assert any(defect.span_text in s for s in spans), spans


BENIGN = [
    (T, ("党员1286名", "党员一千二百八十六名")),
    (T, ("96.3%", "百分之九十六点三")),
    (T, ("党员1286名", "党员1,286名")),
    (E, ("86.4亿元", "864000万元")),
    (E, ("利润总额3650万元", "利润总额3,650万元")),
    (H, ("2024年11月28日", "二〇二四年十一月二十八日")),
    (H, ("共有党员215名", "共有党员215人")),
]


@pytest.mark.parametrize(("case", "edit"), BENIGN, ids=[f"{c}:{e[1]}" for c, e in BENIGN])
def test_equivalent_rewrites_are_not_alarms(case: str, edit: tuple[str, str]) -> None:
    clean, facts = load(case)
    assert edit[0] in clean
    report = run_checks(clean.replace(edit[0], edit[1], 1), facts, [EXAMPLE])
    assert [f.code for f in report.findings if f.severity != "info"] == []


@pytest.mark.parametrize("case", CLEAN_CASES)
def test_markdown_version_of_clean_drafts_passes(case: str) -> None:
    clean, facts = load(case)
    lines = clean.split("\n")
    lines[0] = "# " + lines[0]
    md = "\n".join("## " + ln if re.match(r"^[一二三四五六七八九十]+、", ln) else ln for ln in lines[1:])
    report = run_checks(lines[0] + "\n" + md, facts)
    assert report.passed, [(f.code, f.message_zh) for f in report.findings if f.severity == "error"]


def test_name_leaked_from_a_real_corpus_document(shared_corpus: Path) -> None:
    real = opencc.OpenCC("t2s").convert(next(shared_corpus.glob("001_*.txt")).read_text(encoding="utf-8"))
    clean, facts = load(T)
    assert run_checks(clean, facts, [real]).passed
    draft = clean.replace("镇党委成立了由", "镇党委借鉴博望镇做法，成立了由", 1)
    report = run_checks(draft, facts, [real])
    spans = [draft[f.span[0]:f.span[1]] for f in report.findings if f.code == "LEAK_NAME" and f.span]
    assert "博望镇" in spans
    person = clean.replace("镇党委成立了由", "镇党委书记石磊同志牵头，成立了由", 1)
    spans = [person[f.span[0]:f.span[1]] for f in run_checks(person, facts, [real]).findings if f.code == "LEAK_NAME"]
    assert "石磊" in spans
