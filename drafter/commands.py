"""CLI sub-commands of the drafting engine: ``drafter draft`` and ``drafter regenerate``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from drafter.engine import DraftEngine
from drafter.facts import load_facts
from drafter.llm import LLMError
from drafter.run import Event, Run
from drafter.settings import get_settings
from drafter.writing import REWRITE_PRESETS


def _engine(args: argparse.Namespace) -> DraftEngine:
    settings = get_settings()
    if getattr(args, "model", None):
        settings = settings.model_copy(update={"llm_model": args.model})
    return DraftEngine(settings, k=getattr(args, "k", 3) or 3)


class _Printer:
    """Progress on stderr (one line per section), the streamed text only with --stream."""

    def __init__(self, stream: bool) -> None:
        self.stream = stream
        self.started = time.perf_counter()
        self.first_text: float | None = None

    def __call__(self, ev: Event) -> None:
        if ev.kind in ("delta", "preamble"):
            if self.first_text is None:
                self.first_text = time.perf_counter() - self.started
            if self.stream:
                sys.stdout.write(ev.text)
                sys.stdout.flush()
        elif ev.kind == "section_start":
            if self.stream:
                print(f"\n{ev.text}")
            print(f"\n[{time.perf_counter() - self.started:5.1f}s] 正在写：{ev.text}", file=sys.stderr)
        elif ev.kind == "repair":
            print(f"         校核发现问题，第 {ev.data['attempt']} 次修改：{'；'.join(ev.data['findings'])[:80]}",
                  file=sys.stderr)
        elif ev.kind == "restart":
            print(f"\n         {ev.data.get('message', '本地模型进程已退出，正在重启')}", file=sys.stderr)
        elif ev.kind == "section_done" and ev.data.get("updated"):
            print(f"         {ev.data.get('heading', '')}：{ev.data.get('reason', '已更新')}", file=sys.stderr)
        elif ev.kind == "section_done":
            flags = ev.data.get("flags") or []
            note = f"，{len(flags)} 处待核" if flags else ""
            print(f"         完成 {len(ev.text)} 字{note}", file=sys.stderr)
        elif ev.kind == "error":
            print(f"\n出错：{ev.data.get('message')}", file=sys.stderr)


def _summary(report: dict, run_dir: Path, elapsed: float, first_text: float | None) -> str:
    lines = [f"\n草稿目录：{run_dir}", f"用时 {elapsed:.1f} 秒" + (f"，首段文字 {first_text:.1f} 秒出现" if first_text else "")]
    checks = report.get("checks", {})
    for name, result in checks.items():
        mark = "通过" if result.get("passed") else "未通过"
        lines.append(f"  {name:<10}{mark}  得分 {result.get('score', 0):.2f}")
        for f in result.get("findings", [])[:3]:
            if f.get("severity") == "error":
                lines.append(f"      - {f['message_zh']}")
    for index, flags in (report.get("flags") or {}).items():
        for flag in flags:
            lines.append(f"  第 {int(index) + 1} 节待核：{flag['message']}")
    lines.append("输出：draft.md、draft.docx、draft.txt、report.json")
    return "\n".join(lines)


def cmd_draft(args: argparse.Namespace) -> int:
    facts = load_facts(args.facts)  # a FactsError becomes one fix-it line in drafter.cli.main
    engine = _engine(args)
    run = engine.start(facts, runs_dir=Path(args.out) if args.out else None)
    outline = run.outline
    if args.outline_only:
        for i, sec in enumerate(outline.sections):
            print(f"{i + 1}. {sec.title}（{sec.section_type}）" + ("【待补】" if sec.placeholder else ""))
            for sub in sec.subheadings:
                print(f"     - {sub}")
        print(f"提纲已保存：{run.dir / 'outline.json'}（可修改后用 drafter resume 续写）")
        return 0
    return _write(engine, run, engine.write(run), args.stream)


def _write(engine: DraftEngine, run: Run, events: Iterator[Event], stream: bool) -> int:
    printer = _Printer(stream)
    failed = False
    report: dict = {}
    try:
        for ev in events:
            printer(ev)
            failed = failed or ev.kind == "error"
            report = ev.data if ev.kind == "checks" else report
    except LLMError as exc:
        print(f"出错：{exc.user_message}", file=sys.stderr)
        failed = True
    if failed:
        print(f"已完成的段落已保存，可运行 drafter resume {run.dir} 继续。", file=sys.stderr)
        return 1
    engine.export(run, formats=("docx",))  # write() exported md and txt with the checks
    (run.dir / "report.json").write_text((run.dir / "checks.json").read_text(encoding="utf-8"), encoding="utf-8")
    print(_summary(report, run.dir, time.perf_counter() - printer.started, printer.first_text))
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    engine = _engine(args)
    run, events = engine.resume(args.run_dir)
    return _write(engine, run, events, args.stream)


def cmd_regenerate(args: argparse.Namespace) -> int:
    engine, run = _engine(args), Run.load(args.run_dir)
    index = args.section - 1
    printer = _Printer(args.stream)
    ok = True
    for ev in engine.regenerate(run, index, instruction=args.instruction or "", preset=args.preset):
        printer(ev)
        ok = ok and ev.kind != "error"
    if not ok:
        return 1
    engine.check(run)
    engine.export(run)
    print(run.sections[index].heading)
    print(run.sections[index].body)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("draft", help="根据事实文件起草（检索范文 → 提纲 → 分节写作 → 校核修正 → 导出）")
    p.add_argument("facts", help="事实文件（JSON 或 YAML）")
    p.add_argument("--out", help="草稿目录的上级目录（默认 <DRAFTER_HOME>/runs）")
    p.add_argument("--model", help="模型名（使用 OpenAI 兼容接口时）")
    p.add_argument("--k", type=int, default=3, help="检索的相似范文篇数")
    p.add_argument("--outline-only", action="store_true", help="只生成提纲，不写正文")
    p.add_argument("--stream", action="store_true", help="把生成的文字实时打印出来")
    p.set_defaults(func=cmd_draft)

    p = sub.add_parser("resume", help="续写中断的草稿（已完成的段落不重写）")
    p.add_argument("run_dir")
    p.add_argument("--stream", action="store_true")
    p.set_defaults(func=cmd_resume)

    p = sub.add_parser("regenerate", help="按要求重新生成某一节")
    p.add_argument("run_dir")
    p.add_argument("--section", type=int, required=True, help="第几节（从 1 开始）")
    p.add_argument("--instruction", help="修改要求，如“压缩到200字”")
    p.add_argument("--preset", choices=list(REWRITE_PRESETS), help="预设要求")
    p.add_argument("--stream", action="store_true")
    p.set_defaults(func=cmd_regenerate)
