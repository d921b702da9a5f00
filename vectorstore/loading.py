"""Loading: turn files on disk (.txt, .md, .docx, .doc, .wps, .rtf, .odt, .pdf, .ofd; folders recursively)
into raw text with provenance.

Every file either yields a ``LoadedFile`` (text plus the encoding or reader used) or a ``Skipped`` with a
reason in Chinese that the CLI and the app show as they are. Nothing here cleans or splits text. .doc, .wps,
.rtf and .odt go through LibreOffice (``convert``) to .docx and then the .docx reader; a ``Loader`` told which
files are coming converts them a chunk per soffice run. OFD goes through ``ofd_reader``. Plain-text bytes are
decoded, and extracted text judged, by ``decoding``. A file is read from disk once: the .docx and PDF readers
are handed the bytes already read (and ``Loader.load`` takes bytes a caller has read).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO

from vectorstore.convert import CONVERT_SUFFIXES, Converter, Failed, kind_label, sniff
from vectorstore.decoding import UnreadableFile, decode_text, garbage_reason

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf", ".ofd"} | set(CONVERT_SUFFIXES)
SUPPORTED_LABEL = "txt、md、docx、doc、wps、rtf、odt、pdf、ofd"
MAX_FILE_BYTES = 20 * 1024 * 1024
# A .docx is a zip: what python-docx parses is the unpacked size. A few hundred KB can unpack to gigabytes of
# XML (a "zip bomb"), so the sizes the archive declares are checked before anything is unpacked.
MAX_DOCX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_DOCX_XML_BYTES = 25 * 1024 * 1024

_NOT_VALID = "无法读取：不是有效的{kind}（文件已损坏、不完整，或由其他格式改了扩展名；可用原程序打开后另存再导入）"



@dataclass(frozen=True)
class LoadedFile:
    path: Path
    text: str
    encoding: str  # "utf-8", "gb18030", "big5", "docx", "pdf", ...
    file_hash: str  # sha1 of the raw bytes


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


def file_sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def iter_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Every file below the given paths (folders recursively, sorted, hidden entries skipped)."""
    for p in map(Path, paths):
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                rel = child.relative_to(p)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if child.is_file():
                    yield child
        else:
            yield p


def unsupported_reason(suffix: str) -> str:
    return f"不支持的文件类型“{suffix or '无扩展名'}”（支持 {SUPPORTED_LABEL}）"


def needs_conversion(path: Path) -> bool:
    return path.suffix.lower() in CONVERT_SUFFIXES


def file_format(source: str, encoding: str) -> str:
    """How ``drafter corpus`` names a file's format: "txt（gb18030）", "docx", "doc（LibreOffice 转换）", …"""
    suffix = Path(source).suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return f"{suffix[1:]}（{encoding}）" if encoding else suffix[1:]
    return encoding or suffix[1:] or "-"


def load_path(path: Path) -> LoadedFile | Skipped:
    """Read one file, never raising: problems become a ``Skipped`` with the reason. A legacy word-processor
    file gets a LibreOffice run of its own; ``Loader`` converts many files per run."""
    return Loader().load(path)


