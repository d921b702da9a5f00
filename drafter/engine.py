"""The drafting engine: facts → retrieve → outline → write (with verify & repair) → regenerate → export.

Each stage is a method that reads its inputs from the run directory and saves its output there, so a run can
be inspected, edited between stages (the outline) and resumed after an interruption: ``write`` skips the
sections already done. ``write`` and ``regenerate`` are generators of ``Event`` so the CLI and the web app can
show text as it streams; a section's final text (sanitised, verified, repaired) comes with its
``section_done`` event and replaces the streamed raw text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from drafter.checks.length import count_chars
from drafter.checks.rules import LENGTH_MAX_RATIO
from drafter.facts import Facts
from drafter.llm import (
    ChatModel,
    LLMError,
    LocalModelCrashedError,
    count_messages,
    count_tokens,
    fit_to_budget,
    reply_tokens,
)
from drafter.outline import PLACEHOLDER, Outline, OutlineSection, build_outline
from drafter.prompts import render
from drafter.retrieval import Retrieval, exemplar_texts, retrieve
from drafter.run import Attempt, Run, SectionDraft
from drafter.settings import Settings, get_settings
from drafter.writing import examples_block as format_examples
from drafter.writing import facts_block, quote_data, sanitize

from . import document, frames, verify
from .polish import polish

PRESETS: dict[str, str] = {
    "精简": "在不丢失任何事实和数据的前提下精简压缩，篇幅减少约一半",
    "扩写": "在不新增任何数字和事实的前提下充实论述，篇幅增加约一半",
    "补充数据": "把本节资料中的全部数据都写进正文，数字照原样使用",
    "更加正式": "改用更加规范、庄重的公文语言",
    "突出特色": "突出本单位做法的特色和亮点，语言更有概括性",
}
PRESET_LENGTH = {"精简": 0.5, "扩写": 1.5}


@dataclass
class Event:
    kind: str  # run | preamble | section_start | delta | section_done | repair | restart | checks | done | error
    # (a section_done with data['updated'] is a finished section changed afterwards, e.g. a figure added)
    section: int | None = None
    text: str = ""
    data: dict = field(default_factory=dict)


class DraftEngine:
    """One engine per process or per app session; clients are created on first use."""

    def __init__(self, settings: Settings | None = None, *, store=None, model: ChatModel | None = None,
                 rewrite_model: ChatModel | None = None, k: int = 3, per_section: int = 2,
                 exemplar_chars: int | None = None, exemplar_tokens: int | None = None,
                 max_repairs: int = 1, frame_basic: bool | None = None,
                 piece_exemplar_chars: int | None = None) -> None:
        self.settings = settings or get_settings()
        self._store = store
        self._model = model
        self._rewrite_model = rewrite_model
        self.k, self.per_section = k, per_section
        # How much exemplar text a writing prompt carries depends on the model. The embedded 0.5B model does not
        # learn tone from exemplars, it copies them (often off-topic: a 医院 sentence in a 市场监管局 summary);
        # verification cuts the copies and the sections shrink. Measured on 7 eval cases: exemplars of 240
        # chars → 1 of 3 in length; 100 chars → 3 of 7 in length; none → 5 of 7 in length, no copying, prompts
        # a quarter as long. So the embedded model writes from the facts alone (the retrieved examples are still
        # shown to the clerk and used by the checks); a model behind an endpoint gets the exemplars.
        local = not self.settings.llm_base_url
        self.exemplar_chars = exemplar_chars if exemplar_chars is not None else (0 if local else 240)
        self.exemplar_tokens = exemplar_tokens if exemplar_tokens is not None else (0 if local else 400)
        self.max_repairs = max_repairs
        # one delexicalised passage per piece (drafter.exemplars), for the embedded model too
        # Measured on 8 eval cases (embedded 0.5B): with a 150-char passage per piece it copied whole passages
        # of other units (an 教育局's 述职评议 paragraph in a 派出所 summary, "这些数据表明教育系统党组织…"), so
        # the embedded model writes from the facts alone unless set; a model behind an endpoint gets them.
        configured = self.settings.piece_exemplar_chars if piece_exemplar_chars is None else piece_exemplar_chars
        self.piece_exemplar_chars = configured if configured is not None else (0 if local else 150)
        self._restarts_left = 1  # a crashed local model process is restarted once per write/regenerate call
        # 基本情况 from a frame, not the model, when the embedded small model writes (where it invented bodies)
        self.frame_basic = local if frame_basic is None else frame_basic

    # ------------------------------------------------------------------ dependencies

    @property
    def store(self):
        if self._store is None:
            from vectorstore.store import CorpusStore

            self._store = CorpusStore(self.settings)
        return self._store

    @property
    def model(self) -> ChatModel:
        if self._model is None:
            from drafter.llm import get_model

            self._model = get_model("draft", self.settings)
        return self._model

    @property
    def rewrite_model(self) -> ChatModel:
        if self._rewrite_model is None:
            if self._model is not None and not self.settings.llm_rewrite_model:
                self._rewrite_model = self._model
            else:
                from drafter.llm import get_model

                self._rewrite_model = get_model("rewrite", self.settings)
        return self._rewrite_model

    # ------------------------------------------------------------------ stages

    def new_run(self, facts: Facts, *, k: int | None = None, runs_dir: Path | None = None) -> Run:
        record = {
            "llm_base_url": self.settings.llm_base_url or "(内置本地模型)", "llm_model": self.settings.llm_model,
            "k": k or self.k, "per_section": self.per_section, "exemplar_chars": self.exemplar_chars,
            "max_repairs": self.max_repairs, "temperature": self.settings.llm_temperature,
            "collection": self.settings.collection,
        }
        return Run.create(runs_dir or self.settings.runs_dir, facts, record)

    @classmethod
    def resume(cls, run_dir: Path | str, **kwargs) -> tuple[DraftEngine, Run]:
        return cls(**kwargs), Run.load(run_dir)

    def retrieve(self, run: Run, pinned: list[str] = (), excluded: list[str] = ()) -> Retrieval:
        started = time.perf_counter()
        facts = run.facts
        skeleton = build_outline(facts)
        queries = [(s.key, s.section_type, " ".join([s.title, *s.items])[:300]) for s in skeleton.sections]
        k = int((run.load_stage("settings") or {}).get("k", self.k))
        result = retrieve(self.store, facts, queries, k=k, per_section=self.per_section, pinned=list(pinned),
                          excluded=list(excluded))
        run.save("retrieval", result.to_dict())
        run.add_timing("retrieve", time.perf_counter() - started)
        return result

    def retrieval(self, run: Run) -> Retrieval:
        return Retrieval.from_dict(run.load_stage("retrieval"))

    def plan(self, run: Run) -> Outline:
        started = time.perf_counter()
        outline = build_outline(run.facts)
        self.save_outline(run, outline)
        run.add_timing("plan", time.perf_counter() - started)
        return outline

    def save_outline(self, run: Run, outline: Outline) -> None:
        """Store an (edited) outline; sections whose heading changed start over, locked ones are kept."""
        run.save("outline", outline.to_dict())
        old = {(s.key, s.heading): s for s in run.sections}
        fresh = []
        for i, sec in enumerate(outline.sections):
            heading = document.heading_for(i, sec.title)
            kept = old.get((sec.key, heading))
            if kept is not None and (kept.locked or kept.status == "done"):
                kept.index = i
                fresh.append(kept)
            else:
                fresh.append(SectionDraft(index=i, key=sec.key, section_type=sec.section_type, heading=heading))
        run.reset_sections(fresh)

    def write(self, run: Run) -> Iterator[Event]:
        """Write every section not yet done (resumable), verify and repair each, then check the whole draft."""
        started = time.perf_counter()
        self._restarts_left = 1
        facts = run.facts
        outline = run.outline or self.plan(run)
        headings = [document.heading_for(i, s.title) for i, s in enumerate(outline.sections)]
        if [s.heading for s in run.sections] != headings:
            self.save_outline(run, outline)  # the outline was edited on disk: re-align, keeping finished sections
        retrieval = self.retrieval(run)
        examples = retrieval.texts()
        if not any(s.status == "done" for s in run.sections):
            # Title and opening are fixed by format: the reader sees them at once, before any model call.
            yield Event("preamble", None, f"{outline.title}\n{outline.opening}\n")
        for osec, sdraft in zip(outline.sections, run.sections, strict=True):
            if sdraft.status == "done" or sdraft.locked:
                continue
            try:
                yield from self._write_section(run, facts, osec, sdraft, retrieval, examples)
            except LLMError as exc:
                sdraft.status, sdraft.error = "failed", exc.user_message
                run.save_section(sdraft)
                run.add_timing("write", time.perf_counter() - started)
                yield Event("error", sdraft.index, data={"message": exc.user_message, "error": type(exc).__name__})
                return
        updated = self._fill_missing_figures(run, facts)
        if updated is not None:  # a finished section changed: say so, like any other section's text
            yield Event("section_done", updated.index, updated.body,
                        {"heading": updated.heading, "flags": updated.flags, "updated": True,
                         "reason": "补入其他段落未写到的事实数据"})
        for trimmed in self._trim_to_length(run, facts, outline):
            yield Event("section_done", trimmed.index, trimmed.body,
                        {"heading": trimmed.heading, "flags": trimmed.flags, "updated": True,
                         "reason": "全文超出目标字数，删去了本节末尾的概括句"})
        run.add_timing("write", time.perf_counter() - started)
        yield from self._finish(run, facts, examples)

    def _write_section(self, run: Run, facts: Facts, osec: OutlineSection, sdraft: SectionDraft,
                       retrieval: Retrieval, examples: list[str]) -> Generator[Event, None, None]:
        yield Event("section_start", sdraft.index, sdraft.heading)
        sdraft.attempts, sdraft.flags, sdraft.exemplars = [], [], []
        sdraft.edits = {"cut": 0, "inserted": 0}
        if osec.placeholder:
            sdraft.body = PLACEHOLDER
            sdraft.flags = [{"code": "placeholder", "message": f"“{osec.title}”缺少资料，已留【待补】，请补充后重新生成"}]
        elif osec.section_type == "基本情况" and self.frame_basic:
            # the embedded small model invents national bodies and leaders here: the frame writes it from the facts
            sdraft.body = frames.basic_situation(facts, osec.figures)
            sdraft.edits["inserted"] = len(sdraft.body)
            yield Event("delta", sdraft.index, sdraft.body)
        else:
            hits = retrieval.by_section.get(osec.key, [])
            exemplars = exemplar_texts(hits, self.exemplar_tokens, self.exemplar_chars)
            pieces = self._pieces(osec)
            parts = []
            for j, (subheading, figures, items, target) in enumerate(pieces):
                if subheading:
                    line = document.subheading_for(j, subheading)
                    yield Event("delta", sdraft.index, line + "\n")
                title = subheading or osec.title
                body = yield from self._piece(sdraft, facts, osec, title, figures, items, exemplars, examples, target)
                parts.append(f"{document.subheading_for(j, subheading)}\n{body}" if subheading else body)
            sdraft.body = "\n".join(parts)
        sdraft.status, sdraft.error = "done", ""
        run.save_section(sdraft)
        yield Event("section_done", sdraft.index, sdraft.body, {"heading": sdraft.heading, "flags": sdraft.flags})

    @staticmethod
    def _pieces(osec: OutlineSection) -> list[tuple[str, list[str], list[str], int]]:
        """(sub-heading or "", figures, items, target chars) per model call of a section."""
        if not osec.subheadings:
            return [("", osec.figures, osec.items, osec.target_chars)]
        n = len(osec.subheadings)
        groups: list[list[str]] = [[] for _ in range(n)]
        for i, item in enumerate(osec.items):
            groups[min(i, n - 1)].append(item)
        each = max(60, osec.target_chars // n)
        return [(title, osec.figures if j == 0 else [], groups[j], each) for j, title in enumerate(osec.subheadings)]

    def _piece(self, sdraft: SectionDraft, facts: Facts, osec: OutlineSection, title: str, figures: list[str],
               items: list[str], exemplars: list[str], examples: list[str],
               target: int) -> Generator[Event, None, str]:
        block = facts_block(facts, figures, items)
        values = dict(genre=facts.genre, unit=quote_data(facts.unit), section_title=title, task=osec.task,
                      facts_block=block, target_chars=target)
        # Exemplars get what the context window leaves after the prompt itself and the answer.
        room = self.settings.llm_context_window - count_messages(render("write_section", examples_block="", **values), self.model)
        free = room - reply_tokens(target, self.model) - 64
        budget = min(self.exemplar_tokens, free)
        exemplars = fit_to_budget(exemplars, budget, model=self.model) if budget > 0 else []
        if self.piece_exemplar_chars > 0:  # the piece's own passage, delexicalised, goes first (drafter.exemplars)
            from drafter.exemplars import piece_exemplar

            found = piece_exemplar(self.store, facts, osec.section_type, title, items, self.piece_exemplar_chars)
            if found is not None and count_tokens(found.text, self.model) + budget_used(exemplars, self.model) <= free:
                sdraft.exemplars.append(found.to_dict())
                exemplars = [found.text, *exemplars]
                examples = [*examples, found.text]  # what it was shown is checked for copying like the rest
        messages = render("write_section", examples_block=format_examples(exemplars), **values)
        attempt = yield from self._stream(self.model, messages, "write", target, sdraft)
        text = self._polish(sdraft, sanitize(attempt.output, title), osec.section_type, facts)
        # What the prompt asks, without its facts and exemplars: text repeating it back is an echo, not prose.
        instructions = "\n".join(m["content"] for m in render("write_section", examples_block="",
                                                               **{**values, "facts_block": ""}))
        return (yield from self._verify(sdraft, facts, title, text, block, figures, items, examples, target,
                                        instructions=instructions))

    def _verify(self, sdraft: SectionDraft, facts: Facts, title: str, text: str, block: str, figures: list[str],
                items: list[str], examples: list[str], target: int, keep: set[str] | None = None,
                model: ChatModel | None = None, instructions: str = "") -> Generator[Event, None, str]:
        findings = verify.section_findings(text, facts, examples, instructions)
        sdraft.attempts[-1].findings = [f.to_dict() for f in findings]
        repairs = 0
        while findings and repairs < self.max_repairs:
            repairs += 1
            yield Event("repair", sdraft.index, data={"attempt": repairs, "findings": [f.message_zh for f in findings]})
            messages = render("repair_section", genre=facts.genre, unit=quote_data(facts.unit), section_title=title,
                              facts_block=block, previous=text, findings=verify.findings_text(findings, text),
                              target_chars=target)
            attempt = yield from self._stream(model or self.model, messages, "repair", target, sdraft, emit=False)
            candidate = sanitize(attempt.output, title, keep) if keep else sanitize(attempt.output, title)
            candidate = polish(candidate, sdraft.section_type, facts).text
            new_findings = verify.section_findings(candidate, facts, examples, instructions)
            attempt.findings = [f.to_dict() for f in new_findings]
            if len(new_findings) < len(findings) and candidate.strip():
                text, findings = candidate, new_findings
        if findings:
            text, removed = verify.drop_clauses(text, findings)
            sdraft.edits["cut"] = sdraft.edits.get("cut", 0) + sum(len(r) for r in removed)
            sdraft.attempts.append(Attempt(kind="fallback", prompt=None, output=text,
                                           findings=[{"removed": r} for r in removed]))
        missing_figs, missing_items = verify.missing_in(text, figures, items)
        if missing_figs or missing_items:
            longer = verify.insert_missing(text, missing_figs, missing_items)
            sdraft.edits["inserted"] = sdraft.edits.get("inserted", 0) + len(longer) - len(text)
            text = longer
        left = verify.section_findings(text, facts, examples, instructions)
        sdraft.flags.extend({"code": f.code, "message": f.message_zh, "text": text[f.span[0]:f.span[1]] if f.span else ""}
                            for f in left)
        return text

    @staticmethod
    def _polish(sdraft: SectionDraft, text: str, section_type: str, facts: Facts) -> str:
        polished = polish(text, section_type, facts)
        sdraft.edits["cut"] = sdraft.edits.get("cut", 0) + polished.cut
        sdraft.edits["inserted"] = sdraft.edits.get("inserted", 0) + polished.inserted
        return polished.text

    def _stream(self, model: ChatModel, messages: list[dict], kind: str, target: int, sdraft: SectionDraft,
                emit: bool = True) -> Generator[Event, None, Attempt]:
        while True:
            started = time.perf_counter()
            try:
                response = model.execute(messages, stream=True, temperature=self.settings.llm_temperature,
                                         max_tokens=reply_tokens(target, model))
                chunks = []
                for chunk in response:
                    chunks.append(chunk)
                    if emit:
                        yield Event("delta", sdraft.index, chunk)
                break
            except LocalModelCrashedError as exc:
                if self._restarts_left <= 0:
                    raise LocalModelCrashedError(exit_code=exc.exit_code, log_tail=exc.log_tail,
                                                 restarted=True) from None
                self._restarts_left -= 1  # the next request restarts the server (its endpoint's ensure())
                yield Event("restart", sdraft.index, data={"message": exc.user_message.split("。")[0] +
                                                           "，正在重启本地模型并重写本节…"})
        usage = response.usage
        output = "".join(chunks)
        attempt = Attempt(kind=kind, prompt=messages, output=output,
                          prompt_tokens=usage.prompt_tokens if usage else count_messages(messages, model),
                          completion_tokens=usage.completion_tokens if usage else count_tokens(output, model),
                          elapsed_s=round(time.perf_counter() - started, 4), first_token_s=response.first_token_s,
                          model=getattr(model, "model_id", ""), tokens_estimated=usage is None)
        sdraft.attempts.append(attempt)
        return attempt

    def _fill_missing_figures(self, run: Run, facts: Facts) -> SectionDraft | None:
        """A figure no section carries (e.g. its section was left out) goes into the first written section,
        which is returned (None when nothing changed)."""
        text = self.document_text(run)
        missing = [f for f in facts.figures if not verify._numbers_present(f.text(), _keys(text))]
        target = next((s for s in run.sections if s.status == "done" and s.body != PLACEHOLDER and not s.locked), None)
        if not missing or target is None:
            return None
        target.body = verify.insert_missing(target.body, [f.text() for f in missing], [])
        run.save_section(target)
        return target

    def _trim_to_length(self, run: Run, facts: Facts, outline: Outline) -> list[SectionDraft]:
        """A draft longer than the length check allows loses sentences, from the sections furthest over their
        share first, never a figure, an item or a paragraph's first sentence (the small model overshot 8 of 17
        eval targets by 29–85%). Locked sections are untouched. Returns the sections changed."""
        if not facts.target_chars:
            return []
        surplus = count_chars(self.document_text(run)) - int(facts.target_chars * LENGTH_MAX_RATIO * 0.97)
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

    def _finish(self, run: Run, facts: Facts, examples: list[str]) -> Iterator[Event]:
        started = time.perf_counter()
        report = self.check(run, facts, examples)
        self.export(run, formats=("md", "txt"))
        run.add_timing("check_export", time.perf_counter() - started)
        yield Event("checks", data=report)
        yield Event("done", text=self.document_text(run), data={"run_dir": str(run.dir)})

    # ------------------------------------------------------------------ editing

    def regenerate(self, run: Run, index: int, instruction: str = "", preset: str | None = None) -> Iterator[Event]:
        if not 0 <= index < len(run.sections):
            yield Event("error", index, data={"message": f"没有第 {index + 1} 节（共 {len(run.sections)} 节）"})
            return
        sdraft = run.sections[index]
        self._restarts_left = 1
        if sdraft.locked:
            yield Event("error", index, data={"message": "本节已锁定，解锁后才能重新生成"})
            return
        if preset and preset not in PRESETS:
            yield Event("error", index, data={"message": f"未知的预设“{preset}”，可选：{'、'.join(PRESETS)}"})
            return
        facts, outline = run.facts, run.outline
        osec = outline.sections[index]
        wanted = "；".join(x for x in (PRESETS.get(preset or ""), instruction.strip()) if x) or "重新组织语言，事实和数字不变"
        target = int(max(60, len(sdraft.body) or osec.target_chars) * PRESET_LENGTH.get(preset or "", 1.0))
        block = facts_block(facts, osec.figures, osec.items)
        keep = {line for line in sdraft.body.split("\n") if line.startswith("（")}
        messages = render("rewrite_section", genre=facts.genre, unit=quote_data(facts.unit), section_title=osec.title,
                          facts_block=block, current=sdraft.body, instruction=quote_data(wanted), target_chars=target)
        yield Event("section_start", index, sdraft.heading, {"instruction": wanted})
        previous = sdraft.body
        sdraft.flags = []
        try:
            attempt = yield from self._stream(self.rewrite_model, messages, "rewrite", target, sdraft)
            text = self._polish(sdraft, sanitize(attempt.output, osec.title, keep), osec.section_type, facts)
            examples = self.retrieval(run).texts()
            text = yield from self._verify(sdraft, facts, osec.title, text, block, osec.figures, osec.items,
                                           examples, target, keep, self.rewrite_model)
        except LLMError as exc:
            run.save_section(sdraft)
            yield Event("error", index, data={"message": exc.user_message, "error": type(exc).__name__})
            return
        if not text.strip():
            yield Event("error", index, data={"message": "模型没有给出可用的改写，原文未改动"})
            return
        sdraft.history.append(previous)
        sdraft.body, sdraft.status = text, "done"
        run.save_section(sdraft)
        yield Event("section_done", index, text, {"heading": sdraft.heading, "flags": sdraft.flags})

    def set_section_text(self, run: Run, index: int, text: str) -> None:
        sdraft = run.sections[index]
        if text == sdraft.body:
            return
        sdraft.history.append(sdraft.body)
        sdraft.body, sdraft.status = text, "done"
        run.save_section(sdraft)

    def lock(self, run: Run, index: int, locked: bool = True) -> None:
        run.sections[index].locked = locked
        run.save_section(run.sections[index])

    def undo(self, run: Run, index: int) -> bool:
        sdraft = run.sections[index]
        if not sdraft.history or sdraft.locked:
            return False
        sdraft.body = sdraft.history.pop()
        run.save_section(sdraft)
        return True

    # ------------------------------------------------------------------ output

    def document_text(self, run: Run) -> str:
        outline = run.outline
        if outline is None:
            return ""
        sections = [(s.heading, s.body) for s in run.sections]
        return document.assemble(outline.title, outline.opening, sections, outline.signature, outline.date)

    def check(self, run: Run, facts: Facts | None = None, examples: list[str] | None = None) -> dict:
        from drafter.checks import run_checks

        facts = facts or run.facts
        examples = self.retrieval(run).texts() if examples is None else examples
        report = run_checks(self.document_text(run), facts, examples=examples).to_dict()
        report["flags"] = {s.index: s.flags for s in run.sections if s.flags}
        run.save("checks", report)
        return report

    def export(self, run: Run, formats: tuple[str, ...] = ("docx", "md", "txt")) -> dict[str, Path]:
        from drafter.export import export_docx

        text = self.document_text(run)
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

    # ------------------------------------------------------------------ all at once

    def stream(self, facts: Facts, *, pinned: list[str] = (), excluded: list[str] = ()) -> Iterator[Event]:
        """A new run from facts to finished draft, as events; the first is ``run`` (data['run_dir'])."""
        run = self.new_run(facts)
        yield Event("run", data={"run_dir": str(run.dir)})
        self.retrieve(run, pinned=pinned, excluded=excluded)
        self.plan(run)
        yield from self.write(run)

    def draft(self, facts: Facts, *, on_event=None, pinned: list[str] = (), excluded: list[str] = ()) -> Run:
        run_dir = None
        for event in self.stream(facts, pinned=pinned, excluded=excluded):
            if event.kind == "run":
                run_dir = event.data["run_dir"]
            elif on_event:
                on_event(event)
        return Run.load(run_dir)


def budget_used(texts: list[str], model: ChatModel | None = None) -> int:
    return sum(count_tokens(t, model) for t in texts)


def _keys(text: str) -> set:
    from drafter.numbers import extract_numbers

    return {m.key for m in extract_numbers(text)}


def load_report(run: Run) -> dict:
    path = run.dir / "checks.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
