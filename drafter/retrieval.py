"""Stage 1 — retrieve: similar past documents for the facts, and per planned section exemplars of its type.

Exemplars teach style and structure only; the writing prompt says so, and the leakage check holds the
draft to it. A user may pin a record (always used) or exclude one (never used, nor anything else of its
document). What was retrieved is an ``Exemplar`` (saved in the run's retrieval.json), not the store's own hit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from drafter.facts import Facts
from drafter.llm.tokens import fit_to_budget
from drafter.zh.instructions import strip_instructions
from drafter.zh.numbers import extract_numbers
from drafter.zh.sentences import split_sentences
from vectorstore.classify import classify_work
from vectorstore.records import Hit
from vectorstore.search import RRF_K
from vectorstore.store import CorpusStore


@dataclass
class Exemplar:
    """A retrieved past text as drafting uses it: given (cut) to the writer, shown in the 范文 panel, held against
    the draft by the leakage and copy checks."""

    id: str
    doc_id: str
    kind: str  # "document" (a whole past document) or "section" (a section or a passage of one)
    title: str  # the document's title
    source: str  # the document's file
    section_type: str  # "全文" for a whole document
    heading: str  # the section's heading path
    text: str
    score: float  # fused retrieval score: 1 / (RRF_K + rank) summed over the rankings that found it
    genre: str = ""
    unit_type: str = ""
    work: str = ""  # the kind of work the text is about (classify_work), "" when it reads as none
    dense_rank: int | None = None  # rank in the semantic ranking, None when it did not find it
    lexical_rank: int | None = None  # rank in the word (BM25) ranking

    @classmethod
    def from_hit(cls, hit: Hit) -> Exemplar:
        meta = hit.metadata or {}
        return cls(id=hit.id, doc_id=hit.doc_id, kind=hit.kind, title=hit.title, source=hit.source,
                   section_type=hit.section_type, heading=hit.heading, text=hit.text, score=hit.score,
                   genre=meta.get("genre", ""), unit_type=meta.get("unit_type", ""),
                   work=classify_work(hit.text[:400]) or "", dense_rank=hit.dense_rank, lexical_rank=hit.lexical_rank)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Exemplar:
        """Also reads what earlier versions saved: the store's raw hit, with its record metadata."""
        meta = data.get("metadata") or {}
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        values.setdefault("genre", meta.get("genre", ""))
        values.setdefault("unit_type", meta.get("unit_type", ""))
        if "work" not in values:
            values["work"] = classify_work(str(values.get("text", ""))[:400]) or ""
        return cls(**values)

    @property
    def source_name(self) -> str:
        return Path(self.source).name

    @property
    def relevance(self) -> tuple[str, int, str]:
        """A relevance a clerk can read: (高/中/低, 0–100, why). 100 is a hit both the semantic and the word
        ranking put first (the fused score's maximum); why names which of the two found it."""
        dense, lexical = self.dense_rank, self.lexical_rank
        if dense is None and lexical is None:  # a whole document: one ranking only
            rank = round(1 / float(self.score) - RRF_K) if self.score else 3  # score = 1 / (RRF_K + rank)
            value, dense = max(20, 100 - 15 * (rank - 1)), rank
        else:
            value = round(100 * min(1.0, float(self.score or 0) / (2 / (RRF_K + 1))))
        why = []
        if dense is not None and dense <= 5:
            why.append("语义相近")
        if lexical is not None and lexical <= 5:
            why.append("用词相近")
        label = "高" if value >= 70 else "中" if value >= 40 else "低"
        return label, value, "、".join(why) or "排名靠后"


