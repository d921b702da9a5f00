"""Embedding functions registered with Chroma, so a collection reopens with the embedder it was built with.

- ``ngram`` (default): an offline, Chinese-aware embedder with no model weights — character 1/2/3-grams with
  sublinear counts, feature-hashed (signed) into a fixed dense vector and L2-normalised. Chinese has no spaces;
  character n-grams are the classic way to match it without a segmenter, and this needs no download.
- ``LlamaEmbeddingFunction`` (no setting; measured by ``bench/bench_embedders.py``): a local GGUF model's own
  hidden states, mean-pooled and L2-normalised, in process through llama-cpp-python — offline, no download, but
  a decoder LM not trained for retrieval and about a thousand times slower to ingest than ``ngram``.
- ``openai``: any OpenAI-compatible embeddings endpoint (e.g. bge-m3 behind vLLM or Ollama), through Chroma's
  own ``OpenAIEmbeddingFunction``; the key is read from an environment variable and never persisted.

Chroma's default embedding function is never used: it downloads an English-only model.
"""

from __future__ import annotations

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(1_000_003)
# Characters too common in official prose to say anything about a topic on their own.
_STOP_CHARS = set("的了和是在与及对为以把将从等并也要有这其之于各中上下个们而或被所")


@register_embedding_function
class NgramEmbeddingFunction(EmbeddingFunction[Documents]):
    """Hashed character n-gram vectors: deterministic, offline, fast (numpy), Chinese-aware."""

    def __init__(self, dim: int = 512, orders: tuple[int, ...] = (1, 2, 3),
                 weights: tuple[float, ...] = (0.25, 1.0, 0.6)) -> None:
        if dim & (dim - 1):
            raise ValueError("dim must be a power of two")
        self.dim = int(dim)
        self.orders = tuple(int(o) for o in orders)
        self.weights = tuple(float(w) for w in weights)
        self._shift = np.uint64(64 - self.dim.bit_length() + 1)
        self._stop = np.array(sorted(ord(c) for c in _STOP_CHARS), dtype=np.uint64)

    def __call__(self, input: Documents) -> Embeddings:
        return [self.embed_one(text) for text in input]

    def embed_query(self, input: Documents) -> Embeddings:
        return self(input)

    def embed_one(self, text: str) -> np.ndarray:
        codes = np.frombuffer("".join(text.split()).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        vec = np.zeros(self.dim, dtype=np.float64)
        for order, weight in zip(self.orders, self.weights, strict=True):
            if len(codes) < order:
                continue
            keys = codes[: len(codes) - order + 1].copy()
            for j in range(1, order):
                keys = keys * _MIX + codes[j : len(codes) - order + 1 + j]
            if order == 1:
                keys = keys[~np.isin(keys, self._stop)]
            if not len(keys):
                continue
            uniq, counts = np.unique(keys + np.uint64(order), return_counts=True)
            hashed = uniq * _GOLDEN
            buckets = (hashed >> self._shift).astype(np.int64)
            signs = np.where((hashed >> np.uint64(20)) & np.uint64(1), 1.0, -1.0)
            vec += np.bincount(buckets, weights=signs * weight * (1.0 + np.log(counts)), minlength=self.dim)
        norm = np.linalg.norm(vec)
        return (vec / norm if norm else vec).astype(np.float32)

    @staticmethod
    def name() -> str:
        return "drafter-ngram"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict:
        return {"dim": self.dim, "orders": list(self.orders), "weights": list(self.weights)}

    @staticmethod
    def build_from_config(config: dict) -> NgramEmbeddingFunction:
        return NgramEmbeddingFunction(
            dim=config.get("dim", 512),
            orders=tuple(config.get("orders", (1, 2, 3))),
            weights=tuple(config.get("weights", (0.25, 1.0, 0.6))),
        )

    def validate_config_update(self, old_config: dict, new_config: dict) -> None:
        if old_config.get("dim") != new_config.get("dim"):
            raise ValueError("向量维度不能修改；请用新的集合重建语料库")


@register_embedding_function
class LlamaEmbeddingFunction(EmbeddingFunction[Documents]):
    """A GGUF model's mean-pooled hidden states (llama-cpp-python, in process); the model loads on first use."""

    def __init__(self, model_path: str, n_ctx: int = 1024, n_threads: int | None = None) -> None:
        self.model_path = str(model_path)
        self.n_ctx = int(n_ctx)
        self.n_threads = n_threads
        self._llm = None

    def _model(self):
        if self._llm is None:
            from llama_cpp import LLAMA_POOLING_TYPE_MEAN, Llama

            # One sequence per ubatch at most n_ctx tokens; longer texts are truncated (the section's opening).
            self._llm = Llama(model_path=self.model_path, embedding=True, pooling_type=LLAMA_POOLING_TYPE_MEAN,
                              n_ctx=self.n_ctx, n_batch=self.n_ctx, n_ubatch=self.n_ctx,
                              n_threads=self.n_threads, n_threads_batch=self.n_threads, verbose=False)
        return self._llm

    def __call__(self, input: Documents) -> Embeddings:
        llm = self._model()
        # One text per call: each text gets the whole context, and its vector never depends on its batch-mates
        # (on CPU the cost is per token either way).
        return [np.asarray(llm.embed(text or " ", normalize=True, truncate=True), dtype=np.float32)
                for text in input]

    def embed_query(self, input: Documents) -> Embeddings:
        return self(input)

    @staticmethod
    def name() -> str:
        return "drafter-llama"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx}

    @staticmethod
    def build_from_config(config: dict) -> LlamaEmbeddingFunction:
        return LlamaEmbeddingFunction(model_path=config["model_path"], n_ctx=config.get("n_ctx", 1024))

    def validate_config_update(self, old_config: dict, new_config: dict) -> None:
        if old_config.get("model_path") != new_config.get("model_path"):
            raise ValueError("向量模型不能修改；请用新的集合重建语料库")


def make_embedding_function(settings) -> EmbeddingFunction:
    """The embedder named by ``settings.embedder``: ``ngram`` (offline default) or ``openai``."""
    if settings.embedder == "ngram":
        return NgramEmbeddingFunction()
    if settings.embedder == "openai":
        import os

        from chromadb.utils.embedding_functions import OpenAIEmbeddingFunction

        if not settings.embedding_base_url:
            raise ValueError("使用 openai 向量服务时需要设置 DRAFTER_EMBEDDING_BASE_URL（如 http://127.0.0.1:8000/v1）")
        env_var = "DRAFTER_EMBEDDING_API_KEY"
        if settings.embedding_api_key is not None:
            os.environ.setdefault(env_var, settings.embedding_api_key.get_secret_value())
        else:
            os.environ.setdefault(env_var, "not-needed")
        return OpenAIEmbeddingFunction(
            api_key_env_var=env_var, model_name=settings.embedding_model, api_base=settings.embedding_base_url
        )
    raise ValueError(f"未知的向量模型“{settings.embedder}”：可选 ngram 或 openai")
