"""Corpus tab logic: keep uploaded files under ``<home>/uploads``, ingest them with progress, list, remove and
rebuild (the shipped demo corpus plus every upload). Uploads are copied out of Gradio's temp dir so a file's
source in the store stays stable and a rebuild can read it again."""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from drafter.settings import Settings
from vectorstore.loading import SUPPORTED_SUFFIXES, unsupported_reason

Progress = Callable[[int, int, str], None]
UPLOAD_TYPES = sorted(SUPPORTED_SUFFIXES)  # what the upload widget offers: every type ingest reads
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*]')
MAX_NAME_CHARS, MAX_NAME_BYTES = 120, 200


def upload_dir(settings: Settings) -> Path:
    return settings.home / "uploads"


def safe_name(name: str) -> str:
    """A file name safe to create in the uploads dir: path parts, control/reserved characters and invisible
    format characters (such as a right-to-left override) removed; at most 120 characters and 200 bytes (file
    systems allow 255), cut in the stem so the extension — what decides whether the file can be read — stays."""
    base = _UNSAFE.sub("_", Path(str(name).replace("\\", "/")).name)
    base = "".join(ch for ch in base if unicodedata.category(ch) != "Cf").rstrip(". ")
    suffix = Path("upload" + base).suffix if base.startswith(".") else Path(base).suffix  # ".DOC": all suffix
    suffix = suffix if len(suffix) <= 10 else ""
    stem = (base[: len(base) - len(suffix)] if suffix else base).strip(". ")
    if not stem and not suffix:
        return "upload.txt"
    stem = stem or "upload"
    while stem and (len(stem) + len(suffix) > MAX_NAME_CHARS or len((stem + suffix).encode()) > MAX_NAME_BYTES):
        stem = stem[:-1]
    return (stem.rstrip(". ") or "upload") + suffix


@dataclass
class UploadResult:
    saved: list[Path] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file name, Chinese reason)


def save_uploads(settings: Settings, files: Iterable[str | Path], original_names: Iterable[str] | None = None
                 ) -> UploadResult:
    """Copy uploaded temp files into the uploads dir under their original names (same name → replaced)."""
    result = UploadResult()
    target_dir = upload_dir(settings)
    files = list(files)
    names = list(original_names) if original_names is not None else [Path(f).name for f in files]
    for path, name in zip(files, names, strict=True):
        name = safe_name(name)
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            result.rejected.append((name, unsupported_reason(suffix)))
            continue
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / name
        shutil.copyfile(path, target)
        result.saved.append(target)
    return result


def ingest(store, paths: list[Path], progress: Progress | None = None) -> str:
    """Ingest files; the Chinese summary line(s) of the report."""
    if not paths:
        return "没有可导入的文件。"
    return store.ingest(paths, progress=progress).summary()


def upload_and_ingest(settings: Settings, store, files: Iterable[str | Path], original_names=None,
                      progress: Progress | None = None) -> str:
    result = save_uploads(settings, files, original_names)
    lines = [f"跳过 {name}：{reason}" for name, reason in result.rejected]
    if result.saved:
        lines.insert(0, ingest(store, result.saved, progress))
    return "\n".join(lines) or "请先选择要上传的文件。"


def document_sources(store) -> list[tuple[str, str]]:
    """(label, source) for the remove picker, one per source file."""
    seen: dict[str, str] = {}
    for d in store.documents():
        name = Path(d.source).name
        seen.setdefault(d.source, f"{name}（{d.title[:30]}）" if d.title else name)
    return [(label, source) for source, label in seen.items()]


def remove(settings: Settings, store, source: str) -> str:
    """Remove a source file's documents (and the uploaded copy, if it is one of ours)."""
    if not source:
        return "请先选择要删除的文档。"
    removed = store.remove(source)
    path = Path(source)
    uploads = upload_dir(settings).resolve()
    if path.parent.resolve() == uploads and path.is_file():
        path.unlink()
    if not removed:
        return f"语料库中没有“{path.name}”。"
    return f"已删除“{path.name}”。"


def rebuild(settings: Settings, store, demo_files: list[Path], progress: Progress | None = None) -> str:
    """Drop the store and ingest the demo corpus plus every uploaded file again."""
    store.reset()
    uploads = sorted(p for p in upload_dir(settings).glob("*") if p.is_file()) if upload_dir(settings).is_dir() else []
    summary = ingest(store, [*demo_files, *uploads], progress)
    return f"已重建语料库（内置示例 {len(demo_files)} 个文件、上传 {len(uploads)} 个文件）。\n{summary}"
