"""End to end with the real embedded model: demo corpus in a real Chroma, one short draft, checks pass."""

from __future__ import annotations

import json

import pytest

from drafter.cli import main
from drafter.commands import register  # noqa: F401  (the CLI path is what a clerk runs)
from drafter.engine import DraftEngine
from drafter.facts import validate_facts
from drafter.run import Run

pytestmark = pytest.mark.model

FACTS = {
    "genre": "工作总结", "unit": "青石镇党委", "unit_type": "乡镇", "period": "2024年", "theme": "创先争优活动",
    "figures": [{"label": "基层党组织", "value": 42, "unit": "个"}, {"label": "党员", "value": 1286, "unit": "名"}],
    "activities": ["举办党课培训12期"], "achievements": ["群众满意度提升到96.3%"],
    "problems": ["部分党员学习不够深入"], "plans": ["加强党员教育培训"],
    "signature": "中共青石镇委员会", "date": "2024年12月20日", "target_chars": 300,
}


def test_cli_draft_with_local_model(tmp_path):
    assert main(["ingest", "--quiet"]) == 0
    facts_path = tmp_path / "facts.json"
    facts_path.write_text(json.dumps(FACTS, ensure_ascii=False), encoding="utf-8")
    assert main(["draft", str(facts_path), "--out", str(tmp_path / "runs")]) == 0
    run_dir = next((tmp_path / "runs").iterdir())
    report = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    assert report["checks"]["structure"]["passed"], report["checks"]["structure"]
    # no invented number reaches the user unflagged, and every figure is in the draft
    assert report["checks"]["numbers"]["passed"], report["checks"]["numbers"]
    text = (run_dir / "draft.txt").read_text(encoding="utf-8")
    for needle in ("42个", "1286名", "12期", "96.3%", "中共青石镇委员会"):
        assert needle in text
    assert (run_dir / "draft.docx").stat().st_size > 5000
    attempts = [a for s in Run.load(run_dir).sections for a in s.attempts if a.prompt]
    assert attempts and all(a.model for a in attempts)

    engine, run = DraftEngine(), Run.load(run_dir)
    engine.lock(run, 1)
    before = run.sections[1].body
    events = list(engine.regenerate(run, 0, preset="精简"))
    assert events[-1].kind == "section_done", events[-1]
    assert Run.load(run_dir).sections[1].body == before
    assert validate_facts(FACTS).unit in engine.document_text(run)
