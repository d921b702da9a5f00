"""Stage — finalize: whole-draft passes after every section is written, then the checks and the export.

``finalize`` (1) states any fact figure no section carries, in the first written section (e.g. its own
section was left out of the outline), and (2) trims a draft longer than the length check allows: sentences
go from the end of the sections furthest over their share first, never a figure, an item or a paragraph's
first sentence (the small model overshot 8 of 17 eval targets by 29–85%); locked sections are untouched.
Each changed section comes back as a ``section_done`` event with ``data['updated']``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from drafter import document, verify
from drafter.checks.length import count_chars
from drafter.checks.rules import LENGTH_MAX_RATIO
from drafter.facts import Facts
from drafter.outline import PLACEHOLDER, Outline
from drafter.retrieval import Retrieval
from drafter.run import Event, Run, SectionDraft
from drafter.zh.numbers import extract_numbers


def document_text(run: Run) -> str:
    outline = run.outline
    if outline is None:
        return ""
    sections = [(s.heading, s.body) for s in run.sections]
    return document.assemble(outline.title, outline.opening, sections, outline.signature, outline.date)


def finalize(run: Run) -> Iterator[Event]:
    facts, outline = run.facts, run.outline
    updated = fill_missing_figures(run, facts)
    if updated is not None:  # a finished section changed: say so, like any other section's text
        yield _updated(updated, "补入其他段落未写到的事实数据")
    for trimmed in trim_to_length(run, facts, outline):
        yield _updated(trimmed, "全文超出目标字数，删去了本节末尾的概括句")


def _updated(sdraft: SectionDraft, reason: str) -> Event:
    return Event("section_done", sdraft.index, sdraft.body,
                 {"heading": sdraft.heading, "flags": sdraft.flags, "updated": True, "reason": reason})


def fill_missing_figures(run: Run, facts: Facts) -> SectionDraft | None:
    """A figure no section carries goes into the first written section, which is returned (None: unchanged)."""
    present = {m.key for m in extract_numbers(document_text(run))}
    missing = [f for f in facts.figures if not verify.numbers_present(f.text(), present)]
    target = next((s for s in run.sections if s.status == "done" and s.body != PLACEHOLDER and not s.locked), None)
    if not missing or target is None:
        return None
    target.body = verify.insert_missing(target.body, [f.text() for f in missing], [])
    run.save_section(target)
    return target


def trim_to_length(run: Run, facts: Facts, outline: Outline) -> list[SectionDraft]:
    """Sentences cut until the draft fits 97 % of the length check's maximum; returns the sections changed."""
    if not facts.target_chars:
        return []
    surplus = count_chars(document_text(run)) - int(facts.target_chars * LENGTH_MAX_RATIO * 0.97)
    changed = []
    pairs = [(s, o) for s, o in zip(run.sections, outline.sections, strict=True)
             if s.status == "done" and not s.locked and s.body != PLACEHOLDER]
    for sdraft, osec in sorted(pairs, key=lambda p: -(count_chars(p[0].body) - p[1].target_chars)):
        if surplus <= 0:
            break
        over = count_chars(sdraft.body) - osec.target_chars
        if over <= 0:
            continue
        text = verify.trim_sentences(sdraft.body, min(surplus, over), osec.figures, osec.items)
        if text != sdraft.body:
            surplus -= count_chars(sdraft.body) - count_chars(text)
            sdraft.history.append(sdraft.body)
            sdraft.body = text
            run.save_section(sdraft)
            changed.append(sdraft)
    return changed


def check(run: Run, facts: Facts | None = None, examples: list[str] | None = None) -> dict:
    """Every check on the whole draft, saved as the run's checks.json and returned."""
    from drafter.checks import run_checks

    facts = facts or run.facts
    if examples is None:
        examples = Retrieval.of_run(run).texts()
    report = run_checks(document_text(run), facts, examples=examples).to_dict()
    report["flags"] = {s.index: s.flags for s in run.sections if s.flags}
    run.save("checks", report)
    return report


def export(run: Run, formats: tuple[str, ...] = ("docx", "md", "txt")) -> dict[str, Path]:
    from drafter.export import export_docx

    text = document_text(run)
    out: dict[str, Path] = {}
    if "txt" in formats:
        out["txt"] = run.dir / "draft.txt"
        out["txt"].write_text(text + "\n", encoding="utf-8")
    if "md" in formats:
        out["md"] = run.dir / "draft.md"
        out["md"].write_text(document.to_markdown(text), encoding="utf-8")
    if "docx" in formats:
        out["docx"] = export_docx(text, run.dir / "draft.docx")
    return out
