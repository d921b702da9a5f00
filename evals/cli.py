"""The ``drafter eval`` sub-command: run the eval cases and write results and reports (see evals/runner.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evals.runner import DEFAULT_CASES, DEFAULT_OUT, RunConfig, run
from evals.variants import VariantNotFound


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "eval", help="评测：起草各用例（或检查已写好的草稿），输出结果与报告",
        description="对评测用例起草并检查，写出 JSONL 结果和 Markdown/HTML 报告；通过率低于 --min-pass 时返回非零。")
    p.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="用例目录（事实文件 *.json/*.yaml）")
    p.add_argument("--case", dest="case_ids", action="append", default=[], metavar="ID", help="只跑指定用例（可多次）")
    p.add_argument("--model", dest="models", action="append", default=[], metavar="NAME",
                   help="模型名（可多次，对比多个模型）；默认用配置中的模型")
    p.add_argument("--variant", dest="variants", action="append", default=[], metavar="NAME",
                   help="起草变体：pipeline（默认）或 naive（可多次）")
    p.add_argument("--drafts", type=Path, default=None, metavar="DIR",
                   help="检查已写好的草稿：DIR/<用例>.md 或 .txt；子目录各算一个模型")
    p.add_argument("--examples", type=Path, default=None, metavar="DIR",
                   help="范文目录（*.txt），用于泄露与照抄检查")
    p.add_argument("--loo", type=Path, default=None, metavar="CORPUS_DIR",
                   help="从真实文档生成留一用例（运行时生成，不入库）")
    p.add_argument("--min-pass", type=float, default=0.8, help="最低通过率（0–1），低于则返回 1")
    p.add_argument("--workers", type=int, default=1, help="并发起草数（仅远程接口时生效）")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="结果目录")
    p.add_argument("--compare", type=Path, default=None, metavar="JSONL", help="与指定的历史结果对比（默认上一次）")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if not 0 <= args.min_pass <= 1:
        print("--min-pass 应在 0 到 1 之间", file=sys.stderr)
        return 2
    if args.workers < 1:
        print("--workers 至少为 1", file=sys.stderr)
        return 2
    if args.cases and not args.cases.is_dir():
        print(f"用例目录不存在：{args.cases}", file=sys.stderr)
        return 2
    config = RunConfig(
        cases_dir=args.cases, models=args.models, variants=args.variants, drafts_dir=args.drafts,
        out_dir=args.out, workers=args.workers, min_pass=args.min_pass, examples_dir=args.examples,
        loo_corpus=args.loo, compare=args.compare, case_ids=args.case_ids,
    )
    try:
        outcome = run(config)
    except VariantNotFound as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"通过率 {outcome.pass_rate:.0%}（{sum(r['passed'] for r in outcome.rows)}/{len(outcome.rows)}），"
          f"最低要求 {args.min_pass:.0%}")
    print(f"结果：{outcome.jsonl}")
    print(f"报告：{outcome.markdown}  {outcome.html}")
    return 0 if outcome.pass_rate >= args.min_pass else 1
