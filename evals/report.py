"""Eval reports in Markdown and HTML from the JSONL rows of a run: pass rates per model × variant with the
change since an earlier run, a case × (model/variant) matrix of pass/fail with reasons, and per-check scores."""

from __future__ import annotations

import html
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

CHECK_ORDER = ("structure", "numbers", "coverage", "leakage", "copying", "length", "prose", "political", "reference")
CHECK_NAMES_ZH = {"structure": "结构", "numbers": "数字", "coverage": "覆盖", "leakage": "泄露", "copying": "照抄",
                  "length": "篇幅", "prose": "文风", "political": "政治性", "grounding": "有据", "reference": "对照原文"}


def read_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def previous_run(out_dir: Path, exclude: Path | None = None) -> Path | None:
    """The newest earlier results file in ``out_dir`` (run ids are timestamps, so names sort by time)."""
    runs = sorted(p for p in out_dir.glob("*.jsonl") if exclude is None or p.resolve() != exclude.resolve())
    return runs[-1] if runs else None


def _column(row: dict[str, Any]) -> str:
    return f"{row['model']} / {row['variant']}"


def _reasons(row: dict[str, Any], n: int = 3) -> list[str]:
    if row.get("error"):
        return [row["error"]]
    out = []
    for name in CHECK_ORDER:
        for f in row.get("checks", {}).get(name, {}).get("findings", []):
            if f["severity"] == "error":
                out.append(f"{f['code']}：{f['message_zh']}")
    return out[:n]


