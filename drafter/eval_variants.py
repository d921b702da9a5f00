"""Eval variants backed by the engine: ``pipeline`` (the product's staged drafting) and ``naive`` (one prompt:
the facts and the top retrieved example → the whole summary), so the pipeline is always measured against the
naive approach on the same model and the same corpus."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from drafter.engine import DraftEngine
from drafter.facts import Facts
from drafter.llm import reply_tokens
from drafter.outline import build_outline
from drafter.prompts import quote_data, render
from drafter.retrieval import Exemplar, exemplar_texts, search_exemplars
from drafter.settings import get_settings
from drafter.writing import facts_block
from evals.variants import DraftOptions, DraftResult, register_variant


def case_corpus(options: DraftOptions) -> list[Path]:
    """Files a case adds to the corpus: ``<case_id>.corpus/`` beside the case file (e.g. a past summary that
    carries injected instructions, to show they are not obeyed)."""
    folder = options.case_dir / f"{options.case_id}.corpus" if options.case_dir else None
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder and folder.is_dir() else []


def _engine(options: DraftOptions) -> DraftEngine:
    settings = get_settings()
    if options.model:
        settings = settings.model_copy(update={"llm_model": options.model})
    extra = case_corpus(options)
    if extra:  # a store of its own: the demo corpus plus the case's files, never the user's corpus
        scratch = options.workdir or Path(tempfile.mkdtemp(prefix="drafter-case-"))
        settings = settings.model_copy(update={"chroma_path": scratch / "case-store", "chroma_url": None})
    engine = DraftEngine(settings)
    if engine.store.count() == 0 or extra:
        from vectorstore.cli import demo_corpus_files

        engine.store.ingest([*demo_corpus_files(), *extra])
    return engine


def case_corpus_hits(hits: list[Exemplar], options: DraftOptions) -> int:
    """How many retrieved records come from the case's own corpus files (0 means the case tested nothing)."""
    names = {p.name for p in case_corpus(options)}
    return len({h.id for h in hits if Path(h.source).name in names})


def draft_pipeline(facts: Facts, options: DraftOptions) -> DraftResult:
    engine = _engine(options)
    started = time.perf_counter()
    run = engine.start(facts, excluded=list(options.exclude_doc_ids), runs_dir=options.workdir)
    retrieval = engine.retrieval(run)
    events = list(engine.write(run))
    errors = [e.data.get("message", "") for e in events if e.kind == "error"]
    attempts = [a for s in run.sections for a in s.attempts]
    decode = sum(a.elapsed_s for a in attempts if a.kind == "write")
    repair = sum(a.elapsed_s for a in attempts if a.kind == "repair")
    first = next((a.first_token_s for a in attempts if a.first_token_s is not None), None)
    return DraftResult(
        text=engine.document_text(run), examples=retrieval.texts(),
        meta={"run_dir": str(run.dir), "elapsed_s": round(time.perf_counter() - started, 3),
              "model_time_s": round(decode, 3), "repair_time_s": round(repair, 3), "first_token_s": first,
              "calls": len([a for a in attempts if a.prompt]),
              "completion_tokens": sum(a.completion_tokens for a in attempts),
              "flags": sum(len(s.flags) for s in run.sections), "errors": errors,
              "rule_cut_chars": sum(s.edits.get("cut", 0) for s in run.sections),
              "rule_inserted_chars": sum(s.edits.get("inserted", 0) for s in run.sections),
              "example_ids": [h.id for h in retrieval.examples],
              "case_corpus_hits": case_corpus_hits(
                  [*retrieval.examples, *(h for hs in retrieval.by_section.values() for h in hs)], options)},
    )


def draft_naive(facts: Facts, options: DraftOptions) -> DraftResult:
    engine = _engine(options)
    started = time.perf_counter()
    hits = search_exemplars(engine.store, " ".join([facts.theme or "", facts.genre, *facts.activities[:3]])
                            or facts.genre, 1, kind="document", exclude_doc_ids=list(options.exclude_doc_ids))
    example = "\n".join(exemplar_texts(hits[:1], 1000, 1200)) or "（无）"
    sections = "、".join(s.title for s in build_outline(facts).sections)
    figures = [f.text() for f in facts.figures]
    items = [*facts.activities, *facts.achievements, *facts.problems, *facts.plans]
    extra = "；".join(x for x in (f"落款：{facts.signature}" if facts.signature else "",
                                  f"日期：{facts.date}" if facts.date else "") if x)
    target = facts.target_chars or 1500
    messages = render("naive_draft", genre=facts.genre, title=quote_data(facts.title or f"{facts.unit}{facts.genre}"),
                      sections=sections,
                      facts_block=facts_block(facts, figures, [*items, *([extra] if extra else [])]), example=example,
                      target_chars=target)
    response = engine.clients.model.execute(messages, stream=True, temperature=engine.settings.llm_temperature,
                                    max_tokens=reply_tokens(target, engine.clients.model))
    text = response.text()
    return DraftResult(
        text=sanitize_naive(text), examples=[h.text for h in hits],
        meta={"elapsed_s": round(time.perf_counter() - started, 3), "first_token_s": response.first_token_s,
              "model_time_s": response.elapsed_s, "calls": 1,
              "completion_tokens": response.usage.completion_tokens if response.usage else 0,
              "case_corpus_hits": case_corpus_hits(hits, options)},
    )


def sanitize_naive(text: str) -> str:
    """Only Markdown marks go; the naive draft keeps whatever structure the model wrote."""
    lines = [re.sub(r"^\s*(#{1,6}\s*|[-*+]\s+)|\*\*", "", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


register_variant("pipeline", draft_pipeline)
register_variant("naive", draft_naive)
