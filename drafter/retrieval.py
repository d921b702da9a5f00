"""Stage 1 — retrieve: similar past documents for the facts, and per planned section exemplars of its type.

Exemplars teach style and structure only; the writing prompt says so, and the leakage check holds the
draft to it. A user may pin a record (always used) or exclude one (never used, nor anything else of its
document).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from drafter.facts import Facts
from drafter.llm.tokens import fit_to_budget
from drafter.zh.instructions import strip_instructions
from drafter.zh.numbers import extract_numbers
from drafter.zh.sentences import split_sentences
from vectorstore.store import CorpusStore, Hit


@dataclass
class Retrieval:
    examples: list[Hit] = field(default_factory=list)  # document-level, best first
    by_section: dict[str, list[Hit]] = field(default_factory=dict)  # outline section key → exemplars
    excluded: list[str] = field(default_factory=list)  # doc ids left out by the user
    pinned: list[str] = field(default_factory=list)  # record ids the user pinned

    def to_dict(self) -> dict:
        return {"examples": [asdict(h) for h in self.examples],
                "by_section": {k: [asdict(h) for h in v] for k, v in self.by_section.items()},
                "excluded": self.excluded, "pinned": self.pinned}

    @classmethod
    def from_dict(cls, data: dict | None) -> Retrieval:
        if not data:
            return cls()
        return cls(examples=[Hit(**h) for h in data.get("examples", [])],
                   by_section={k: [Hit(**h) for h in v] for k, v in data.get("by_section", {}).items()},
                   excluded=list(data.get("excluded", [])), pinned=list(data.get("pinned", [])))

    def texts(self) -> list[str]:
        """Every exemplar text (for the leakage and copy checks)."""
        seen, out = set(), []
        for hit in [*self.examples, *(h for hits in self.by_section.values() for h in hits)]:
            if hit.id not in seen:
                seen.add(hit.id)
                out.append(hit.text)
        return out


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
    examples: list[Hit] = []
    for filters in ({"genre": facts.genre, "unit_type": facts.unit_type}, {"genre": facts.genre}, {}):
        if len(examples) >= k or (filters.get("unit_type", "") is None):
            continue
        found = store.search(query, k=k, kind="document", exclude_doc_ids=exclude, **filters)
        examples += [h for h in found if h.id not in {e.id for e in examples}]
    result.examples = examples[:k]
    pinned_hits = store.get(list(pinned)) if pinned else []
    for key, section_type, query in sections:
        hits = [h for h in pinned_hits if h.kind == "section" and h.section_type == section_type]
        found = store.search(query or section_type, k=per_section + len(hits), section_type=section_type,
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


def exemplar_texts(hits: list[Hit], budget_tokens: int, max_chars: int) -> list[str]:
    """Exemplar bodies (heading line dropped; sentences that read like instructions to a model, and
    sentences that state figures, removed), each cut to ``max_chars``, fitted to the token budget."""
    texts = []
    for hit in hits:
        lines = hit.text.split("\n")
        body = "\n".join(lines[1:] if len(lines) > 1 else lines).strip()
        text = style_only(strip_instructions(body)[0])[:max_chars]
        if text:
            texts.append(text)
    return fit_to_budget(texts, budget_tokens)