class Loader:
    """Loads files; ``expect`` names the legacy word-processor files that will be asked for, in order, so the
    first request converts it and the next ones of them in the same soffice run (``converter.chunk`` per run).
    One ``Loader`` per ingest; it keeps at most a chunk of converted .docx in memory."""

    def __init__(self, expect: Iterable[Path] = (), converter: Converter | None = None) -> None:
        self._expect = [Path(p) for p in expect if needs_conversion(Path(p))]
        self._batched: set[Path] = set()
        self._ready: dict[tuple[Path, str], bytes | Failed] = {}
        self._converter = converter

    @property
    def converter(self) -> Converter:
        if self._converter is None:
            self._converter = Converter()
        return self._converter

    def load(self, path: Path, data: bytes | None = None) -> LoadedFile | Skipped:
        """``data``: the file's bytes when the caller has read them already (ingest reads each file once)."""
        try:
            if data is None and not path.exists():
                return Skipped(path, "文件不存在")
            suffix = path.suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:
                return Skipped(path, unsupported_reason(suffix))
            size = path.stat().st_size if data is None else len(data)
            if size == 0:
                return Skipped(path, "空文件")
            if size > MAX_FILE_BYTES:
                return Skipped(path, f"文件过大（{size / 1048576:.1f} MB，上限 {MAX_FILE_BYTES // 1048576} MB）")
            if data is None:
                data = path.read_bytes()
            digest = file_sha1(data)
            if suffix in TEXT_SUFFIXES:
                text, encoding = decode_text(data)
            elif suffix == ".docx":
                text, encoding = _read_docx_checked(data, _NOT_VALID.format(kind="Word 文档（.docx）")), "docx"
            elif suffix in CONVERT_SUFFIXES:
                text, encoding = self._read_converted(path, data, digest)
            elif suffix == ".ofd":
                text, encoding = read_ofd(path), "ofd"
            else:
                try:
                    text, encoding = read_pdf(BytesIO(data)), "pdf"
                except UnreadableFile:
                    raise
                except Exception as exc:  # pypdf's PdfReadError, PdfStreamError, …
                    raise UnreadableFile(_NOT_VALID.format(kind="PDF 文件")) from exc
            if not text.strip():
                return Skipped(path, "没有可读取的文字")
            return LoadedFile(path, text, encoding, digest)
        except UnreadableFile as exc:
            return Skipped(path, str(exc))
        except Exception as exc:  # a corrupt file of any kind must not stop an ingest
            return Skipped(path, f"无法读取（{type(exc).__name__}：{str(exc)[:120]}）")

    def _read_converted(self, path: Path, data: bytes, digest: str) -> tuple[str, str]:
        """Text and format label of a .doc / .wps / .rtf / .odt, by what its bytes are."""
        suffix = path.suffix.lower()
        kind = sniff(data)
        if kind is None:
            hint = "；也可能是 WPS 2000 以前的旧格式，请用 WPS 打开后另存为 .docx" if suffix == ".wps" else ""
            raise UnreadableFile(_NOT_VALID.format(kind=kind_label(suffix)) + hint)
        actual = "" if _SUFFIX_KIND[suffix] == kind else f"实为 {_KIND_NAME[kind]}"
        if kind == "docx":  # a .docx renamed: no conversion needed
            return _read_docx_checked(data, _NOT_VALID.format(kind=kind_label(suffix))), f"{suffix[1:]}（{actual}）"
        if not self.converter.available:
            raise UnreadableFile(self.converter.missing_reason(suffix))
        converted = self._converted(path, digest, kind, data)
        if isinstance(converted, Failed):
            raise UnreadableFile(f"无法读取{kind_label(suffix)}：{converted.reason}")
        from vectorstore.docx_reader import read_docx

        text = read_docx(BytesIO(converted))
        problem = garbage_reason(text, kind=kind_label(suffix))
        if problem:
            raise UnreadableFile(problem)
        return text, f"{suffix[1:]}（{actual + '，' if actual else ''}LibreOffice 转换）"

    def _converted(self, path: Path, digest: str, kind: str, data: bytes) -> bytes | Failed:
        key = (path, digest)
        if key not in self._ready:
            batch: list[tuple[Path, str, str, bytes]] = [(path, digest, kind, data)]
            self._batched.add(path)
            for other in self._expect:
                if len(batch) >= self.converter.chunk:
                    break
                if other in self._batched:
                    continue
                self._batched.add(other)
                item = _convertible(other)
                if item is not None:
                    batch.append((other, *item))
            results = self.converter.convert([(k, d) for _p, _h, k, d in batch])
            for (p, h, _k, _d), result in zip(batch, results, strict=True):
                self._ready[(p, h)] = result
        return self._ready.pop(key)


