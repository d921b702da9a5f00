"""drafter in langchain: the corpus as a retriever, the drafting pipeline as a Runnable.

:class:`DrafterRetriever` is a langchain-core ``BaseRetriever`` over the corpus store
(:meth:`vectorstore.store.CorpusStore.search`, with the same filters: section type, genre, unit type, excluded
documents and sources, ``k``, the ranking mode). It returns ``Document`` objects whose ``page_content`` is the
passage and whose ``metadata`` carries the hit's fields (id, doc_id, title, source, section_type, heading,
score, ranks) and what the store recorded about the document (genre, unit type, year …), so a team can use its
own corpus in its own chains. Filters set on the retriever can be overridden per call:
``retriever.invoke("党员教育", section_type="主要做法", k=2)``.

:class:`DraftingRunnable` is the whole pipeline (retrieve → plan → write, verify, repair → export) as a
``Runnable``: ``invoke(facts)`` returns the finished :class:`~drafter.run.Run`; ``stream(facts)`` yields the
engine's :class:`~drafter.engine.Event` objects as they happen, the first of kind ``run`` (``data['run_dir']``).
Facts are a :class:`~drafter.facts.Facts` or a dict in the facts-file format.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import ConfigDict, Field

from drafter.engine import DraftEngine, Event
from drafter.facts import Facts, validate_facts
from drafter.run import Run

FILTERS = ("k", "kind", "section_type", "genre", "unit_type", "exclude_doc_ids", "exclude_sources", "mode", "fetch_k")


def hit_document(hit: Any) -> Document:
    """A store hit as a langchain Document: the passage as content, every other field as metadata."""
    fields = dataclasses.asdict(hit)
    extra = fields.pop("metadata", None) or {}
    text = fields.pop("text")
    metadata = {**extra, **{key: value for key, value in fields.items() if value is not None}}
    return Document(page_content=text, metadata=metadata, id=str(fields.get("id") or "") or None)


class DrafterRetriever(BaseRetriever):
    """Passages of the corpus store most like the query, with the store's filters.

    ``store`` is a :class:`vectorstore.store.CorpusStore` (default: the one the settings name). ``kind`` is
    "section" (passages, hybrid dense + BM25 ranking by default) or "document" (whole documents);
    ``section_type="auto"`` filters on the section type the query reads as.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any = None
    k: int = 4
    kind: str = "section"
    section_type: str | None = None
    genre: str | None = None
    unit_type: str | None = None
    exclude_doc_ids: list[str] = Field(default_factory=list)
    exclude_sources: list[str] = Field(default_factory=list)
    mode: str = "hybrid"
    fetch_k: int | None = None  # candidates each ranking takes before fusion (None: the store's default)

    def model_post_init(self, context: Any, /) -> None:
        if self.store is None:
            from vectorstore.store import CorpusStore

            self.store = CorpusStore()

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **overrides: Any
    ) -> list[Document]:
        unknown = sorted(set(overrides) - set(FILTERS))
        if unknown:
            raise TypeError(f"unknown retriever option(s): {', '.join(unknown)}; expected some of {FILTERS}")
        options = {name: getattr(self, name) for name in FILTERS} | overrides
        k = options.pop("k")
        hits = self.store.search(query, k, **options)
        return [hit_document(hit) for hit in hits]


def as_facts(value: Facts | Mapping[str, Any]) -> Facts:
    return value if isinstance(value, Facts) else validate_facts(dict(value))


class DraftingRunnable(Runnable[Facts | Mapping[str, Any], Run]):
    """facts → finished draft. ``invoke`` returns the Run; ``stream`` yields the engine's events.

    ``engine`` defaults to a :class:`~drafter.engine.DraftEngine` on the settings (the embedded local model or
    the configured endpoint, the configured corpus). ``pinned`` / ``excluded``: record ids to use as exemplars
    and document ids to leave out, as in the web app.
    """

    def __init__(self, engine: DraftEngine | None = None, *, pinned: list[str] = (),
                 excluded: list[str] = ()) -> None:
        self.engine = engine or DraftEngine()
        self.pinned, self.excluded = list(pinned), list(excluded)

    @property
    def InputType(self) -> type:
        return Facts

    @property
    def OutputType(self) -> type:
        return Run

    def _draft(self, value: Facts | Mapping[str, Any]) -> Run:
        return self.engine.draft(as_facts(value), pinned=self.pinned, excluded=self.excluded)

    def _events(self, inputs: Iterator[Facts | Mapping[str, Any]]) -> Iterator[Event]:
        for value in inputs:
            yield from self.engine.stream(as_facts(value), pinned=self.pinned, excluded=self.excluded)

    def invoke(self, input: Facts | Mapping[str, Any], config: RunnableConfig | None = None,
               **kwargs: Any) -> Run:
        return self._call_with_config(self._draft, input, config, run_type="chain")

    def stream(self, input: Facts | Mapping[str, Any], config: RunnableConfig | None = None,
               **kwargs: Any) -> Iterator[Event]:  # type: ignore[override] - events, not pieces of a Run
        yield from self._transform_stream_with_config(iter([input]), self._events, config, run_type="chain")
