"""The eval harness end to end through ``drafter eval``: drafts as files, exit codes, reports, run comparison,
model columns, variants (registered in the test), invalid cases and leave-one-out cases."""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest

from drafter.cli import main
from drafter.facts import Facts, load_facts
from evals.loo import compare_with_reference, facts_from_document, loo_cases
from evals.report import read_rows
from evals.variants import DraftOptions, DraftResult, register_variant, unregister_variant

ROOT = Path(__file__).resolve().parent.parent
DRAFTS = ROOT / "tests" / "data" / "drafts"
EXAMPLE_DIR = ROOT / "tests" / "data" / "examples"
CLEAN = ["enterprise_party_summary", "hospital_service_report", "school_party_experience", "town_party_summary",
         "village_injection_summary"]


def case_args(ids: list[str] = CLEAN) -> list[str]:
    return [x for c in ids for x in ("--case", c)]


def only_run(out: Path) -> list[dict]:
    runs = sorted(out.glob("*.jsonl"))
    return read_rows(runs[-1])


def test_drafts_as_files_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    rc = main(["eval", "--drafts", str(DRAFTS), "--out", str(out), "--min-pass", "1.0", "--examples", str(EXAMPLE_DIR),
               *case_args()])
    assert rc == 0
    [jsonl] = list(out.glob("*.jsonl"))
    rows = read_rows(jsonl)
    assert sorted(r["case_id"] for r in rows) == CLEAN
    assert all(r["passed"] and r["model"] == "drafts" and r["variant"] == "files" for r in rows)
    assert all(set(r["checks"]) == {"structure", "numbers", "coverage", "leakage", "copying", "length", "prose",
                                    "political", "grounding"} for r in rows)
    assert all(r["quality"]["political_errors"] == 0 and r["quality"]["prose_per_1000"] <= 2 for r in rows)
    assert all(r["checks"]["copying"]["details"]["examples"] == 1 for r in rows)
    md = jsonl.with_suffix(".md").read_text(encoding="utf-8")
    page = jsonl.with_suffix(".html").read_text(encoding="utf-8")
    for text in (md, page):
        assert "用例 × 模型" in text and all(c in text for c in CLEAN)
    assert "| drafts / files | 5 | 5 | 100% |" in md
    assert page.startswith("<!doctype html>") and "<table>" in page
    assert "通过率 100%（5/5）" in capsys.readouterr().out


def test_missing_drafts_count_as_failures_and_min_pass_sets_the_exit_code(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["eval", "--drafts", str(DRAFTS), "--out", str(out), "--min-pass", "0.8"]) == 1
    rows = only_run(out)
    cases = {p.stem for p in (ROOT / "evals" / "cases").glob("*.json")}
    assert {r["case_id"] for r in rows} == cases
    missing = [r for r in rows if r["case_id"] not in CLEAN]
    assert missing and all(not r["passed"] and "没有草稿文件" in r["error"] for r in missing)
    rate = 5 / len(cases)
    assert main(["eval", "--drafts", str(DRAFTS), "--out", str(out), "--min-pass", f"{rate - 0.01:.3f}"]) == 0
    assert main(["eval", "--drafts", str(DRAFTS), "--out", str(out), "--min-pass", "1.5"]) == 2


def test_a_planted_defect_fails_its_case_and_the_report_compares_runs(tmp_path: Path) -> None:
    drafts, out = tmp_path / "drafts", tmp_path / "out"
    shutil.copytree(DRAFTS, drafts)
    assert main(["eval", "--drafts", str(drafts), "--out", str(out), "--min-pass", "1.0", *case_args()]) == 0
    path = drafts / "hospital_service_report.md"
    path.write_text(path.read_text(encoding="utf-8").replace("业务收入3.2亿元", "业务收入3.2万元"), encoding="utf-8")
    assert main(["eval", "--drafts", str(drafts), "--out", str(out), "--min-pass", "0.8", *case_args()]) == 0
    rows = {r["case_id"]: r for r in only_run(out)}
    assert not rows["hospital_service_report"]["passed"]
    assert sum(r["passed"] for r in rows.values()) == 4
    md = sorted(out.glob("*.md"))[-1].read_text(encoding="utf-8")
    assert "对比上一次运行" in md
    assert "hospital_service_report（drafts / files）：通过 → 未通过" in md
    assert "NUM_WRONG_UNIT" in md and "-20%" in md
    assert main(["eval", "--drafts", str(drafts), "--out", str(out), "--min-pass", "1.0", *case_args()]) == 1