def summarize(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per column: cases, passed, pass rate, mean score and mean score of each check."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[_column(row)].append(row)
    out: dict[str, dict[str, Any]] = {}
    for col, items in groups.items():
        checks: dict[str, list[float]] = defaultdict(list)
        for r in items:
            for name, c in r.get("checks", {}).items():
                checks[name].append(c["score"])
        out[col] = {
            "cases": len(items),
            "passed": sum(r["passed"] for r in items),
            "pass_rate": sum(r["passed"] for r in items) / len(items),
            "score": sum(r["score"] for r in items) / len(items),
            "checks": {k: sum(v) / len(v) for k, v in checks.items()},
            "check_pass": {k: sum(r.get("checks", {}).get(k, {}).get("passed", False) for r in items) / len(items)
                           for k in checks},
        }
    return out


def _checks_present(rows: list[dict[str, Any]]) -> list[str]:
    present = {name for r in rows for name in r.get("checks", {})}
    return [c for c in CHECK_ORDER if c in present]


def build(rows: list[dict[str, Any]], previous_rows: list[dict[str, Any]] | None = None,
          previous_name: str | None = None) -> dict[str, Any]:
    """Everything both renderers need."""
    columns = sorted({_column(r) for r in rows})
    cases = sorted({r["case_id"] for r in rows})
    cell = {(r["case_id"], _column(r)): r for r in rows}
    summary = summarize(rows)
    prev_summary = summarize(previous_rows) if previous_rows else {}
    prev_cell = {(r["case_id"], _column(r)): r for r in previous_rows or []}
    changes = []
    for key, r in sorted(cell.items()):
        old = prev_cell.get(key)
        if old is not None and old["passed"] != r["passed"]:
            changes.append({"case": key[0], "column": key[1], "before": old["passed"], "after": r["passed"],
                            "reasons": _reasons(r)})
    total = len(rows)
    return {
        "run_id": rows[0]["run_id"] if rows else "",
        "columns": columns, "cases": cases, "cell": cell, "summary": summary, "prev_summary": prev_summary,
        "previous_name": previous_name, "changes": changes, "checks": _checks_present(rows),
        "pass_rate": sum(r["passed"] for r in rows) / total if total else 0.0, "total": total,
    }


def _delta(now: float, col: str, prev: dict[str, dict[str, Any]]) -> str:
    if col not in prev:
        return "—"
    d = now - prev[col]["pass_rate"]
    return f"{d:+.0%}"


def render_markdown(data: dict[str, Any]) -> str:
    lines = [f"# 评测报告 {data['run_id']}", "",
             f"共 {data['total']} 项，总体通过率 **{data['pass_rate']:.0%}**。"]
    if data["previous_name"]:
        lines.append(f"对比上一次运行：{data['previous_name']}")
    checks = data["checks"]
    lines += ["", "## 汇总（模型 / 变体）", "",
              "| 模型 / 变体 | 用例 | 通过 | 通过率 | 较上次 | 平均分 | " + " | ".join(CHECK_NAMES_ZH[c] for c in checks) + " |",
              "|---|---|---|---|---|---|" + "---|" * len(checks)]
    for col in data["columns"]:
        s = data["summary"][col]
        per = " | ".join(f"{s['checks'].get(c, 0):.2f}（{s['check_pass'].get(c, 0):.0%}）" for c in checks)
        lines.append(f"| {col} | {s['cases']} | {s['passed']} | {s['pass_rate']:.0%} | "
                     f"{_delta(s['pass_rate'], col, data['prev_summary'])} | {s['score']:.2f} | {per} |")
    lines += ["", "## 用例 × 模型", "", "| 用例 | " + " | ".join(data["columns"]) + " |",
              "|---|" + "---|" * len(data["columns"])]
    for case in data["cases"]:
        cells = []
        for col in data["columns"]:
            r = data["cell"].get((case, col))
            if r is None:
                cells.append("")
                continue
            mark = "✅" if r["passed"] else "❌"
            reasons = "<br>".join(_md_escape(x) for x in _reasons(r))
            cells.append(f"{mark} {r['score']:.2f}" + (f"<br>{reasons}" if reasons else ""))
        lines.append(f"| {case} | " + " | ".join(cells) + " |")
    lines += ["", "## 文风与政治性（每篇草稿；与引擎自身的修补无关）", "",
              "| 用例 | 模型 / 变体 | 字数 | 文风问题/千字 | 无据句占比 | 编造细节句占比 | 政治性差错 | 错误年份 | 规则增删占比 | 与原文 bigram F1 | ROUGE-L | 用时(秒) |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for case in data["cases"]:
        for col in data["columns"]:
            r = data["cell"].get((case, col))
            q = (r or {}).get("quality")
            if not q:
                continue
            ref = r.get("checks", {}).get("reference", {}).get("details", {})
            share = f"{q['rule_share']:.0%}" if "rule_share" in q else "—"
            f1 = f"{ref['bigram_f1']:.3f}" if "bigram_f1" in ref else "—"
            rl = f"{ref['rouge_l']:.3f}" if "rouge_l" in ref else "—"
            ungrounded = f"{q['ungrounded_share']:.0%}" if "ungrounded_share" in q else "—"
            invented = f"{q['invented_share']:.0%}" if "invented_share" in q else "—"
            lines.append(f"| {case} | {col} | {r['chars']} | {q['prose_per_1000']:.2f} | {ungrounded} | {invented} | "
                         f"{q['political_errors']} | "
                         f"{q['wrong_years']} | {share} | {f1} | {rl} | {r['elapsed_s']:.1f} |")
    lines += ["", "## 各项检查得分", ""]
    for col in data["columns"]:
        lines += [f"### {col}", "", "| 用例 | " + " | ".join(CHECK_NAMES_ZH[c] for c in checks) + " |",
                  "|---|" + "---|" * len(checks)]
        for case in data["cases"]:
            r = data["cell"].get((case, col))
            if r is None:
                continue
            vals = []
            for c in checks:
                res = r.get("checks", {}).get(c)
                vals.append("—" if res is None else f"{'✓' if res['passed'] else '✗'} {res['score']:.2f}")
            lines.append(f"| {case} | " + " | ".join(vals) + " |")
        lines.append("")
    if data["previous_name"]:
        lines += ["## 与上次相比的变化", ""]
        if data["changes"]:
            for ch in data["changes"]:
                arrow = "通过 → 未通过" if ch["before"] else "未通过 → 通过"
                why = "；".join(ch["reasons"])
                lines.append(f"- {ch['case']}（{ch['column']}）：{arrow}" + (f"：{_md_escape(why)}" if why else ""))
        else:
            lines.append("- 无变化")
        lines.append("")
    return "\n".join(lines)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_CSS = """body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;font-size:14px}th{background:#f3f3f3}
td.pass{background:#e9f7ec}td.fail{background:#fdecea}small{color:#555}"""


def render_html(data: dict[str, Any]) -> str:
    e = html.escape
    checks = data["checks"]
    out = ["<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
           f"<title>评测报告 {e(data['run_id'])}</title><style>{_CSS}</style></head><body>",
           f"<h1>评测报告 {e(data['run_id'])}</h1>",
           f"<p>共 {data['total']} 项，总体通过率 <b>{data['pass_rate']:.0%}</b>。"]
    if data["previous_name"]:
        out.append(f"对比上一次运行：{e(data['previous_name'])}")
    out.append("</p><h2>汇总（模型 / 变体）</h2><table><tr><th>模型 / 变体</th><th>用例</th><th>通过</th><th>通过率</th>"
               "<th>较上次</th><th>平均分</th>" + "".join(f"<th>{CHECK_NAMES_ZH[c]}</th>" for c in checks) + "</tr>")
    for col in data["columns"]:
        s = data["summary"][col]
        per = "".join(f"<td>{s['checks'].get(c, 0):.2f} <small>({s['check_pass'].get(c, 0):.0%})</small></td>"
                      for c in checks)
        out.append(f"<tr><td>{e(col)}</td><td>{s['cases']}</td><td>{s['passed']}</td><td>{s['pass_rate']:.0%}</td>"
                   f"<td>{_delta(s['pass_rate'], col, data['prev_summary'])}</td><td>{s['score']:.2f}</td>{per}</tr>")
    out.append("</table><h2>用例 × 模型</h2><table><tr><th>用例</th>"
               + "".join(f"<th>{e(c)}</th>" for c in data["columns"]) + "</tr>")
    for case in data["cases"]:
        out.append(f"<tr><td>{e(case)}</td>")
        for col in data["columns"]:
            r = data["cell"].get((case, col))
            if r is None:
                out.append("<td></td>")
                continue
            cls = "pass" if r["passed"] else "fail"
            reasons = "".join(f"<br><small>{e(x)}</small>" for x in _reasons(r))
            out.append(f"<td class='{cls}'>{'通过' if r['passed'] else '未通过'} {r['score']:.2f}{reasons}</td>")
        out.append("</tr>")
    out.append("</table><h2>各项检查得分</h2>")
    for col in data["columns"]:
        out.append(f"<h3>{e(col)}</h3><table><tr><th>用例</th>"
                   + "".join(f"<th>{CHECK_NAMES_ZH[c]}</th>" for c in checks) + "</tr>")
        for case in data["cases"]:
            r = data["cell"].get((case, col))
            if r is None:
                continue
            out.append(f"<tr><td>{e(case)}</td>")
            for c in checks:
                res = r.get("checks", {}).get(c)
                if res is None:
                    out.append("<td>—</td>")
                else:
                    out.append(f"<td class='{'pass' if res['passed'] else 'fail'}'>{res['score']:.2f}</td>")
            out.append("</tr>")
        out.append("</table>")
    if data["previous_name"]:
        out.append("<h2>与上次相比的变化</h2><ul>")
        for ch in data["changes"]:
            arrow = "通过 → 未通过" if ch["before"] else "未通过 → 通过"
            out.append(f"<li>{e(ch['case'])}（{e(ch['column'])}）：{arrow} <small>{e('；'.join(ch['reasons']))}</small></li>")
        if not data["changes"]:
            out.append("<li>无变化</li>")
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out)


def write_reports(rows: list[dict[str, Any]], base: Path, previous: Path | None = None) -> tuple[Path, Path]:
    """Write ``<base>.md`` and ``<base>.html``; returns their paths."""
    prev_rows = read_rows(previous) if previous and previous.is_file() else None
    data = build(rows, prev_rows, previous.name if prev_rows is not None and previous else None)
    md = base.with_name(base.name + ".md")
    page = base.with_name(base.name + ".html")
    md.write_text(render_markdown(data), encoding="utf-8")
    page.write_text(render_html(data), encoding="utf-8")
    return md, page
