"""Splitting and structure: cleaned text → one or more documents, each with title, sign-off and a section tree.

A file may hold several articles (第一篇/第二篇…, 扩展阅读 followed by another document, or a new title after a
dated sign-off). Each document gets its title, signature unit and date, the heading tree 一、/（一）/1./（1）
(headings accepted only in sequence, so a wrapped line that starts with "五、" is not a heading), the
一是…二是… enumerations of each section, a canonical type per top-level section, genre, unit type, year and the
figures of each section.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field

from drafter.zh.headings import Heading, match_heading
from drafter.zh.numbers import extract_numbers
from drafter.zh.numerals import YEAR_DIGITS, cn_to_int, parse_cn_year
from drafter.zh.sentences import SENTENCE_END_RE
from vectorstore.classify import classify_genre, classify_section, classify_unit_type

_ARTICLE_LABEL = re.compile(r"^第[一二三四五六七八九十]{1,3}篇\s*[：:]?\s*(.*)$")
_EXTENDED = re.compile(r"^(扩展阅读|延伸阅读|附[：:])\s*[：:]?\s*(.*)$")
DATE_LINE = re.compile(
    rf"^(?P<y>\d{{4}}|[{YEAR_DIGITS}]{{2,4}})\s*年\s*(?P<m>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*月"
    rf"\s*(?P<d>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*日$"
)
_UNIT_SUFFIX = re.compile(
    r"(委员会|党委|党组|党工委|工委|总支|支部|政府|办公室|局|院|校|学|集团|公司|中心|街道|社区|镇|乡|村|委|部|会|所|站|厅)$"
)
_ENUM = re.compile(r"(?:^|(?<=[。；;！？]))\s*(?P<n>[一二三四五六七八九十]{1,2})是")
_YEAR_IN_TEXT = re.compile(r"(19[5-9]\d|20[0-4]\d)\s*年")


@dataclass
class Section:
    heading: str  # the heading line as written, marker included ("一、基本情况"); "" for the preamble
    level: int  # 0 for the preamble, 1..4 for headings
    marker: str
    title: str  # heading without its marker
    section_type: str  # canonical type (top level) or the parent's type (nested); "导语" for the preamble
    text: str  # body text directly under this heading (children excluded)
    path: list[str] = field(default_factory=list)  # heading titles from the top level down to this one
    enumerations: list[str] = field(default_factory=list)  # 一是…二是… items in the body
    figures: list[str] = field(default_factory=list)  # numbers with units found in the body ("35个", "1730名")
    children: list[Section] = field(default_factory=list)

    def full_text(self) -> str:
        """Heading, body and all descendants, as they read in the document."""
        parts = [self.heading] if self.heading else []
        if self.text:
            parts.append(self.text)
        parts.extend(child.full_text() for child in self.children)
        return "\n".join(parts)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class ParsedDocument:
    doc_id: str
    source: str
    title: str
    genre: str
    unit_type: str | None
    year: int | None
    signature: str | None
    date: str | None
    text: str  # cleaned text of this document
    sections: list[Section]  # preamble (level 0) first when present, then the level-1 sections
    label: str = ""  # a site label such as "全市创先争优推进会经验材料(定稿)"
    encoding: str = ""
    original: str = ""  # the raw text of the whole file this document came from (provenance)

    def top_sections(self) -> list[Section]:
        return [s for s in self.sections if s.level >= 1]

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("original", None)
        return data


# ---------------------------------------------------------------- articles


@dataclass
class _Article:
    lines: list[str]
    label: str = ""


def split_articles(text: str) -> list[_Article]:
    """Split cleaned text into articles at 第N篇 / 扩展阅读 markers and at a new title after a dated sign-off."""
    articles: list[_Article] = [_Article([])]
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        marker = _ARTICLE_LABEL.match(line) or _EXTENDED.match(line)
        if marker:
            label = marker.group(marker.lastindex or 1).strip()
            articles.append(_Article([], label=label))
        elif articles[-1].lines and DATE_LINE.match(articles[-1].lines[-1]) and _body_follows(lines, i):
            articles.append(_Article([line]))
        elif line:
            articles[-1].lines.append(line)
        i += 1
    return [a for a in articles if _body_chars(a.lines) >= 30]


def _body_follows(lines: list[str], i: int) -> bool:
    """After a date line: does a new document start here (a title-like line followed by prose)?"""
    line = lines[i].strip()
    return bool(line) and _is_title_like(line)


def _body_chars(lines: list[str]) -> int:
    return sum(len(x) for x in lines if not _is_title_like(x))


def _is_title_like(line: str) -> bool:
    return (
        4 <= len(line) <= 60
        and not re.search(r"[。；！？：]$", line)
        and not line.startswith(("同志们", "各位"))
        and match_heading(line) is None
        and not DATE_LINE.match(line)
        and "，" not in line[:-1]
    )


# ---------------------------------------------------------------- sign-off


def parse_date(line: str) -> tuple[str, int | None] | None:
    """A sign-off date line → (the line as written, its year or None when damaged)."""
    m = DATE_LINE.match(line.strip())
    if not m:
        return None
    return line.strip(), parse_cn_year(m.group("y"))


def _split_signoff(lines: list[str]) -> tuple[list[str], str | None, str | None, int | None]:
    """Strip the signature unit and date from the end: (body lines, signature, date, year)."""
    body = list(lines)
    signature = date = None
    year = None
    for back in range(1, min(4, len(body)) + 1):
        parsed = parse_date(body[-back])
        if parsed:
            date, year = parsed
            del body[-back]
            if back > 1:
                break
            if body and _is_signature(body[-1]):
                signature = body.pop()
            break
    if date is None and body and _is_signature(body[-1]) and len(body) > 3:
        signature = body.pop()
    return body, signature, date, year


def _is_signature(line: str) -> bool:
    return 2 <= len(line) <= 40 and not re.search(r"[，。；：！？、]", line) and bool(_UNIT_SUFFIX.search(line)) \
        and match_heading(line) is None


# ---------------------------------------------------------------- sections


def _accept(h: Heading, counters: dict[int, int]) -> bool:
    """A heading counts only in sequence: level 1 follows its predecessor; deeper ones need a parent or restart."""
    expected = counters.get(h.level, 0) + 1
    if h.level > 1 and counters.get(h.level - 1, 0) == 0 and h.level - 1 >= 1 and h.ordinal != 1:
        return h.ordinal == expected
    return h.ordinal == expected or (h.ordinal == 1 and h.level > 1)


def build_sections(lines: list[str], genre: str | None = None) -> list[Section]:
    preamble = Section("", 0, "", "", "导语", "")
    roots: list[Section] = [preamble]
    stack: list[Section] = []
    counters: dict[int, int] = {}
    body: dict[int, list[str]] = {id(preamble): []}
    current = preamble
    for line in lines:
        h = match_heading(line)
        if (h is not None and h.level == 1 and h.ordinal == counters.get(1, 0) + 1 and _heading_title_ok(h)) or (h is not None and h.level > 1 and _accept(h, counters) and _heading_title_ok(h)):
            pass
        else:
            h = None
        if h is None:
            body[id(current)].append(line)
            continue
        counters[h.level] = h.ordinal
        for deeper in range(h.level + 1, 6):
            counters[deeper] = 0
        while stack and stack[-1].level >= h.level:
            stack.pop()
        title, rest = _split_heading_title(h.title)
        parent = stack[-1] if stack else None
        section_type = parent.section_type if parent else classify_section(title, "", genre)
        path = [*(parent.path if parent else []), title]
        section = Section(line if not rest else line[: len(line) - len(rest)].rstrip(), h.level, h.marker, title,
                          section_type, "", path)
        body[id(section)] = [rest] if rest else []
        (parent.children if parent else roots).append(section)
        stack.append(section)
        current = section
    for root in roots:
        for sec in root.walk():
            sec.text = "\n".join(body.get(id(sec), []))
    # Without a heading title to go by, look at the body (e.g. 一、… whose type shows only in its prose);
    # in summaries and reports, unnamed sections before the results/problems/plans are the practices.
    later = {"取得成效", "经验体会", "存在问题", "下一步打算"}
    seen_later = False
    for sec in roots[1:]:
        if sec.section_type == "其他":
            sec.section_type = classify_section(sec.title, sec.text, genre)
            if sec.section_type == "其他" and not seen_later and genre in ("工作总结", "汇报材料", "经验材料"):
                sec.section_type = "主要做法"
            for child in sec.walk():
                child.section_type = sec.section_type
        seen_later = seen_later or sec.section_type in later
    if not preamble.text:
        roots.pop(0)
    return roots


def _heading_title_ok(h: Heading) -> bool:
    return bool(h.title.strip()) and len(h.title) <= 400


def _split_heading_title(title: str) -> tuple[str, str]:
    """A heading followed by its paragraph on one line: "（一）加强领导，精心组织。县教育局成立…" → title, rest."""
    m = SENTENCE_END_RE.search(title)
    if m and m.end() < len(title):
        return title[: m.end()], title[m.end():].strip()
    return title, ""


def enumerations(text: str) -> list[str]:
    """一是…二是…三是… items of a paragraph (in order, from the first 一是 on)."""
    hits = list(_ENUM.finditer(text))
    items: list[str] = []
    expected = 1
    starts: list[int] = []
    for m in hits:
        if cn_to_int(m.group("n")) == expected:
            starts.append(m.start("n"))
            expected += 1
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        item = text[start:end].strip().rstrip("；;")
        cut = SENTENCE_END_RE.search(item)
        items.append(item[: cut.end()] if cut and i + 1 == len(starts) else item)
    return items if len(items) >= 2 else []


def section_figures(text: str) -> list[str]:
    out: list[str] = []
    for mention in extract_numbers(text):
        # Counts and amounts; small Chinese numerals (一个, 三年) are phrasing, not figures.
        if mention.kind in ("date", "ordinal") or not mention.unit:
            continue
        if mention.kind == "chinese" and mention.value < 10:
            continue
        out.append(mention.raw)
    return out


# ---------------------------------------------------------------- documents


def content_id(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def parse_article(article: _Article, source: str = "") -> ParsedDocument:
    lines = list(article.lines)
    title = ""
    label = article.label
    if lines and _is_title_like(lines[0]):
        title = lines.pop(0)
        # A site's page title, then the document's own title: keep the latter, the former as label.
        if len(lines) > 1 and _is_title_like(lines[0]) and not _is_title_like(lines[1]):
            label = label or title
            title = lines.pop(0)
    if not title:
        title = label
    body, signature, date, year = _split_signoff(lines)
    text = "\n".join(body)
    genre = classify_genre(title, text, label)
    sections = build_sections(body, genre)
    for sec in sections:
        for node in sec.walk():
            node.enumerations = enumerations(node.text)
            node.figures = section_figures(node.text)
    # The year a summary is about: its title says so ("2021年度…总结", signed in January 2022) before the date.
    m = _YEAR_IN_TEXT.search(title)
    if m:
        year = int(m.group(1))
    elif year is None:
        m = _YEAR_IN_TEXT.search(text[:400])
        year = int(m.group(1)) if m else None
    full = "\n".join([title, *body, *(x for x in (signature, date) if x)])
    return ParsedDocument(
        doc_id=content_id(source, full),
        source=source,
        title=title,
        genre=genre,
        unit_type=classify_unit_type(title, text, signature or ""),
        year=year,
        signature=signature,
        date=date,
        text=full,
        sections=sections,
        label=label,
    )


def parse_text(cleaned: str, source: str = "") -> list[ParsedDocument]:
    """All documents in one cleaned file text; an article the file repeats word for word is kept once (its
    id, a content hash, would otherwise name two documents)."""
    docs: dict[str, ParsedDocument] = {}
    for article in split_articles(cleaned):
        doc = parse_article(article, source)
        docs.setdefault(doc.doc_id, doc)
    return list(docs.values())
