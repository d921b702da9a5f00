"""A side-by-side page for a human read: each draft of a run beside its nearest real document.

The right-hand column is the leave-one-out case's real document when there is one, else the first example
document retrieved for the draft (``<case>.meta.json`` written next to the draft). Written as
``<run>/side_by_side.html`` by the runner; ``results/`` is git-ignored, so real documents never enter the
repository. Figures of the row (prose defects per 1,000 characters, political errors, rule share, LOO
similarities) head each pair, so a reader can hold the numbers against the text.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

_CSS = """body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:1.5em;color:#222}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em;margin-bottom:2.5em}
.pair pre{white-space:pre-wrap;font-family:inherit;line-height:1.7;background:#fafafa;border:1px solid #ddd;
padding:.8em;margin:0}h2{font-size:1.05em;margin:.2em 0}small{color:#666}"""


def nearest_document(row: dict[str, Any], reference: str | None) -> tuple[str, str]:
    """(label, text) of what the draft is read against: the real document, else its first retrieved example."""
    if reference:
        return "原文（留一用例的真实文档）", reference
    path = Path(row.get("draft_path") or "")
    meta = path.with_suffix(".meta.json")
    if meta.is_file():
        examples = json.loads(meta.read_text(encoding="utf-8")).get("examples") or []
        if examples:
            return "最相近的语料文档（检索第 1 篇）", examples[0]
    return "（没有可对照的文档）", ""


def _figures(row: dict[str, Any]) -> str:
    from drafter.checks import quality_figures

    q = row.get("quality") or (quality_figures(row["checks"], row.get("chars", 0)) if row.get("checks") else {})
    ref = (row.get("checks", {}).get("reference") or {}).get("details", {})
    parts = [f"字数 {row.get('chars', '—')}"]
    if q:
        parts += [f"文风 {q.get('prose_per_1000', '—')}/千字", f"政治性差错 {q.get('political_errors', '—')}",
                  f"错误年份 {q.get('wrong_years', '—')}", *( [f"规则增删 {q['rule_share']:.0%}"] if "rule_share" in q else []),
                  *([f"无据句 {q['ungrounded_share']:.0%}"] if "ungrounded_share" in q else [])]
    if "bigram_f1" in ref:
        parts += [f"bigram F1 {ref['bigram_f1']:.3f}", f"ROUGE-L {ref['rouge_l']:.3f}"]
    if row.get("elapsed_s") is not None:
        parts.append(f"用时 {row['elapsed_s']:.0f} 秒")
    return " · ".join(str(p) for p in parts)


def render(rows: list[dict[str, Any]], references: dict[str, str]) -> str:
    e = html.escape
    out = ["<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>草稿与原文对照</title>",
           f"<style>{_CSS}</style></head><body><h1>草稿与最相近文档对照</h1>"]
    for row in rows:
        path = Path(row.get("draft_path") or "")
        if not path.is_file():
            continue
        label, other = nearest_document(row, references.get(row["case_id"]))
        out.append(f"<h2>{e(row['case_id'])} · {e(row['model'])} / {e(row['variant'])}</h2>"
                   f"<p><small>{e(_figures(row))}</small></p><div class='pair'>"
                   f"<div><b>草稿</b><pre>{e(path.read_text(encoding='utf-8'))}</pre></div>"
                   f"<div><b>{e(label)}</b><pre>{e(other)}</pre></div></div>")
    out.append("</body></html>")
    return "\n".join(out)


def write_side_by_side(rows: list[dict[str, Any]], references: dict[str, str], base: Path) -> Path:
    """Write ``<base>/side_by_side.html``; ``references``: case id → real document (leave-one-out cases)."""
    base.mkdir(parents=True, exist_ok=True)
    page = base / "side_by_side.html"
    page.write_text(render(rows, references), encoding="utf-8")
    return page
