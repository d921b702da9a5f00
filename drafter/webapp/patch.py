"""The web contract: a ``Patch`` names what the page should show after an action (no Gradio here).

Every drafting and page action returns (or yields) a ``Patch``; ``drafter.webapp.widgets.UI.updates`` turns it
into Gradio's ``{component: update}`` dict. A field left ``None`` leaves its widgets as they are; the fields
are slots, so a misspelt name fails at once (``Patch(stauts=…)`` and ``patch.stauts = …`` both raise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SectionView:
    """What one section box shows."""

    index: int
    heading: str
    body: str
    locked: bool = False
    status: str = ""  # Chinese one-liner shown under the box
    history: list[str] = field(default_factory=list)
    busy: bool = False


@dataclass(slots=True, kw_only=True)
class Choices:
    """A checkbox group's options (labels or (label, value) pairs) and what is ticked."""

    choices: list[Any]
    value: list[Any]


@dataclass(slots=True, kw_only=True)
class Patch:
    """What changes on the page; ``None`` means "leave as it is"."""

    status: str | None = None  # the status line (HTML)
    errors: dict[str, str] | None = None  # form field (or GENERAL) -> error HTML under it, '' clears
    form: dict[str, Any] | None = None  # every form field's value (a preset, an import, a restore)
    outline: str | None = None  # the outline text box
    outline_errors: str | None = None  # HTML under the outline
    examples: str | None = None  # the examples table (HTML)
    pin: Choices | None = None  # 固定使用
    exclude: Choices | None = None  # 排除
    checks: str | None = None  # the checks panel (HTML)
    files: list[str] | None = None  # exported .docx/.md to download
    facts_file: str | None = None  # the saved facts JSON to download
    sections: list[SectionView] | None = None  # every section box: these shown, the other boxes hidden
    section: dict[int, SectionView] | None = None  # some section boxes, by index
    section_status: dict[int, str] | None = None  # only the status line of some section boxes
