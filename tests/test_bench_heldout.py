"""bench_heldout labels each retrieved hit as the held-out passage it is: a sub-section by its own heading (not its
container section, whose text it starts), a paragraph as the paragraph (not the section its start opens)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import bench_heldout  # noqa: E402

from vectorstore.records import Hit  # noqa: E402

LABELS = json.loads((ROOT / "bench" / "heldout" / "labels.json").read_text(encoding="utf-8"))
BY_DOC: dict[str, list[dict]] = {}
for _p in LABELS["passages"]:
    BY_DOC.setdefault(_p["doc"], []).append(_p)


def hit(source: str, heading: str, text: str) -> Hit:
    return Hit(id="x", doc_id="d", kind="section", title="", source=source, section_type="", heading=heading,
               text=text, score=0.0)


def test_a_sub_section_hit_is_labelled_by_its_own_heading():
    doc = "h06_paichusuo_chuangxianzhengyou.txt"
    sub = next(p for p in BY_DOC[doc] if p["kind"] == "subsection" and p["work"] != "综合")
    bare = bench_heldout._bare(sub["heading"])
    text = f"{sub['heading']}\n{sub['start']}……"
    assert bench_heldout.hit_label(hit(doc, f"主要做法 > {bare}", text), BY_DOC) == (sub["section_type"], sub["work"])


def test_a_paragraph_hit_is_the_paragraph_a_section_hit_the_section():
    doc, para = next((d, p) for d, ps in BY_DOC.items() for p in ps if p["kind"] == "paragraph"
                     and any(s["kind"] == "section" and s["start"] == p["start"] for s in ps))
    section = next(s for s in BY_DOC[doc] if s["kind"] == "section" and s["start"] == para["start"])
    paragraph_hit = hit(doc, f"{bench_heldout._bare(para['heading'])} > 第1段", para["start"] + "……")
    section_hit = hit(doc, para["heading"], f"{para['heading']}\n{para['start']}……")
    assert bench_heldout.hit_label(paragraph_hit, BY_DOC) == (para["section_type"], para["work"])
    assert bench_heldout.hit_label(section_hit, BY_DOC) == (section["section_type"], section["work"])