def test_subdirectories_are_model_columns(tmp_path: Path) -> None:
    drafts, out = tmp_path / "drafts", tmp_path / "out"
    for model in ("qwen-0.5b", "deepseek"):
        (drafts / model).mkdir(parents=True)
        for case in CLEAN:
            shutil.copy(DRAFTS / f"{case}.md", drafts / model / f"{case}.md")
    bad = drafts / "deepseek" / "town_party_summary.md"
    bad.write_text(bad.read_text(encoding="utf-8").replace("（一）加强组织领导", "(一)加强组织领导"), encoding="utf-8")
    assert main(["eval", "--drafts", str(drafts), "--out", str(out), "--min-pass", "0.95", *case_args()]) == 1
    rows = only_run(out)
    assert len(rows) == 10 and {r["model"] for r in rows} == {"qwen-0.5b", "deepseek"}
    md = sorted(out.glob("*.md"))[-1].read_text(encoding="utf-8")
    assert "| 用例 | deepseek / files | qwen-0.5b / files |" in md
    assert "STRUCT_PUNCT" in md


def test_missing_variant_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["eval", "--variant", "nosuch", "--out", str(tmp_path), "--case", "town_party_summary"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "nosuch" in err and "register_variant" in err and "--drafts" in err
    assert not list(tmp_path.glob("*.jsonl"))


def test_registered_variant_drafts_saves_and_can_be_rechecked(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[tuple[str, str | None]] = []
    example = (EXAMPLE_DIR / "qingshan_town.txt").read_text(encoding="utf-8")

    def scripted(facts: Facts, options: DraftOptions) -> DraftResult:
        calls.append((options.case_id, options.model))
        assert isinstance(facts, Facts) and options.case_dir == ROOT / "evals" / "cases"
        return DraftResult((DRAFTS / f"{options.case_id}.md").read_text(encoding="utf-8"), [example],
                           {"model": options.model})

    register_variant("scripted", scripted)
    try:
        out = tmp_path / "out"
        rc = main(["eval", "--variant", "scripted", "--model", "m1", "--model", "m2", "--workers", "3", "--out",
                   str(out), "--min-pass", "1.0", *case_args()])
    finally:
        unregister_variant("scripted")
    assert rc == 0
    assert "本地模型一次只能起草一篇" in capsys.readouterr().err
    assert sorted(calls) == sorted((c, m) for c in CLEAN for m in ("m1", "m2"))
    rows = only_run(out)
    assert len(rows) == 10 and all(r["source"] == "drafted" and r["meta"]["model"] == r["model"] for r in rows)
    run_id = rows[0]["run_id"]
    saved = out / run_id / "drafts" / "m1" / "scripted"
    assert (saved / "town_party_summary.md").read_text(encoding="utf-8") == \
        (DRAFTS / "town_party_summary.md").read_text(encoding="utf-8")
    meta = json.loads((saved / "town_party_summary.meta.json").read_text(encoding="utf-8"))
    assert meta["examples"] == [example]
    # each draft is shown beside its nearest document (here: the example it was given) for a human read
    page = (out / run_id / "side_by_side.html").read_text(encoding="utf-8")
    assert page.count("<div class='pair'>") == 10 and "最相近的语料文档" in page
    assert html.escape(example.splitlines()[1]) in page
    # the saved drafts are re-checked as files, with the examples of their meta
    out2 = tmp_path / "out2"
    assert main(["eval", "--drafts", str(saved), "--out", str(out2), "--min-pass", "1.0", *case_args()]) == 0
    assert all(r["checks"]["copying"]["details"]["examples"] == 1 for r in only_run(out2))


def test_a_failing_variant_gives_a_failed_row(tmp_path: Path) -> None:
    def broken(facts: Facts, options: DraftOptions) -> DraftResult:
        raise RuntimeError("模型服务不可用")

    register_variant("broken", broken)
    try:
        rc = main(["eval", "--variant", "broken", "--out", str(tmp_path), "--case", "town_party_summary"])
    finally:
        unregister_variant("broken")
    assert rc == 1
    [row] = only_run(tmp_path)
    assert not row["passed"] and "起草失败" in row["error"] and "模型服务不可用" in row["error"]


def test_invalid_case_file_is_a_failed_row(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(ROOT / "evals" / "cases" / "town_party_summary.json", cases)
    (cases / "broken.json").write_text('{"unit": "", "figures": [{"label": "党员", "value": "约三十"}]}',
                                       encoding="utf-8")
    out = tmp_path / "out"
    assert main(["eval", "--cases", str(cases), "--drafts", str(DRAFTS), "--out", str(out)]) == 1
    rows = {r["case_id"]: r for r in only_run(out)}
    assert rows["town_party_summary"]["passed"]
    assert not rows["broken"]["passed"] and "'约三十' 不是数字" in rows["broken"]["error"]


# --- leave-one-out -----------------------------------------------------------------------------------------


def test_facts_from_a_parsed_document() -> None:
    from vectorstore.structure import parse_text

    text = (DRAFTS / "town_party_summary.md").read_text(encoding="utf-8")
    [doc] = parse_text(text, "town.md")
    facts = facts_from_document(doc)
    wanted = load_facts(ROOT / "evals" / "cases" / "town_party_summary.json")
    assert {f.key for f in wanted.figures} <= {f.key for f in facts.figures}
    assert {"加强组织领导", "强化学习教育", "注重点评评议"} <= set(facts.activities)
    assert any("主动性不强" in p for p in facts.problems)
    assert facts.plans == ["健全长效机制", "加强分类指导"]
    assert compare_with_reference(text, text, facts).passed


def test_loo_cases_from_the_real_corpus(shared_corpus: Path) -> None:
    cases = loo_cases(shared_corpus)
    assert len(cases) >= 4
    assert {c.facts.genre for c in cases} <= {"工作总结", "汇报材料", "经验材料"}
    town = next(c for c in cases if "博望镇" in c.reference[:200])
    assert ("党员", "1730", "名") in {(f.label[-2:], f.value, f.unit) for f in town.facts.figures}
    assert "动员部署阶段" in town.facts.activities
    assert town.facts.problems and town.facts.plans
    for case in cases:
        assert compare_with_reference(case.reference, case.reference, case.facts).passed
    one_section = "标题\n一、存在问题\n正文。"
    r = compare_with_reference(one_section, town.reference, town.facts)
    assert {"REF_STRUCTURE", "REF_FIGURES"} <= set(r.codes())


def test_eval_with_leave_one_out_drafts(tmp_path: Path, shared_corpus: Path) -> None:
    cases = loo_cases(shared_corpus)
    drafts, empty, out = tmp_path / "drafts", tmp_path / "cases", tmp_path / "out"
    drafts.mkdir()
    empty.mkdir()
    for case in cases:  # the real text stands in for a perfect draft (written to a temp dir only)
        (drafts / f"{case.case_id}.md").write_text(case.reference, encoding="utf-8")
    main(["eval", "--cases", str(empty), "--loo", str(shared_corpus), "--drafts", str(drafts), "--out", str(out)])
    rows = only_run(out)
    assert len(rows) == len(cases) and all(r["loo"] for r in rows)
    assert all(r["checks"]["reference"]["passed"] for r in rows)
    assert all(r["checks"]["reference"]["details"]["structure_match"] == 1.0 for r in rows)
    page = (out / rows[0]["run_id"] / "side_by_side.html").read_text(encoding="utf-8")
    assert page.count("原文（留一用例的真实文档）") == len(cases) and "bigram F1 1.000" in page


def test_a_provider_module_that_does_not_exist_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DRAFTER_EVAL_VARIANTS", "no_such_provider_module")
    assert main(["eval", "--variant", "nosuch", "--out", str(tmp_path), "--case", "town_party_summary"]) == 2
    err = capsys.readouterr().err
    assert "no_such_provider_module" in err and "模块不存在" in err


def test_workers_draft_concurrently_against_a_remote_endpoint(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from drafter.settings import get_settings

    monkeypatch.setenv("DRAFTER_LLM_BASE_URL", "http://127.0.0.1:9/v1")  # never called: the variant is scripted
    get_settings.cache_clear()
    lock = threading.Lock()
    active = [0, 0]  # current, maximum

    def slow(facts: Facts, options: DraftOptions) -> DraftResult:
        with lock:
            active[0] += 1
            active[1] = max(active[1], active[0])
        time.sleep(0.3)
        with lock:
            active[0] -= 1
        return DraftResult((DRAFTS / f"{options.case_id}.md").read_text(encoding="utf-8"))

    register_variant("slow", slow)
    try:
        rc = main(["eval", "--variant", "slow", "--workers", "4", "--out", str(tmp_path), "--min-pass", "1.0",
                   *case_args()])
    finally:
        unregister_variant("slow")
    assert rc == 0
    assert active[1] >= 2
    assert [r["case_id"] for r in only_run(tmp_path)] == CLEAN  # rows keep the case order


def test_loo_facts_carry_a_clerks_share_of_labelled_statistics(shared_corpus: Path) -> None:
    from evals.loo import LOO_MAX_FIGURES

    for case in loo_cases(shared_corpus):
        figures = case.facts.figures
        assert len(figures) <= LOO_MAX_FIGURES
        assert not [f for f in figures if f.unit in ("周年", "届") or "总书记" in f.label or f.label == "数据"]


def test_a_draft_exported_as_markdown_is_checked_like_its_plain_text(tmp_path: Path) -> None:
    from drafter.document import from_markdown, to_markdown

    plain = (DRAFTS / "town_party_summary.md").read_text(encoding="utf-8").strip()
    assert from_markdown(to_markdown(plain)) == "\n".join(line for line in plain.split("\n") if line.strip())
    drafts, out = tmp_path / "drafts", tmp_path / "out"
    drafts.mkdir()
    (drafts / "town_party_summary.md").write_text(to_markdown(plain), encoding="utf-8")  # "## 一、", "### （一）"
    assert main(["eval", "--drafts", str(drafts), "--out", str(out), "--min-pass", "1.0",
                 *case_args(["town_party_summary"])]) == 0
    row = only_run(out)[0]
    assert row["quality"]["prose_per_1000"] == 0  # no "### （一）……" read as a paragraph that never ends
