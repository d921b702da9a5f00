"""The drafting pipeline, one orchestrator every caller uses: plan → retrieve → write (verify & repair) →
finalize → check/export, and the editing of a finished draft.

Each stage lives in its own module and saves its output in the run directory (drafter.run), so a run can be
inspected, its outline edited between stages, and resumed: ``write`` skips the sections already done.
``stream``, ``write`` and ``regenerate`` yield ``Event`` objects so the CLI and the app show text as it
streams; a section's final text (sanitised, verified, repaired) comes with its ``section_done`` event.

    plan       drafter.outline      the outline from the facts (sections, figures, items, lengths)
    retrieve   drafter.retrieval    exemplars per outline section from the corpus
    write      drafter.writing      prompts, budget, streaming, rule polish; drafter.frames for 基本情况
    verify     drafter.verify       findings per piece and the repair loop
    finalize   drafter.finalize     missing figures, trim to length, checks, export
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from drafter import finalize
from drafter.clients import Clients
from drafter.facts import Facts
from drafter.llm import ChatModel, LLMError
from drafter.outline import Outline, build_outline
from drafter.retrieval import Retrieval, retrieve
from drafter.run import Event, Run, SectionDraft
from drafter.settings import Settings, get_settings
from drafter.writing import Streamer, WritePolicy, Writer


class DraftEngine:
    """One engine per process or per app session; clients are created on first use."""

    def __init__(self, settings: Settings | None = None, *, store=None, model: ChatModel | None = None,
                 rewrite_model: ChatModel | None = None, k: int = 3, per_section: int = 2,
                 exemplar_chars: int | None = None, exemplar_tokens: int | None = None,
                 max_repairs: int = 1, frame_sections: bool | None = None,
                 piece_exemplar_chars: int | None = None, prose_retries: int | None = None,
                 plan_measures: bool | None = None, practice_effects: bool | None = None) -> None:
        self.settings = settings or get_settings()
        self.clients = Clients(self.settings, store=store, model=model, rewrite_model=rewrite_model)
        self.k, self.per_section = k, per_section
        self.policy = WritePolicy.for_settings(
            self.settings, exemplar_chars=exemplar_chars, exemplar_tokens=exemplar_tokens,
            piece_exemplar_chars=piece_exemplar_chars, frame_sections=frame_sections, max_repairs=max_repairs,
            prose_retries=prose_retries, plan_measures=plan_measures, practice_effects=practice_effects)
        self.streamer = Streamer(self.settings)
        self.writer = Writer(self.clients, self.policy, self.streamer)

    @property
    def store(self):
        return self.clients.store

    # ------------------------------------------------------------------ stages

    def new_run(self, facts: Facts, *, k: int | None = None, runs_dir: Path | None = None) -> Run:
        record = {
            "llm_base_url": self.settings.llm_base_url or "(内置本地模型)", "llm_model": self.settings.llm_model,
            "k": k or self.k, "per_section": self.per_section, "exemplar_chars": self.policy.exemplar_chars,
            "max_repairs": self.policy.max_repairs, "temperature": self.settings.llm_temperature,
            "collection": self.settings.collection,
        }
        return Run.create(runs_dir or self.settings.runs_dir, facts, record)

    def start(self, facts: Facts, *, pinned: list[str] = (), excluded: list[str] = (),
              runs_dir: Path | None = None) -> Run:
        """A new run, planned and retrieved: ready to ``write``."""
        run = self.new_run(facts, runs_dir=runs_dir)
        self.plan(run)
        self.retrieve(run, pinned=pinned, excluded=excluded)
        return run

    def plan(self, run: Run) -> Outline:
        started = time.perf_counter()
        outline = build_outline(run.facts, self.policy.framed())
        run.set_outline(outline)
        run.add_timing("plan", time.perf_counter() - started)
        return outline

    def retrieve(self, run: Run, pinned: list[str] = (), excluded: list[str] = ()) -> Retrieval:
        """Exemplars for each section of the run's outline (planned first if there is none)."""
        started = time.perf_counter()
        outline = run.outline or self.plan(run)
        queries = [(s.key, s.section_type, " ".join([s.title, *s.items])[:300]) for s in outline.sections]
        k = int((run.load_stage("settings") or {}).get("k", self.k))
        result = retrieve(self.store, run.facts, queries, k=k, per_section=self.per_section, pinned=list(pinned),
                          excluded=list(excluded))
        run.save("retrieval", result.to_dict())
        run.add_timing("retrieve", time.perf_counter() - started)
        return result

    @staticmethod
    def retrieval(run: Run) -> Retrieval:
        return Retrieval.of_run(run)

    def write(self, run: Run) -> Iterator[Event]:
        """Write every section not yet done (resumable), verify and repair each, finalize, check, export."""
        started = time.perf_counter()
        self.streamer.reset()
        outline = run.outline or self.plan(run)
        if not run.aligned_with(outline):
            run.set_outline(outline)  # the outline was edited on disk: re-align, keeping finished sections
        retrieval = self.retrieval(run)
        if not any(s.status == "done" for s in run.sections):
            # Title and opening are fixed by format: the reader sees them at once, before any model call.
            yield Event("preamble", None, f"{outline.title}\n{outline.opening}\n")
        for osec, sdraft in zip(outline.sections, run.sections, strict=True):
            if sdraft.status == "done" or sdraft.locked:
                continue
            try:
                yield from self.writer.write_section(run, osec, sdraft, retrieval)
            except LLMError as exc:
                sdraft.status, sdraft.error = "failed", exc.user_message
                run.save_section(sdraft)
                run.add_timing("write", time.perf_counter() - started)
                yield Event("error", sdraft.index, data={"message": exc.user_message, "error": type(exc).__name__})
                return
        yield from finalize.finalize(run)
        run.add_timing("write", time.perf_counter() - started)
        started = time.perf_counter()
        report = self.check(run, examples=retrieval.texts())
        self.export(run, formats=("md", "txt"))
        run.add_timing("check_export", time.perf_counter() - started)
        yield Event("checks", data=report)
        yield Event("done", text=self.document_text(run), data={"run_dir": str(run.dir)})

    def stream(self, facts: Facts, *, pinned: list[str] = (), excluded: list[str] = ()) -> Iterator[Event]:
        """A new run from facts to finished draft, as events; the first is ``run`` (data['run_dir'])."""
        run = self.start(facts, pinned=pinned, excluded=excluded)
        yield Event("run", data={"run_dir": str(run.dir)})
        yield from self.write(run)

    def draft(self, facts: Facts, *, on_event=None, pinned: list[str] = (), excluded: list[str] = ()) -> Run:
        run_dir = None
        for event in self.stream(facts, pinned=pinned, excluded=excluded):
            if event.kind == "run":
                run_dir = event.data["run_dir"]
            elif on_event:
                on_event(event)
        return Run.load(run_dir)

    def resume(self, run_dir: Path | str) -> tuple[Run, Iterator[Event]]:
        """An interrupted run reopened, and its ``write`` (only the sections not yet done)."""
        run = Run.load(run_dir)
        return run, self.write(run)

    def redraft(self, run: Run, *, pinned: list[str] = (), excluded: list[str] = ()) -> Run:
        """A new run for a full rewrite: same facts and (edited) outline, retrieved again; locked sections are
        carried over with their history. Returns the new run, ready to ``write``."""
        new = self.new_run(run.facts)
        new.set_outline(run.outline)
        self.retrieve(new, pinned=pinned, excluded=excluded)
        locked = {(s.key, s.heading): s for s in run.sections if s.locked}
        for s in new.sections:
            kept = locked.get((s.key, s.heading))
            if kept is not None:
                s.body, s.status, s.locked, s.history = kept.body, "done", True, [*kept.history]
                new.save_section(s)
        return new

    # ------------------------------------------------------------------ editing

    def regenerate(self, run: Run, index: int, instruction: str = "", preset: str | None = None) -> Iterator[Event]:
        """Rewrite one section with an editor's instruction or preset (drafter.writing.Writer.rewrite)."""
        self.streamer.reset()
        yield from self.writer.rewrite(run, index, instruction, preset)

    @staticmethod
    def set_section_text(run: Run, index: int, text: str) -> SectionDraft:
        sdraft = run.sections[index]
        if text != sdraft.body:
            sdraft.history.append(sdraft.body)
            sdraft.body, sdraft.status = text, "done"
            run.save_section(sdraft)
        return sdraft

    @staticmethod
    def lock(run: Run, index: int, locked: bool = True) -> SectionDraft:
        run.sections[index].locked = locked
        run.save_section(run.sections[index])
        return run.sections[index]

    @staticmethod
    def undo(run: Run, index: int) -> bool:
        sdraft = run.sections[index]
        if not sdraft.history or sdraft.locked:
            return False
        sdraft.body = sdraft.history.pop()
        run.save_section(sdraft)
        return True

    # ------------------------------------------------------------------ output

    document_text = staticmethod(finalize.document_text)
    export = staticmethod(finalize.export)

    check = staticmethod(finalize.check)