@dataclass
class Retrieval:
    examples: list[Exemplar] = field(default_factory=list)  # document-level, best first
    by_section: dict[str, list[Exemplar]] = field(default_factory=dict)  # outline section key → exemplars
    excluded: list[str] = field(default_factory=list)  # doc ids left out by the user
    pinned: list[str] = field(default_factory=list)  # record ids the user pinned

    def to_dict(self) -> dict:
        return {"examples": [e.to_dict() for e in self.examples],
                "by_section": {k: [e.to_dict() for e in v] for k, v in self.by_section.items()},
                "excluded": self.excluded, "pinned": self.pinned}

    @classmethod
    def of_run(cls, run) -> Retrieval:
        """The retrieval a run saved (empty if it has none yet)."""
        return cls.from_dict(run.load_stage("retrieval"))

    @classmethod
    def from_dict(cls, data: dict | None) -> Retrieval:
        if not data:
            return cls()
        return cls(examples=[Exemplar.from_dict(e) for e in data.get("examples", [])],
                   by_section={k: [Exemplar.from_dict(e) for e in v] for k, v in data.get("by_section", {}).items()},
                   excluded=list(data.get("excluded", [])), pinned=list(data.get("pinned", [])))

    def texts(self) -> list[str]:
        """Every exemplar text (for the leakage and copy checks)."""
        seen, out = set(), []
        for ex in [*self.examples, *(e for found in self.by_section.values() for e in found)]:
            if ex.id not in seen:
                seen.add(ex.id)
                out.append(ex.text)
        return out


def search_exemplars(store: CorpusStore, query: str, k: int, **filters) -> list[Exemplar]:
    """``store.search`` (same arguments) as exemplars."""
    return [Exemplar.from_hit(h) for h in store.search(query, k=k, **filters)]


def facts_query(facts: Facts) -> str:
    parts = [facts.theme or "", facts.genre, facts.unit_type or "", *facts.activities[:3], *facts.achievements[:2]]
    return " ".join(p for p in parts if p)[:400]


def retrieve(store: CorpusStore, facts: Facts, sections: list[tuple[str, str, str]], *, k: int = 3,
             per_section: int = 2, pinned: list[str] = (), excluded: list[str] = ()) -> Retrieval:
    """``sections``: (key, section_type, query text) per planned section. Never raises on an empty store."""
    result = Retrieval(excluded=list(excluded), pinned=list(pinned))
    if store.count() == 0:
        return result
    exclude = list(excluded)
    query = facts_query(facts) or facts.genre
    # Same genre and unit type first, then the same genre, then anything similar.
    examples: list[Exemplar] = []
    for filters in ({"genre": facts.genre, "unit_type": facts.unit_type}, {"genre": facts.genre}, {}):
        if len(examples) >= k or (filters.get("unit_type", "") is None):
            continue
        found = search_exemplars(store, query, k, kind="document", exclude_doc_ids=exclude, **filters)
        examples += [h for h in found if h.id not in {e.id for e in examples}]
    result.examples = examples[:k]
    pinned_hits = [Exemplar.from_hit(h) for h in store.get(list(pinned))] if pinned else []
    for key, section_type, query in sections:
        hits = [h for h in pinned_hits if h.kind == "section" and h.section_type == section_type]
        found = search_exemplars(store, query or section_type, per_section + len(hits), section_type=section_type,
                                 exclude_doc_ids=exclude)
        hits += [h for h in found if h.id not in {p.id for p in hits}]
        result.by_section[key] = hits[:per_section]
    result.examples = [h for h in pinned_hits if h.kind == "document"] + result.examples
    return result


def style_only(text: str) -> str:
    """An exemplar as a model may see it: its sentences that state no figure. Exemplars teach tone and
    structure; a small model handed another unit's figures copies them into the draft (the verifier then
    has to cut them, and the section shrinks). Empty when every sentence states a figure."""
    kept = [s for s in split_sentences(text)
            if not any(n.kind != "ordinal" and (n.unit or n.kind == "date") for n in extract_numbers(s))]
    return "".join(kept).strip()


def exemplar_texts(exemplars: list[Exemplar], budget_tokens: int, max_chars: int) -> list[str]:
    """Exemplar bodies (heading line dropped; sentences that read like instructions to a model, and
    sentences that state figures, removed), each cut to ``max_chars``, fitted to the token budget."""
    texts = []
    for ex in exemplars:
        lines = ex.text.split("\n")
        body = "\n".join(lines[1:] if len(lines) > 1 else lines).strip()
        text = style_only(strip_instructions(body)[0])[:max_chars]
        if text:
            texts.append(text)
    return fit_to_budget(texts, budget_tokens)