_SUFFIX_KIND = {".doc": "ole", ".wps": "ole", ".rtf": "rtf", ".odt": "odt"}
_KIND_NAME = {"ole": "Word 97-2003 格式", "rtf": "RTF", "odt": "ODT", "docx": "docx"}


def _convertible(path: Path) -> tuple[str, str, bytes] | None:
    """(sha1, kind, bytes) of a file worth a place in a conversion run, or None."""
    try:
        if not 0 < path.stat().st_size <= MAX_FILE_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    kind = sniff(data)
    if kind not in _INPUT_KINDS:
        return None
    return file_sha1(data), kind, data


_INPUT_KINDS = {"ole", "rtf", "odt"}


def _read_docx_checked(data: bytes, invalid: str) -> str:
    from vectorstore.docx_reader import read_docx

    check_docx_size(BytesIO(data))
    try:
        return read_docx(BytesIO(data))
    except Exception as exc:  # not a zip, no document part, broken XML: all the same to the clerk
        raise UnreadableFile(invalid) from exc


def read_ofd(path: Path) -> str:
    """Text of an OFD, page by page, with the same garbage detection as PDF."""
    from vectorstore.ofd_reader import OFDUnavailable, read_ofd_pages

    try:
        pages = read_ofd_pages(path)
    except OFDUnavailable as exc:
        raise UnreadableFile(str(exc)) from exc
    except Exception as exc:
        if type(exc).__name__ == "OFDLimitError":
            raise UnreadableFile("OFD 文件的某个部分过大或部件过多，可能是损坏或恶意构造的文件") from exc
        raise UnreadableFile(_NOT_VALID.format(kind="OFD 文件")) from exc
    text = "\n".join(pages)
    if not text.strip():
        raise UnreadableFile(f"OFD 共 {len(pages)} 页，没有可提取的文字（可能是扫描件，需要先做文字识别）")
    problem = garbage_reason(text, empty_pages=sum(1 for p in pages if not p.strip()), pages=len(pages), kind="OFD")
    if problem:
        raise UnreadableFile(problem)
    return text


def file_digest(path: Path) -> str | None:
    """sha1 of a file's bytes, or None when it cannot be read."""
    try:
        return file_sha1(path.read_bytes())
    except OSError:
        return None


def check_docx_size(source: Path | IO[bytes]) -> None:
    """Refuse a .docx whose parts would unpack to more than the limits (raises ``UnreadableFile``)."""
    import zipfile

    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        return  # not a zip at all: python-docx says so in its own words
    total = sum(m.file_size for m in members)
    xml = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
    if total > MAX_DOCX_UNPACKED_BYTES or xml > MAX_DOCX_XML_BYTES:
        raise UnreadableFile(f"Word 文件解压后过大（{total / 1048576:.0f} MB，其中文字部分 {xml / 1048576:.0f} MB；"
                             f"上限 {MAX_DOCX_UNPACKED_BYTES // 1048576} MB / {MAX_DOCX_XML_BYTES // 1048576} MB），"
                             "可能是损坏或恶意构造的文件")


def read_pdf(source: Path | IO[bytes]) -> str:
    """Text of a PDF page by page; extraction garbage makes the whole file unreadable rather than indexed."""
    from pypdf import PdfReader

    reader = PdfReader(str(source) if isinstance(source, Path) else source)
    if reader.is_encrypted:
        try:
            if not reader.decrypt(""):
                raise UnreadableFile("PDF 已加密，无法读取")
        except Exception as exc:
            raise UnreadableFile("PDF 已加密，无法读取") from exc
    pages = [(page.extract_text() or "") for page in reader.pages]
    text = "\n".join(pages)
    if not text.strip():
        raise UnreadableFile(f"PDF 共 {len(pages)} 页，没有可提取的文字（可能是扫描件，需要先做文字识别）")
    problem = garbage_reason(text, empty_pages=sum(1 for p in pages if not p.strip()), pages=len(pages))
    if problem:
        raise UnreadableFile(problem)
    return text
