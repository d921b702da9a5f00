"""CLI sub-commands for the corpus: ``drafter ingest``, ``drafter search``, ``drafter corpus``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from drafter.settings import Settings, get_settings
from vectorstore.classify import CANONICAL_TYPES

DEMO_CORPUS = Path(__file__).resolve().parent / "demo_corpus"


def demo_corpus_files() -> list[Path]:
    """The fictional summaries shipped with drafter (the folder's README is not a document)."""
    return sorted(DEMO_CORPUS.glob("*.txt"))


def _settings(args: argparse.Namespace) -> Settings:
    settings = get_settings()
    if getattr(args, "db", None):
        settings = settings.model_copy(update={"chroma_path": Path(args.db), "chroma_url": None})
    return settings


def _store(args: argparse.Namespace):
    from vectorstore.store import CorpusStore

    return CorpusStore(_settings(args))


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    paths = [Path(p) for p in args.paths] or demo_corpus_files()
    store = _store(args)
    bar = tqdm(total=0, unit="文件", desc="入库", disable=args.quiet or not sys.stderr.isatty())

    def progress(i: int, total: int, name: str) -> None:
        if bar.total != total:
            bar.total = total
            bar.refresh()
        bar.set_postfix_str(name[:30])
        bar.update(1)

    report = store.ingest(paths, progress=progress)
    bar.close()
    print(report.summary())
    if args.verbose:
        for source, encoding in report.encodings.items():
            print(f"  {Path(source).name}：编码 {encoding}")
    print(f"语料库共 {store.count()} 条记录（{store.settings.chroma_url or store.settings.chroma_dir}）")
    return 1 if report.files_seen and not report.files_read and not report.unchanged else 0


def cmd_search(args: argparse.Namespace) -> int:
    store = _store(args)
    hits = store.search(args.query, k=args.k, kind="document" if args.documents else "section",
                        section_type=args.section, genre=args.genre, unit_type=args.unit_type, mode=args.mode)
    if not hits:
        print("没有找到匹配的范文。可先运行 drafter ingest 导入语料，或放宽筛选条件。")
        return 1
    if args.section == "auto":
        print(f"按查询文字判断的段落类型：{hits[0].section_type}")
    for rank, hit in enumerate(hits, 1):
        print(f"{rank}. [{hit.score:.4f}] {hit.title}（{hit.source_name}）")
        print(f"   {hit.section_type} · {hit.heading} · 稠密排名 {hit.dense_rank or '-'} · 词项排名 {hit.lexical_rank or '-'}")
        snippet = hit.text.replace("\n", " ")
        print(f"   {snippet[:args.width]}{'…' if len(snippet) > args.width else ''}")
    return 0


def cmd_corpus(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.remove:
        removed = store.remove(args.remove)
        if not removed:
            print(f"语料库中没有来源“{args.remove}”。用 drafter corpus 查看已导入的文件。", file=sys.stderr)
            return 1
        print(f"已移除来源 {removed} 个：{args.remove}")
        return 0
    docs = store.documents()
    if not docs:
        print("语料库为空。运行 drafter ingest PATH 导入往年材料（不带参数则导入内置示例语料）。")
        return 0
    from vectorstore.loading import file_format

    print(f"{'文种':<6}{'单位类型':<6}{'年份':<6}{'段落':<4} 标题（来源 · 格式）")
    for d in docs:
        print(f"{d.genre:<6}{d.unit_type or '-':<6}{d.year or '-':<6}{d.sections:<4} {d.title}"
              f"（{Path(d.source).name} · {file_format(d.source, d.encoding)}）")
    print(f"共 {len(docs)} 篇文档")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="导入往年材料（txt/md/docx/doc/wps/rtf/odt/pdf/ofd，文件夹递归）到语料库")
    p.add_argument("paths", nargs="*", help="文件或文件夹；不填则导入内置示例语料")
    p.add_argument("--db", help="本地 Chroma 目录（默认 <DRAFTER_HOME>/chroma）")
    p.add_argument("-v", "--verbose", action="store_true", help="列出每个文件识别出的编码或格式")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="检索范文段落")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--section", choices=[*CANONICAL_TYPES, "导语", "auto"],
                   help="段落类型，如 存在问题；auto 表示按查询文字自动判断")
    p.add_argument("--genre", help="文种，如 工作总结")
    p.add_argument("--unit-type", dest="unit_type", help="单位类型，如 乡镇")
    p.add_argument("--documents", action="store_true", help="检索整篇文档而不是段落")
    p.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    p.add_argument("--width", type=int, default=80, help="每条结果显示的字数")
    p.add_argument("--db")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("corpus", help="列出或移除语料库中的文档")
    p.add_argument("--remove", metavar="SOURCE", help="移除某个来源文件（完整路径或文件名）")
    p.add_argument("--db")
    p.set_defaults(func=cmd_corpus)
