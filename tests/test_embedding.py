"""The embedders of vectorstore/embedding.py: the n-gram default and the llama.cpp (GGUF) embedder compared with it."""

from __future__ import annotations

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import config_to_embedding_function, known_embedding_functions

from drafter.settings import Settings
from vectorstore.embedding import LlamaEmbeddingFunction, NgramEmbeddingFunction, make_embedding_function

PIECE = "开展党员示范岗评选，设立党员先锋岗28个"
SAME_WORK = "设立党员先锋岗，开展岗位建功和示范岗评选活动"
OTHER_WORK = "组织党员与困难群众结对帮扶，逐户走访慰问"


def _cos(a, b) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_ngram_vectors_are_deterministic_unit_length_and_closer_for_the_same_kind_of_work():
    ef = NgramEmbeddingFunction()
    a, b, c = ef([PIECE, SAME_WORK, OTHER_WORK])
    assert len(a) == 512
    assert np.linalg.norm(a) == pytest.approx(1.0, abs=1e-5)
    assert np.array_equal(a, ef([PIECE])[0])
    assert _cos(a, b) > _cos(a, c)


def test_settings_pick_the_ngram_embedder_by_default_and_reject_an_unknown_one():
    assert isinstance(make_embedding_function(Settings()), NgramEmbeddingFunction)
    with pytest.raises(ValueError, match="未知的向量模型"):
        make_embedding_function(Settings(embedder="llama"))


def test_llama_embedder_is_registered_with_chroma_and_loads_no_model_until_used(tmp_path):
    gguf = tmp_path / "m.gguf"  # never read: building and describing the embedder must not load weights
    ef = LlamaEmbeddingFunction(str(gguf), n_ctx=256)
    assert known_embedding_functions["drafter-llama"] is LlamaEmbeddingFunction
    again = config_to_embedding_function({"name": ef.name(), "config": ef.get_config()})
    assert isinstance(again, LlamaEmbeddingFunction)
    assert (again.model_path, again.n_ctx, again._llm) == (str(gguf), 256, None)
    with pytest.raises(ValueError, match="向量模型不能修改"):
        ef.validate_config_update(ef.get_config(), {"model_path": str(tmp_path / "other.gguf")})
    # A collection created with it records it, so the store reopens with the embedder it was built with.
    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    client.create_collection("exemplars", embedding_function=ef)
    reopened = client.get_collection("exemplars").configuration["embedding_function"]
    assert isinstance(reopened, LlamaEmbeddingFunction) and reopened.model_path == str(gguf)


@pytest.mark.model
def test_llama_embedder_on_the_bundled_model_gives_unit_vectors_in_a_chroma_store(tmp_path):
    from drafter.llm.model_file import ensure_model_file

    ef = LlamaEmbeddingFunction(str(ensure_model_file(Settings(local_model="speed"))), n_ctx=256, n_threads=2)
    a, b, c = ef([PIECE, SAME_WORK, OTHER_WORK])
    assert len(a) == 896  # Qwen2.5-0.5B hidden size
    assert np.linalg.norm(a) == pytest.approx(1.0, abs=1e-4)
    assert np.allclose(a, ef([PIECE])[0], atol=1e-4)  # one text per call: a batch does not change a vector
    assert _cos(a, b) > _cos(a, c)
    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    col = client.create_collection("exemplars", embedding_function=ef, configuration={"hnsw": {"space": "cosine"}})
    col.add(ids=["same", "other"], documents=[SAME_WORK, OTHER_WORK])
    assert col.query(query_texts=[PIECE], n_results=1)["ids"][0] == ["same"]
