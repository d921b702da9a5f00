"""The run record: one directory per draft holding every stage's output, so a run can be inspected and resumed.

Layout::

    <runs_dir>/<run id>/
      facts.json  settings.json  retrieval.json  outline.json
      sections/NN.json      one per outline section: text, status, lock, history, attempts (prompt, output,
                            findings, usage, timings)
      checks.json  draft.md  draft.txt  draft.docx  timings.json

Writes are atomic (temp file + rename), so an interrupted run never leaves half a JSON file behind.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from drafter.document import heading_for
from drafter.facts import Facts, validate_facts
from drafter.outline import Outline


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_json(path: Path, data: object) -> None:
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=2, default=str))


@dataclass
class Event:
    """What the stages yield while they work, for the CLI and the app to show as it happens."""

    kind: str  # run | preamble | section_start | delta | section_done | repair | restart | checks | done | error
    # (a section_done with data['updated'] is a finished section changed afterwards, e.g. a figure added;
    # a delta with data['source'] is text the engine wrote, "frame" or "outline", not the model)
    section: int | None = None
    text: str = ""
    data: dict = field(default_factory=dict)


@dataclass
class Attempt:
    kind: str  # "write" | "retry" (prose check failed) | "repair" | "effect" (Writer.effect) | "rewrite" | "fallback"
    prompt: list[dict] | None
    output: str
    findings: list[dict] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    elapsed_s: float = 0.0
    first_token_s: float | None = None
    model: str = ""
    tokens_estimated: bool = False  # the endpoint reported no usage (llama.cpp streams): counted with cl100k


@dataclass
class SectionDraft:
    index: int
    key: str
    section_type: str
    heading: str  # "一、基本情况"
    body: str = ""  # text under the heading, sub-headings （一）… included
    status: str = "pending"  # pending | done | failed
    locked: bool = False
    history: list[str] = field(default_factory=list)  # earlier versions of body, oldest first
    flags: list[dict] = field(default_factory=list)  # findings left after repair, with reasons and spans
    attempts: list[Attempt] = field(default_factory=list)
    error: str = ""
    # characters the engine's rules cut from the model's text and inserted into it (eval reports show the share)
    edits: dict = field(default_factory=lambda: {"cut": 0, "inserted": 0})
    # the delexicalised passages each piece of this section was written from (drafter.exemplars.PieceExemplar)
    exemplars: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SectionDraft:
        data = dict(data)
        data["attempts"] = [Attempt(**a) for a in data.get("attempts", [])]
        return cls(**data)


class Run:
    """A draft on disk. Stages save through this object; ``Run.load`` reopens one."""

    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        self.id = self.dir.name
        self.sections: list[SectionDraft] = []
        self.timings: dict[str, float] = {}

    @classmethod
    def create(cls, runs_dir: Path, facts: Facts, settings_record: dict) -> Run:
        run_id = time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
        run = cls(Path(runs_dir) / run_id)
        run.dir.mkdir(parents=True, exist_ok=False)
        atomic_write(run.dir / "facts.json", facts.to_json())
        write_json(run.dir / "settings.json", settings_record)
        return run

    @classmethod
    def load(cls, directory: Path | str) -> Run:
        run = cls(Path(directory))
        if not (run.dir / "facts.json").exists():
            raise FileNotFoundError(f"{run.dir} 不是草稿目录（缺少 facts.json）")
        for path in sorted((run.dir / "sections").glob("*.json")):
            run.sections.append(SectionDraft.from_dict(json.loads(path.read_text(encoding="utf-8"))))
        if (run.dir / "timings.json").exists():
            run.timings = json.loads((run.dir / "timings.json").read_text(encoding="utf-8"))
        return run

    # --- stages ------------------------------------------------------------------------------------

    @property
    def facts(self) -> Facts:
        return validate_facts(json.loads((self.dir / "facts.json").read_text(encoding="utf-8")))

    def save(self, name: str, data: object) -> None:
        write_json(self.dir / f"{name}.json", data)

    def load_stage(self, name: str) -> dict | list | None:
        path = self.dir / f"{name}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    @property
    def outline(self) -> Outline | None:
        data = self.load_stage("outline")
        return Outline.from_dict(data) if data else None

    def set_outline(self, outline: Outline) -> None:
        """Store an (edited) outline; sections whose heading changed start over, locked or done ones are kept."""
        self.save("outline", outline.to_dict())
        old = {(s.key, s.heading): s for s in self.sections}
        fresh = []
        for i, sec in enumerate(outline.sections):
            heading = heading_for(i, sec.title)
            kept = old.get((sec.key, heading))
            if kept is not None and (kept.locked or kept.status == "done"):
                kept.index = i
                fresh.append(kept)
            else:
                fresh.append(SectionDraft(index=i, key=sec.key, section_type=sec.section_type, heading=heading))
        self.reset_sections(fresh)

    def aligned_with(self, outline: Outline) -> bool:
        """Whether the sections on disk are the outline's (it was not edited since they were laid out)."""
        return [s.heading for s in self.sections] == [heading_for(i, o.title) for i, o in enumerate(outline.sections)]

    def save_section(self, section: SectionDraft) -> None:
        write_json(self.dir / "sections" / f"{section.index:02d}.json", section.to_dict())

    def reset_sections(self, sections: list[SectionDraft]) -> None:
        for path in (self.dir / "sections").glob("*.json"):
            path.unlink()
        self.sections = sections
        for s in sections:
            self.save_section(s)

    def add_timing(self, name: str, seconds: float) -> None:
        self.timings[name] = round(self.timings.get(name, 0.0) + seconds, 4)
        write_json(self.dir / "timings.json", self.timings)
