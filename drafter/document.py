"""The draft as text: deterministic assembly of title, opening, numbered sections, signature and date.

Headings and numbering never come from the model: ``heading_for`` and ``subheading_for`` produce 一、 and
（一）, so a small model cannot break the structure. ``assemble`` gives the plain text the checks read;
``to_markdown`` marks the same lines as Markdown headings.
"""

from __future__ import annotations

import re

from drafter.zh.numerals import to_chinese


def heading_for(index: int, title: str) -> str:
    return f"{to_chinese(index + 1)}、{title}"


def subheading_for(index: int, title: str) -> str:
    return f"（{to_chinese(index + 1)}）{title}"


def assemble(title: str, opening: str, sections: list[tuple[str, str]], signature: str = "", date: str = "") -> str:
    """Plain text: one paragraph a line. ``sections`` are (heading line, body)."""
    lines = [title.strip()]
    if opening.strip():
        lines.append(opening.strip())
    for heading, body in sections:
        lines.append(heading.strip())
        lines.extend(line.strip() for line in body.split("\n") if line.strip())
    lines.extend(x.strip() for x in (signature, date) if x and x.strip())
    return "\n".join(lines)


def to_markdown(text: str) -> str:
    """The plain draft with Markdown heading marks (# title, ## 一、, ### （一）); paragraphs separated by blank lines."""
    from drafter.zh.headings import match_heading

    out = []
    for i, line in enumerate(text.split("\n")):
        if i == 0:
            out.append(f"# {line}")
            continue
        h = match_heading(line)
        if h is not None and h.level in (1, 2) and len(line) <= 40:
            out.append(("## " if h.level == 1 else "### ") + line)
        else:
            out.append(line)
    return "\n\n".join(out) + "\n"


def from_markdown(text: str) -> str:
    """The plain draft of a Markdown one (``to_markdown``'s inverse): heading marks, emphasis marks and blank lines
    go. The checks read headings as "一、" / "（一）" lines; "### （一）……" read as a paragraph that never ends."""
    lines = (re.sub(r"^\s*#{1,6}\s*", "", line).replace("**", "").rstrip() for line in text.replace("\r", "").split("\n"))
    return "\n".join(line for line in lines if line.strip())
