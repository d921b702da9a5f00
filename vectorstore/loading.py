"""Loading: turn files on disk (.txt, .md, .docx, .pdf; folders recursively) into raw text with provenance.

Every file either yields a ``LoadedFile`` (text plus the encoding or reader used) or a ``Skipped`` with a
reason in Chinese that the CLI and the app show as they are. Nothing here cleans or splits text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"}
MAX_FILE_BYTES = 20 * 1024 * 1024
# A .docx is a zip: what python-docx parses is the unpacked size. A few hundred KB can unpack to gigabytes of
# XML (a "zip bomb"), so the sizes the archive declares are checked before anything is unpacked.
MAX_DOCX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_DOCX_XML_BYTES = 25 * 1024 * 1024

_NOT_VALID = "无法读取：不是有效的{kind}（文件已损坏、不完整，或由其他格式改了扩展名；可用原程序打开后另存再导入）"

# Share of CJK characters a decoded text needs before we believe a legacy-encoding guess.
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PDF_CID = re.compile(r"\(cid:\d+\)")


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


class UnreadableFile(Exception):
    """A file whose content cannot be turned into trustworthy text; the message is the user-facing reason."""


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


def load_path(path: Path) -> LoadedFile | Skipped:
    """Read one file, never raising: problems become a ``Skipped`` with the reason."""
    try:
        if not path.exists():
            return Skipped(path, "文件不存在")
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            return Skipped(path, f"不支持的文件类型“{suffix or '无扩展名'}”（支持 txt、md、docx、pdf）")
        size = path.stat().st_size
        if size == 0:
            return Skipped(path, "空文件")
        if size > MAX_FILE_BYTES:
            return Skipped(path, f"文件过大（{size / 1048576:.1f} MB，上限 {MAX_FILE_BYTES // 1048576} MB）")
        data = path.read_bytes()
        digest = file_sha1(data)
        if suffix in TEXT_SUFFIXES:
            text, encoding = decode_text(data)
        elif suffix == ".docx":
            from vectorstore.docx_reader import read_docx

            check_docx_size(path)
            try:
                text, encoding = read_docx(path), "docx"
            except Exception as exc:  # not a zip, no document part, broken XML: all the same to the clerk
                raise UnreadableFile(_NOT_VALID.format(kind="Word 文档（.docx）")) from exc
        else:
            try:
                text, encoding = read_pdf(path), "pdf"
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


def check_docx_size(path: Path) -> None:
    """Refuse a .docx whose parts would unpack to more than the limits (raises ``UnreadableFile``)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        return  # not a zip at all: python-docx says so in its own words
    total = sum(m.file_size for m in members)
    xml = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
    if total > MAX_DOCX_UNPACKED_BYTES or xml > MAX_DOCX_XML_BYTES:
        raise UnreadableFile(f"Word 文件解压后过大（{total / 1048576:.0f} MB，其中文字部分 {xml / 1048576:.0f} MB；"
                             f"上限 {MAX_DOCX_UNPACKED_BYTES // 1048576} MB / {MAX_DOCX_XML_BYTES // 1048576} MB），"
                             "可能是损坏或恶意构造的文件")


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of a text file: strict UTF-8 (BOM or not), then line by line when only some lines are
    UTF-8 (files pasted together from different systems, or a damaged byte), then GB18030, then Big5, then a
    detector."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return _text_only(data.decode("utf-32")), "utf-32"
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile("二进制文件，不是文本")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _text_only(data.decode("utf-16")), "utf-16"
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _decode_lines(body)
    if mixed is not None:
        return mixed
    legacy = _best_legacy(data)
    if legacy is not None and legacy[0] >= 0.2:
        return legacy[2], legacy[1]
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableFile("无法识别文本编码（可能是二进制文件）")
    return str(best), best.encoding


def _text_only(text: str) -> str:
    if "\x00" in text:
        raise UnreadableFile("二进制文件，不是文本")
    return text


