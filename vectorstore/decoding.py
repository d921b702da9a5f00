"""Text from bytes, and whether extracted text can be trusted.

``decode_text`` decodes a plain-text file: strict UTF-8 (BOM or not), line by line when only some lines are
UTF-8, GB18030 or Big5 (whichever reads more like Chinese), then a detector. ``garbage_reason`` says why text
extracted from a PDF, an OFD or a converted document is garbage. Both raise or return reasons in Chinese, as
``UnreadableFile``'s message, which the CLI and the app show as they are.
"""

from __future__ import annotations

import re

# Share of CJK characters a decoded text needs before we believe a legacy-encoding guess.
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PDF_CID = re.compile(r"\(cid:\d+\)")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")


class UnreadableFile(Exception):
    """A file whose content cannot be turned into trustworthy text; the message is the user-facing reason."""


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


def garbage_reason(text: str, *, empty_pages: int = 0, pages: int = 1, kind: str = "PDF") -> str | None:
    """Why extracted text is garbage (CID codes, replacement or private-use characters, mostly empty pages),
    or None. ``kind`` names the format in the reason (PDF, OFD, …)."""
    visible = [ch for ch in text if not ch.isspace()]
    if not visible:
        return "没有可提取的文字"
    cid = len(_PDF_CID.findall(text))
    if cid >= 5 and cid * 6 > 0.2 * len(visible):
        return f"{kind} 文字提取失败：出现 {cid} 处 (cid:…) 乱码（字体未嵌入编码表）"
    bad = text.count("\ufffd")
    if bad > 0.05 * len(visible):
        return f"文字提取失败：{bad} 个无法识别的字符（�）"
    private = len(_PRIVATE_USE.findall(text))
    if private >= 5 and private > 0.05 * len(visible):
        return f"{kind} 文字提取失败：{private} 个私用区字符（字体编码没有对应到汉字，提取出的是乱码）"
    if pages >= 2 and empty_pages > pages / 2:
        return f"{pages} 页中有 {empty_pages} 页没有文字（可能是扫描件）"
    return None
