"""The clients a draft needs — corpus store, drafting model, rewrite model — built once, on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drafter.settings import Settings

if TYPE_CHECKING:
    from drafter.llm import ChatModel
    from vectorstore.store import CorpusStore


class Clients:
    """Holds what it was given (tests pass a MockModel or a temp store) and builds the rest lazily."""

    def __init__(self, settings: Settings, *, store: CorpusStore | None = None, model: ChatModel | None = None,
                 rewrite_model: ChatModel | None = None) -> None:
        self.settings = settings
        self._store, self._model, self._rewrite_model = store, model, rewrite_model

    @property
    def store(self) -> CorpusStore:
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

    @model.setter
    def model(self, model: ChatModel) -> None:
        self._model = model

    @property
    def rewrite_model(self) -> ChatModel:
        """The model regenerate uses: its own setting if given, else the drafting model."""
        if self._rewrite_model is None:
            if self._model is not None and not self.settings.llm_rewrite_model:
                self._rewrite_model = self._model
            else:
                from drafter.llm import get_model

                self._rewrite_model = get_model("rewrite", self.settings)
        return self._rewrite_model
