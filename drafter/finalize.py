"""Stage — finalize: whole-draft passes after every section is written, then the checks and the export.

``finalize`` (1) states any fact figure no section carries, in the first written section (e.g. its own
section was left out of the outline), (2) says the unit by its short name after its first mention
(``shorten_unit_names``), (3) trims a draft longer than the length check allows: the unit's name
said again at a sentence's start first (``verify.omit_repeated_subject``), then sentences of made-up specifics
(drafter.checks.grounding.invented_detail), then from the end of the sections furthest over their share,
never a figure, an item or a paragraph's first sentence (the small model overshot 8 of 17 eval targets by
29–85%), and (4) takes out sentences of made-up specifics while the draft
has text to spare (``drop_invented``); locked sections are untouched.
Each changed section comes back as a ``section_done`` event with ``data['updated']``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from drafter import document, verify
from drafter.checks.grounding import known_text
from drafter.checks.length import count_chars
from drafter.checks.rules import LENGTH_MAX_RATIO
from drafter.facts import Facts
from drafter.outline import PLACEHOLDER, Outline
from drafter.retrieval import Retrieval
from drafter.run import Event, Run, SectionDraft
from drafter.zh.numbers import extract_numbers
from drafter.zh.unit_names import short_unit_name, shorten_mentions

# Sentences of made-up specifics go while the draft keeps this share of its target (the length check's
# minimum is 0.8) and each section this share of its own.
INVENTED_FLOOR = 0.92
# The unit's long name said again goes whatever length is left: a twelve-character name at the head of every
# paragraph is a defect a clerk fixes first, and keeping it to stay over the length check's minimum is padding (a
# held-out 经验材料 at 1,239 of 1,500 字 kept "禾屿恒锐精密机械股份有限公司党委" six times under a floor of 0.82).
SHORT_NAME_FLOOR = 0.0
SECTION_FLOOR = 0.6


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
    # the short name first: an over-long draft loses the repeated long name before any sentence; below
    # INVENTED_FLOOR the short name takes the room left after sentences of invented detail have gone (a false
    # detail weighs more than a long name)
    shortened_name = f"单位名称首次出现后改用简称“{short_unit_name(facts.unit)}”"
    for shortened in shorten_unit_names(run, facts, INVENTED_FLOOR):
        yield _updated(shortened, shortened_name)
    for trimmed in trim_to_length(run, facts, outline):
        yield _updated(trimmed, "全文超出目标字数，删去了本节末尾的概括句")
    for trimmed in drop_invented(run, facts, outline):
        yield _updated(trimmed, "删去了事实中没有的具体内容（篇幅仍够）")
    for shortened in shorten_unit_names(run, facts, SHORT_NAME_FLOOR):
        yield _updated(shortened, shortened_name)


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
        known = known_text(facts, osec.title)
        # the unit's name said again at each paragraph's start goes first: that is the genre's own 精简
        shorter = verify.omit_repeated_subject(sdraft.body, facts.unit)
        short = short_unit_name(facts.unit)
        shorter = verify.omit_repeated_subject(shorter, short) if short else shorter
        spent = count_chars(sdraft.body) - count_chars(shorter)
        text = verify.trim_sentences(shorter, min(surplus, over) - spent, osec.figures, osec.items, known)
        if text != sdraft.body:
            sdraft.edits["cut"] = sdraft.edits.get("cut", 0) + count_chars(sdraft.body) - count_chars(text)
            surplus -= count_chars(sdraft.body) - count_chars(text)
            sdraft.history.append(sdraft.body)
            sdraft.body = text
            run.save_section(sdraft)
            changed.append(sdraft)
    return changed


def drop_invented(run: Run, facts: Facts, outline: Outline) -> list[SectionDraft]:
    """Sentences of made-up specifics (drafter.checks.grounding.invented_detail: "书法比赛、绘画展览" in a 教育局's
    做法) removed while the draft stays at ``INVENTED_FLOOR`` of its target and each section at
    ``SECTION_FLOOR`` of its own; the sections furthest over their own target first. Returns the sections
    changed."""
    if not facts.target_chars:
        return []
    room = count_chars(document_text(run)) - int(facts.target_chars * INVENTED_FLOOR)
    pairs = [(s, o) for s, o in zip(run.sections, outline.sections, strict=True)
             if s.status == "done" and not s.locked and s.body != PLACEHOLDER and s.section_type != "基本情况"]
    changed = []
    for sdraft, osec in sorted(pairs, key=lambda p: -(count_chars(p[0].body) - p[1].target_chars)):
        if room <= 0:
            break
        spare = min(room, count_chars(sdraft.body) - int(osec.target_chars * SECTION_FLOOR))
        if spare <= 0:
            continue
        text = verify.trim_sentences(sdraft.body, spare, osec.figures, osec.items, known_text(facts, osec.title),
                                     invented_only=True)
        if text != sdraft.body:
            cut = count_chars(sdraft.body) - count_chars(text)
            room -= cut
            sdraft.edits["cut"] = sdraft.edits.get("cut", 0) + cut
            sdraft.history.append(sdraft.body)
            sdraft.body = text
            run.save_section(sdraft)
            changed.append(sdraft)
    return changed


def shorten_unit_names(run: Run, facts: Facts, floor: float = SHORT_NAME_FLOOR) -> list[SectionDraft]:
    """The unit's full name said by its short name (drafter.zh.unit_names: "栗川市望桥街道党工委" → "街道党工委")
    after its first mention in the sections, as a clerk writes it, while the draft stays at ``floor`` of
    its target (the sections with the most mentions first). Returns the sections changed."""
    short = short_unit_name(facts.unit)
    if not short:
        return []
    room = (count_chars(document_text(run)) - int(facts.target_chars * floor)) if facts.target_chars \
        else 10 ** 9
    sections = [s for s in run.sections if s.status == "done" and s.body != PLACEHOLDER]
    first = next((s.index for s in sections if facts.unit in s.body), None)
    changed = []
    for sdraft in sorted((s for s in sections if not s.locked), key=lambda s: -s.body.count(facts.unit)):
        text = shorten_mentions(sdraft.body, facts.unit, short, keep_first=sdraft.index == first)
        cut = count_chars(sdraft.body) - count_chars(text)
        if not cut or cut > room:
            continue
        room -= cut
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
