"""Reading OFD (GB/T 33190, the fixed-layout format many government systems issue) with ``ofdkit``.

ofdkit puts the page's text in reading order, one printed line a line. A fixed layout wraps every paragraph at
the right margin (28 characters a line in GB/T 9704), so lines are joined back into paragraphs here, where the
positions are known: a line that reaches the right edge of the text block continues on the next line when that
one starts at the left margin (a new paragraph or a heading is indented). GB/T 9704 page numbers ("— 3 —") are
dropped, so a paragraph runs on across a page break. The caller applies the same garbage detection as for PDF.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

_PAGE_NUMBER = re.compile(r"^\s*[—－\-–]\s*\d{1,4}\s*[—－\-–]\s*$")


class OFDUnavailable(Exception):
    """``ofdkit`` is not installed; the message is the user-facing reason."""


def read_ofd_pages(path: Path) -> list[str]:
    """The text of each page, wrapped lines joined. Raises ``OFDUnavailable``, or ``ofdkit.OFDError`` for a file
    that is not a readable OFD (``OFDLimitError`` when a part is too large or there are too many parts)."""
    try:
        import ofdkit
    except ImportError as exc:
        raise OFDUnavailable("无法读取 OFD 文件：未安装 ofdkit（请安装：pip install ofdkit）") from exc
    pages: list[list[tuple[str, list]]] = []
    with ofdkit.open(path) as doc:
        for page in doc.pages:
            try:
                pages.append(_page_lines(page))
            except ofdkit.OFDError:  # one broken page: the others still count
                pages.append([])
    # The text block's edges, from every page (a last page with two lines says nothing about them).
    placed = [row for lines in pages for _text, row in lines if row]
    if placed:
        size = statistics.median(r.size for row in placed for r in row) or 1.0
        left = min(min(r.x for r in row) for row in placed)
        right = max(max(r.x + r.width for r in row) for row in placed)
    out: list[list[str]] = []
    carry = False  # the line before ended at the right edge
    for lines in pages:
        texts: list[str] = []
        for text, row in lines:
            previous = texts or next((t for t in reversed(out) if t), None)  # across a page break too
            if carry and row and min(r.x for r in row) <= left + 0.5 * size and previous:
                previous[-1] += text
            else:
                texts.append(text)
            carry = bool(row) and max(r.x + r.width for r in row) >= right - 1.5 * size
        out.append(texts)
    return ["\n".join(t) for t in out]


def _page_lines(page) -> list[tuple[str, list]]:
    """(line, its runs) for each printed line of a page; no runs when they cannot be matched to the lines
    (columns, tables: ofdkit's lines are kept as they are)."""
    lines = [ln.strip() for ln in page.text().split("\n") if ln.strip() and not _PAGE_NUMBER.match(ln)]
    rows = _rows([r for r in page.runs if r.text.strip() and not _PAGE_NUMBER.match(r.text)])
    if len(rows) != len(lines):
        return [(ln, []) for ln in lines]
    return list(zip(lines, rows, strict=True))


def _rows(runs: list) -> list[list]:
    """Runs grouped into printed lines by baseline, top to bottom."""
    rows: list[list] = []
    for run in sorted(runs, key=lambda r: (r.y, r.x)):
        if rows and abs(run.y - rows[-1][0].y) < 0.5 * max(run.size, 1.0):
            rows[-1].append(run)
        else:
            rows.append([run])
    return rows