def _best_legacy(data: bytes) -> tuple[float, str, str] | None:
    """(plausibility, encoding, text) of the best strict GB18030 / Big5 decoding, or None."""
    candidates: list[tuple[float, str, str]] = []
    for enc in ("gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_plausibility(text), enc, text))
    return max(candidates) if candidates else None


_DAMAGED = "utf-8（有损坏字节）"


def _decode_lines(data: bytes) -> tuple[str, str] | None:
    """Line-by-line decoding for a file in which some Chinese lines are valid UTF-8 and others are not: the
    others are a legacy encoding (a GBK part pasted in) or UTF-8 with a damaged byte. None when no line with
    Chinese text is UTF-8 (a legacy-encoded file) or when too much stays undecodable."""
    lines = data.split(b"\n")
    decoded: list[str | UnicodeDecodeError] = []
    for raw in lines:
        try:
            decoded.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            decoded.append(exc)
    if not any(isinstance(line, str) and _CJK.search(line) for line in decoded):
        return None
    used = {"utf-8"}
    for n, line in enumerate(decoded):
        if isinstance(line, UnicodeDecodeError):
            decoded[n], enc = _decode_bad_line(lines[n], line, last=n == len(lines) - 1)
            used.add(enc)
    text = "\n".join(decoded)  # type: ignore[arg-type]  # every error was replaced above
    if text.count("\ufffd") > 0.05 * max(1, len(text)):
        return None
    if _DAMAGED in used:
        used.discard("utf-8")
    return text, "+".join(sorted(used, key=lambda e: (not e.startswith("utf-8"), e)))


def _decode_bad_line(raw: bytes, exc: UnicodeDecodeError, *, last: bool) -> tuple[str, str]:
    """One line that is not valid UTF-8: damaged UTF-8, a legacy encoding, or UTF-8 followed by a legacy
    encoding (two files pasted together without a line break) — whichever reads most like Chinese."""
    head = raw[: exc.start].decode("utf-8")
    if last and exc.reason == "unexpected end of data":
        return head, _DAMAGED  # the file was cut in the middle of its last character
    lossy = raw.decode("utf-8", errors="replace")
    options: list[tuple[float, str, str]] = [(_plausibility(lossy), _DAMAGED, lossy)]
    whole = _best_legacy(raw)
    if whole is not None:
        options.append(whole)
    tail = _best_legacy(raw[exc.start:]) if exc.start else None
    if tail is not None:
        options.append((_plausibility(head + tail[2]), tail[1], head + tail[2]))
    _score, enc, text = max(options)
    return text, enc


def _plausibility(text: str) -> float:
    """How much a decoded text looks like Chinese prose: CJK share, penalised by rare/private-use characters."""
    if not text:
        return 0.0
    cjk = len(_CJK.findall(text))
    weird = sum(1 for ch in text if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd")
    # GB18030 happily decodes Big5 bytes into rare characters; common-character share separates them.
    common = sum(1 for ch in text if ch in _COMMON_CHARS)
    return (cjk + 3 * common) / max(1, len(text)) - 5 * weird / max(1, len(text))


_COMMON_CHARS = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性"
    "好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第"
    "向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管"
    "特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处"
    "理世车领導黨這個們說國會為與發來時過後對開還經關"
)


def read_pdf(path: Path) -> str:
    """Text of a PDF page by page; extraction garbage makes the whole file unreadable rather than indexed."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
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


def garbage_reason(text: str, *, empty_pages: int = 0, pages: int = 1) -> str | None:
    """Why extracted text is garbage (CID codes, replacement characters, mostly empty pages), or None."""
    visible = [ch for ch in text if not ch.isspace()]
    if not visible:
        return "没有可提取的文字"
    cid = len(_PDF_CID.findall(text))
    if cid >= 5 and cid * 6 > 0.2 * len(visible):
        return f"PDF 文字提取失败：出现 {cid} 处 (cid:…) 乱码（字体未嵌入编码表）"
    bad = text.count("\ufffd")
    if bad > 0.05 * len(visible):
        return f"文字提取失败：{bad} 个无法识别的字符（�）"
    if pages >= 2 and empty_pages > pages / 2:
        return f"{pages} 页中有 {empty_pages} 页没有文字（可能是扫描件）"
    return None
