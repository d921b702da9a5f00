"""Shared fixtures: every test gets its own drafter data dir, so no test sees another's store or drafts."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.settings import get_settings

REPO = Path(__file__).resolve().parent.parent
SHARED_CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(autouse=True)
def drafter_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("drafter_home")
    monkeypatch.setenv("DRAFTER_HOME", str(home))
    for var in ("DRAFTER_LLM_BASE_URL", "DRAFTER_LLM_API_KEY", "DRAFTER_CHROMA_URL", "DRAFTER_CHROMA_PATH"):
        monkeypatch.delenv(var, raising=False)
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"{SHARED_CORPUS} not present")
    return SHARED_CORPUS
