"""The corpus pipeline as one call per file: load → clean → split → parse.

``process_file`` is what ingest (ingest.py) calls per file; ``parse_path`` is what the evals (leave-one-out
cases) and the tests use to see a file the way the product does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vectorstore.cleaning import clean_text
from vectorstore.loading import LoadedFile, Loader, Skipped
from vectorstore.structure import ParsedDocument, parse_text


@dataclass
class FileResult:
    path: Path
    encoding: str = ""
    file_hash: str = ""
    documents: list[ParsedDocument] = field(default_factory=list)
    skipped: str | None = None  # the reason, when the file yields nothing


def process_file(path: Path, source: str | None = None, *, loader: Loader | None = None,
                 data: bytes | None = None) -> FileResult:
    """Never raises: a file that cannot be read or yields no document comes back with ``skipped`` set.
    ``loader``: the ingest's (it batches conversions); ``data``: the file's bytes when the caller has read them."""
    loaded = (loader or Loader()).load(path, data)
    if isinstance(loaded, Skipped):
        return FileResult(path, skipped=loaded.reason)
    return process_loaded(loaded, source or str(path))


def process_loaded(loaded: LoadedFile, source: str) -> FileResult:
    result = FileResult(loaded.path, loaded.encoding, loaded.file_hash)
    try:
        cleaned = clean_text(loaded.text)
        docs = parse_text(cleaned, source)
    except Exception as exc:  # keep an ingest going; the reason is reported per file
        result.skipped = f"解析失败（{type(exc).__name__}：{str(exc)[:120]}）"
        return result
    if not docs:
        result.skipped = "清洗后没有正文（可能全是网站模板或广告）"
        return result
    for doc in docs:
        doc.encoding = loaded.encoding
        doc.original = loaded.text
    result.documents = docs
    return result


def parse_path(path: Path | str) -> list[ParsedDocument]:
    """The documents one file yields (empty when it is skipped)."""
    return process_file(Path(path)).documents
