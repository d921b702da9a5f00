"""HTML for the UI's read-only panels. Every piece of text from facts, corpus or model is escaped here, so
nothing shown can run script; highlights are built from check findings' spans over escaped segments."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drafter.retrieval import Exemplar

CHECK_TITLES = {
    "structure": "结构", "numbers": "数字", "coverage": "要点覆盖", "leakage": "范文泄露",
    "copying": "照抄", "length": "篇幅", "prose": "文风", "political": "政治性差错", "grounding": "事实依据",
}  # fmt: skip
SEVERITY_TITLES = {"error": "问题", "warning": "提醒", "info": "说明"}
HIGHLIGHT_CODES = {
    "NUM_INVENTED": "invented", "NUM_WRONG_UNIT": "invented", "NUM_DATE_UNKNOWN": "unverified",
    "LEAK_NAME": "leak", "LEAK_FIGURE": "leak", "LEAK_PROMPT": "leak", "COPY_LONG_RUN": "copy",
    "NUM_APPROX_FALSE": "invented", "NUM_YEAR_OUTSIDE": "invented", "NUM_DATE_OUTSIDE": "invented", "NUM_MISBOUND": "invented",
    "NUM_UNLABELED": "invented",
    "POL_LEADER": "invented", "POL_BODY": "invented", "POL_SESSION": "invented", "POL_STATE": "invented",
    "POL_OUTDATED": "invented", "POL_ANACHRONISM": "invented", "POL_PLACE": "invented",
    "GROUND_INVENTED": "unverified",
}  # fmt: skip
MISSING_CODES = ("FIG_MISSING", "COV_NUMBER_MISSING")


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def field_errors(messages: Sequence[str] | None) -> str:
    """The error line under a form field ('' when the field is fine)."""
    if not messages:
        return ""
    items = "".join(f"<li>{esc(m)}</li>" for m in messages)
    return f'<ul class="field-error" role="alert">{items}</ul>'


def notice(text: str, kind: str = "info") -> str:
    """A one-line status message; ``kind`` is info, ok, warn or error."""
    if not text:
        return ""
    lines = "<br>".join(esc(line) for line in str(text).splitlines())
    return f'<div class="notice notice-{esc(kind)}">{lines}</div>'


def examples_table(hits: Iterable[Exemplar], pinned: Sequence[str] = (), excluded: Sequence[str] = ()) -> str:
    """The retrieved examples (范文): rank, title, source, section type, relevance (高/中/低 with 0–100 and why),
    and a short excerpt of the matched part."""
    rows = []
    for rank, hit in enumerate(hits, 1):
        marks = []
        if hit.id in pinned:
            marks.append('<span class="tag tag-pin">已固定</span>')
        if hit.id in excluded:
            marks.append('<span class="tag tag-ex">已排除</span>')
        excerpt = " ".join(str(hit.text or "").split())[:120]
        source = str(hit.source or "").replace("\\", "/").rsplit("/", 1)[-1]
        label, value, why = hit.relevance
        heading = str(hit.heading or "")
        kind_label = "整篇范文" if hit.section_type == "全文" else (
            f"{hit.section_type} · {heading}" if heading and heading != hit.section_type else hit.section_type)
        rows.append(
            "<tr>"
            f"<td>{rank}</td><td>{esc(hit.title)}{''.join(marks)}<div class='excerpt'>{esc(excerpt)}…</div></td>"
            f"<td>{esc(source)}</td><td>{esc(kind_label)}</td>"
            f"<td>{esc(label)}（{value}）<div class='excerpt'>{esc(why)}</div></td>"
            "</tr>"
        )
    if not rows:
        return '<div class="notice notice-info">尚未检索到范文（语料库为空时请先在“语料库”页导入材料）。</div>'
    head = "<tr><th>#</th><th>范文</th><th>来源</th><th>段落（匹配部分）</th><th>相关度</th></tr>"
    return f'<div class="examples-wrap"><table class="examples">{head}{"".join(rows)}</table></div>'


def example_choices(hits: Iterable[Exemplar]) -> list[tuple[str, str]]:
    """(label, hit id) pairs for the pin/exclude pickers; labels are plain text (Gradio shows them as text)."""
    out = []
    for rank, hit in enumerate(hits, 1):
        title = str(hit.title or "").strip() or str(hit.source or "")
        label = f"{rank}. {title[:40]}" + (f"（{hit.section_type}）" if hit.section_type else "")
        out.append((label, hit.id))
    return out


def documents_table(docs: Iterable[Any]) -> str:
    rows = [
        "<tr>"
        f"<td>{esc(d.title)}</td><td>{esc(str(d.source).replace(chr(92), '/').rsplit('/', 1)[-1])}</td>"
        f"<td>{esc(d.genre)}</td><td>{esc(d.unit_type)}</td><td>{esc(d.year or '')}</td>"
        f"<td>{int(d.sections)}</td><td>{esc(d.encoding)}</td>"
        "</tr>"
        for d in docs
    ]
    if not rows:
        return '<div class="notice notice-info">语料库为空。请上传材料，或点击“重建语料库”导入内置示例。</div>'
    head = "<tr><th>标题</th><th>文件</th><th>文种</th><th>单位类型</th><th>年份</th><th>段落</th><th>编码</th></tr>"
    return f'<table class="documents">{head}{"".join(rows)}</table><div class="count">共 {len(rows)} 篇</div>'


def _spans(findings: Iterable[dict[str, Any]], length: int) -> list[tuple[int, int, str, str]]:
    """Non-overlapping (start, end, css class, message) sorted by start; a later overlapping span is dropped."""
    raw = []
    for f in findings:
        kind = HIGHLIGHT_CODES.get(f.get("code", ""))
        span = f.get("span")
        if not kind or not span:
            continue
        start, end = max(0, int(span[0])), min(length, int(span[1]))
        if start < end:
            raw.append((start, end, kind, str(f.get("message_zh", ""))))
    raw.sort(key=lambda s: (s[0], -s[1]))
    out: list[tuple[int, int, str, str]] = []
    for s in raw:
        if out and s[0] < out[-1][1]:
            continue
        out.append(s)
    return out


def highlighted(text: str, findings: Iterable[dict[str, Any]]) -> str:
    """The document with flagged spans wrapped in <mark> (hover shows why); all text escaped."""
    parts, pos = [], 0
    for start, end, kind, message in _spans(findings, len(text)):
        parts.append(esc(text[pos:start]))
        parts.append(f'<mark class="flag flag-{kind}" title="{esc(message)}">{esc(text[start:end])}</mark>')
        pos = end
    parts.append(esc(text[pos:]))
    return f'<div class="doc-preview">{"".join(parts)}</div>'


def all_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for check in (report.get("checks") or {}).values() for f in check.get("findings", [])]


def checks_panel(report: dict[str, Any] | None, text: str = "") -> str:
    """Checks summary per check, missing figures listed, then the document with numbers highlighted."""
    if not report:
        return '<div class="notice notice-info">生成初稿后显示检查结果。</div>'
    checks = report.get("checks") or {}
    blocks = []
    for name, check in checks.items():
        title = CHECK_TITLES.get(name, name)
        status = "通过" if check.get("passed") else "未通过"
        items = "".join(
            f'<li class="sev-{esc(f.get("severity"))}">[{esc(SEVERITY_TITLES.get(f.get("severity"), ""))}] '
            f"{esc(f.get('message_zh'))}</li>"
            for f in check.get("findings", [])
        )
        blocks.append(
            f'<div class="check check-{"ok" if check.get("passed") else "bad"}" data-check="{esc(name)}">'
            f"<b>{esc(title)}</b>：{status}（{float(check.get('score', 0)):.0%}）"
            f"{f'<ul>{items}</ul>' if items else ''}</div>"
        )
    findings = all_findings(report)
    missing = [f for f in findings if f.get("code") in MISSING_CODES]
    missing_html = (
        '<div class="missing"><b>缺少的数据</b><ul>'
        + "".join(f"<li>{esc(f.get('message_zh'))}</li>" for f in missing)
        + "</ul></div>"
        if missing
        else ""
    )
    flagged = sum(1 for f in findings if f.get("code") in HIGHLIGHT_CODES and f.get("span"))
    overall = "全部通过" if report.get("passed") else "存在问题"
    head = f'<div class="check-head">检查结果：{overall}；文中标出 {flagged} 处待核实内容</div>'
    legend = ('<div class="legend"><mark class="flag flag-invented">编造/单位不符的数字</mark> '
              '<mark class="flag flag-unverified">待核实日期</mark> <mark class="flag flag-leak">疑似范文内容</mark></div>')
    return head + "".join(blocks) + missing_html + legend + (highlighted(text, findings) if text else "")


def history_html(history: Sequence[str]) -> str:
    if not history:
        return '<div class="notice notice-info">暂无历史版本。</div>'
    items = "".join(
        f'<details><summary>版本 {i}（{len(h)} 字）</summary><div class="doc-preview">{esc(h)}</div></details>'
        for i, h in enumerate(history, 1)
    )
    return f'<div class="history">{items}</div>'
