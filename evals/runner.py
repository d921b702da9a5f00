"""The eval runner: drafts each case with each model × variant (or reads drafts already written), runs the
draft checks, writes one JSONL row per case × model × variant and a Markdown + HTML report.

Results go to ``<out>/<run_id>.jsonl`` / ``.md`` / ``.html`` (``run_id`` is a timestamp), drafts made in the
run to ``<out>/<run_id>/drafts/<model>/<variant>/<case_id>.md`` with a ``.meta.json`` beside each (retrieved
examples, variant meta), so a run can be inspected and its drafts re-checked with ``--drafts``.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from drafter import document
from drafter.checks import quality_figures, run_checks
from drafter.facts import Facts, FactsError, load_facts
from evals.variants import DraftOptions, DraftResult, get_variant

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_CASES = EVALS_DIR / "cases"
DEFAULT_OUT = EVALS_DIR / "results"
DRAFT_SUFFIXES = (".md", ".txt")
FILES_VARIANT = "files"


@dataclass
class Case:
    case_id: str
    facts: Facts | None
    path: Path | None = None
    error: str | None = None  # the case file is invalid: reported as a failed row, never skipped
    reference: str | None = None  # leave-one-out: the real document
    exclude_doc_ids: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass
class RunConfig:
    cases_dir: Path = DEFAULT_CASES
    models: list[str] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)
    drafts_dir: Path | None = None
    out_dir: Path = DEFAULT_OUT
    workers: int = 1
    min_pass: float = 0.8
    examples_dir: Path | None = None
    loo_corpus: Path | None = None
    compare: Path | None = None
    case_ids: list[str] = field(default_factory=list)


@dataclass
class RunOutcome:
    run_id: str
    rows: list[dict[str, Any]]
    jsonl: Path
    markdown: Path
    html: Path
    pass_rate: float
    previous: Path | None


def load_cases(cases_dir: Path, only: Iterable[str] = ()) -> list[Case]:
    """Every ``*.json`` / ``*.yaml`` facts file of ``cases_dir`` (sorted); invalid ones carry their error."""
    wanted = set(only)
    cases: list[Case] = []
    for path in sorted(p for p in cases_dir.iterdir() if p.suffix.lower() in (".json", ".yaml", ".yml")):
        if wanted and path.stem not in wanted:
            continue
        try:
            cases.append(Case(path.stem, load_facts(path), path))
        except FactsError as exc:
            cases.append(Case(path.stem, None, path, error=f"事实文件无效：{exc}"))
    return cases


def loo_case_list(corpus_dir: Path) -> list[Case]:
    from evals.loo import loo_cases

    return [Case(c.case_id, c.facts, None, reference=c.reference, exclude_doc_ids=(c.doc_id,))
            for c in loo_cases(corpus_dir)]


def read_examples(examples_dir: Path | None) -> tuple[str, ...]:
    if examples_dir is None:
        return ()
    return tuple(p.read_text(encoding="utf-8") for p in sorted(examples_dir.glob("*.txt")))


def _find_draft(directory: Path, case_id: str) -> Path | None:
    for suffix in DRAFT_SUFFIXES:
        p = directory / f"{case_id}{suffix}"
        if p.is_file():
            return p
    return None


def draft_columns(drafts_dir: Path, models: list[str], variant: str | None) -> list[tuple[str, str, Path]]:
    """(model, variant, directory) columns for drafts given as files.

    ``DIR/<case_id>.md`` is one column; subdirectories holding drafts (``DIR/<model>/<case_id>.md``) are one
    column each, so a team can compare models side by side.
    """
    label = variant or FILES_VARIANT
    columns: list[tuple[str, str, Path]] = []
    if any(p.suffix in DRAFT_SUFFIXES for p in drafts_dir.iterdir() if p.is_file()):
        columns.append((models[0] if models else drafts_dir.name, label, drafts_dir))
    for sub in sorted(p for p in drafts_dir.iterdir() if p.is_dir()):
        if any(q.suffix in DRAFT_SUFFIXES for q in sub.iterdir() if q.is_file()) and (
                not models or sub.name in models):
            columns.append((sub.name, label, sub))
    return columns


def _meta_examples(draft_path: Path) -> tuple[tuple[str, ...], dict[str, Any]]:
    meta_path = draft_path.with_suffix(".meta.json")
    if not meta_path.is_file():
        return (), {}
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return tuple(meta.get("examples", ())), meta


def check_row(case: Case, draft: str, examples: tuple[str, ...]) -> dict[str, Any]:
    """Checks of one draft as a row fragment (passed, score, checks)."""
    assert case.facts is not None
    report = run_checks(draft, case.facts, examples + case.examples)
    data = report.to_dict()
    checks = data["checks"]
    passed = report.passed
    if case.reference is not None:
        from evals.loo import compare_with_reference

        ref = compare_with_reference(draft, case.reference, case.facts)
        checks["reference"] = ref.to_dict()
        passed = passed and ref.passed
    scores = [c["score"] for c in checks.values()]
    quality = quality_figures(checks)
    return {"passed": passed, "score": round(sum(scores) / len(scores), 4), "checks": checks,
            "chars": len(draft), "quality": quality}


def _base_row(run_id: str, case: Case, model: str, variant: str, source: str) -> dict[str, Any]:
    facts = case.facts
    return {
        "run_id": run_id, "timestamp": datetime.now().isoformat(timespec="seconds"), "case_id": case.case_id,
        "genre": facts.genre if facts else None, "unit_type": facts.unit_type if facts else None,
        "model": model, "variant": variant, "source": source, "loo": case.reference is not None,
        "passed": False, "score": 0.0, "checks": {}, "chars": 0, "elapsed_s": 0.0, "error": case.error,
    }


def effective_workers(requested: int) -> int:
    """The local embedded model drafts one case at a time; a remote endpoint may take ``requested``."""
    if requested <= 1:
        return 1
    from drafter.settings import get_settings

    if not get_settings().llm_base_url:
        print("本地模型一次只能起草一篇，--workers 按 1 执行（远程接口时才并发）", file=sys.stderr)
        return 1
    return requested


def _new_run_id(out_dir: Path) -> str:
    base = datetime.now().strftime("%Y%m%d-%H%M%S-%f")  # sorts by time, even for runs in the same second
    run_id, n = base, 1
    while (out_dir / f"{run_id}.jsonl").exists():
        n += 1
        run_id = f"{base}-{n}"
    return run_id


def run(config: RunConfig, log: Callable[[str], None] = print) -> RunOutcome:
    """Run the evals described by ``config``; see the module docstring for what is written where."""
    from evals.report import previous_run, write_reports
    from evals.side_by_side import write_side_by_side

    cases = load_cases(config.cases_dir, config.case_ids) if config.cases_dir else []
    if config.loo_corpus:
        cases += loo_case_list(config.loo_corpus)
    if not cases:
        raise ValueError(f"没有找到评测用例：{config.cases_dir}")
    config.out_dir.mkdir(parents=True, exist_ok=True)
    run_id = _new_run_id(config.out_dir)
    global_examples = read_examples(config.examples_dir)
    rows: list[dict[str, Any]] = []

    if config.drafts_dir is not None:
        if not config.drafts_dir.is_dir():
            raise ValueError(f"草稿目录不存在：{config.drafts_dir}")
        columns = draft_columns(config.drafts_dir, config.models, config.variants[0] if config.variants else None)
        if not columns:
            raise ValueError(f"草稿目录中没有 .md/.txt 草稿：{config.drafts_dir}")
        for model, variant, directory in columns:
            for case in cases:
                rows.append(_row_from_file(run_id, case, model, variant, directory, global_examples))
    else:
        variants = config.variants or ["pipeline"]
        fns = {name: get_variant(name) for name in variants}  # fail before drafting anything
        models = config.models or [_default_model()]
        jobs = [(case, model, variant) for model in models for variant in variants for case in cases]
        workers = effective_workers(config.workers)
        drafts_root = config.out_dir / run_id / "drafts"

        def job(item: tuple[Case, str, str]) -> dict[str, Any]:
            case, model, variant = item
            row = _row_from_variant(run_id, case, model, variant, fns[variant], drafts_root, global_examples)
            _log_row(row, log)  # progress as each draft is checked
            return row

        if workers == 1:
            rows = [job(item) for item in jobs]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                rows = list(pool.map(job, jobs))

    if config.drafts_dir is not None:
        for row in rows:
            _log_row(row, log)

    jsonl = config.out_dir / f"{run_id}.jsonl"
    with jsonl.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    previous = config.compare or previous_run(config.out_dir, exclude=jsonl)
    markdown, html = write_reports(rows, config.out_dir / run_id, previous)
    write_side_by_side(rows, {c.case_id: c.reference for c in cases if c.reference}, config.out_dir / run_id)
    pass_rate = sum(r["passed"] for r in rows) / len(rows)
    return RunOutcome(run_id, rows, jsonl, markdown, html, pass_rate, previous)


def _log_row(row: dict[str, Any], log: Callable[[str], None]) -> None:
    mark = "通过" if row["passed"] else "未通过"
    reason = row["error"] or "；".join(_first_errors(row, 2))
    q = row.get("quality") or {}
    figures = (f" 文风{q['prose_per_1000']:.1f}/千字 政治{q['political_errors']} 年份{q['wrong_years']}"
               + (f" 无据{q['ungrounded_share']:.0%}" if "ungrounded_share" in q else "")
               + (f" 编造{q['invented_share']:.0%}" if "invented_share" in q else "")
               + (f" 规则{q['rule_share']:.0%}" if "rule_share" in q else "")) if q else ""
    log(f"{row['case_id']} [{row['model']}/{row['variant']}] {mark} {row['score']:.2f}{figures} {reason}".rstrip())


def _default_model() -> str:
    from drafter.settings import get_settings

    return get_settings().llm_model


def _first_errors(row: dict[str, Any], n: int) -> list[str]:
    out = []
    for check in row.get("checks", {}).values():
        for f in check.get("findings", []):
            if f["severity"] == "error":
                out.append(f["message_zh"])
    return out[:n]


def _row_from_file(run_id: str, case: Case, model: str, variant: str, directory: Path,
                   global_examples: tuple[str, ...]) -> dict[str, Any]:
    row = _base_row(run_id, case, model, variant, "files")
    if case.facts is None:
        return row
    path = _find_draft(directory, case.case_id)
    if path is None:
        row["error"] = f"没有草稿文件：{directory / (case.case_id + '.md')}"
        return row
    examples, meta = _meta_examples(path)
    row["draft_path"] = str(path)
    text = path.read_text(encoding="utf-8")
    text = document.from_markdown(text) if path.suffix == ".md" else text  # a draft exported as Markdown
    row.update(check_row(case, text, examples + global_examples))
    if meta.get("meta"):
        row["meta"] = meta["meta"]
    return row


def _row_from_variant(run_id: str, case: Case, model: str, variant: str,
                      fn: Callable[[Facts, DraftOptions], DraftResult], drafts_root: Path,
                      global_examples: tuple[str, ...]) -> dict[str, Any]:
    row = _base_row(run_id, case, model, variant, "drafted")
    if case.facts is None:
        return row
    out_dir = drafts_root / _safe(model) / _safe(variant)
    out_dir.mkdir(parents=True, exist_ok=True)
    options = DraftOptions(model=model, case_id=case.case_id, case_dir=case.path.parent if case.path else None,
                           exclude_doc_ids=case.exclude_doc_ids, workdir=out_dir / case.case_id)
    started = time.perf_counter()
    try:
        result = fn(case.facts, options)
    except Exception as exc:  # one failing draft must not stop a run of hundreds
        row["error"] = f"起草失败：{type(exc).__name__}: {exc}"
        row["traceback"] = traceback.format_exc(limit=5)
        row["elapsed_s"] = round(time.perf_counter() - started, 3)
        return row
    row["elapsed_s"] = round(time.perf_counter() - started, 3)
    draft_path = out_dir / f"{case.case_id}.md"
    draft_path.write_text(result.text, encoding="utf-8")
    draft_path.with_suffix(".meta.json").write_text(
        json.dumps({"examples": result.examples, "meta": result.meta}, ensure_ascii=False, indent=2, default=str),
        encoding="utf-8")
    row["draft_path"] = str(draft_path)
    row["meta"] = json.loads(json.dumps(result.meta, ensure_ascii=False, default=str))
    row.update(check_row(case, result.text, tuple(result.examples) + global_examples))
    if "rule_cut_chars" in result.meta:  # the share of the draft that the engine's rules, not the model, decided
        edited = result.meta["rule_cut_chars"] + result.meta["rule_inserted_chars"]
        row["quality"] = quality_figures(row["checks"], row["chars"], edited)
    return row


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "_"
