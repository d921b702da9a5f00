"""A leave-one-out case excludes its own document from retrieval however the corpus folder is named: the case's
document id is the one the store gave the same file (the store names sources by absolute path)."""

from __future__ import annotations

import os
from pathlib import Path

from drafter.settings import get_settings
from evals.loo import loo_cases
from vectorstore.store import CorpusStore


def test_loo_doc_ids_are_the_store_ids_for_a_relative_folder(shared_corpus: Path, tmp_path, monkeypatch):
    store = CorpusStore(get_settings())
    store.ingest([shared_corpus])
    stored = {d.doc_id for d in store.documents()}
    monkeypatch.chdir(tmp_path)
    cases = loo_cases(os.path.relpath(shared_corpus, tmp_path))  # as in `drafter eval --loo ../shared/corpus`
    assert cases and all(c.doc_id in stored for c in cases)
