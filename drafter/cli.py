"""The ``drafter`` command line: one sub-command per module listed in COMMAND_MODULES.

Each module exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a callable taking the
parsed arguments and returning an exit code. Modules are imported only when the CLI runs.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys

COMMAND_MODULES: tuple[str, ...] = (
    "vectorstore.cli",
    "drafter.llm.cli",
    "evals.cli",
    "drafter.commands",
    "drafter.webapp.launch",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="drafter", description="工作总结起草助手：语料入库、检索、起草、检查、评测")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def fix_it(exc: BaseException) -> str | None:
    """The one-line Chinese fix-it text for a failure the user can fix, or None for a bug (shown as a traceback)."""
    import json

    from drafter.facts import FactsError
    from drafter.prompts import PromptError

    message = getattr(exc, "user_message", None)  # LLMError and the other drafter errors that carry one
    if message:
        return str(message)
    if isinstance(exc, FactsError):
        text = "；".join(m for _, m in exc.problems)
        return text if all(not path for path, _ in exc.problems) else f"事实文件有误：{text}"
    if isinstance(exc, PromptError):
        return f"{exc}（提示词模板随 drafter 安装，请重新安装或恢复 prompts/ 中的文件）"
    if isinstance(exc, FileNotFoundError):
        if exc.filename is None and exc.args:  # raised by drafter with its own text, e.g. not a run directory
            return f"{exc.args[0]}。请检查路径是否正确。"
        return f"找不到文件或目录：{exc.filename or exc}。请检查路径是否正确。"
    if isinstance(exc, IsADirectoryError):
        return f"这里需要文件，给的却是目录：{exc.filename or exc}。请检查路径。"
    if isinstance(exc, NotADirectoryError):
        return f"路径中有一段不是目录：{exc.filename or exc}。请检查路径（如 --out）。"
    if isinstance(exc, PermissionError):
        return f"没有权限读写：{exc.filename or exc}。请检查文件权限，或换一个目录（如 --out）。"
    if isinstance(exc, json.JSONDecodeError):
        return (f"JSON 文件已损坏（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）。"
                "草稿目录中的 .json 文件如被手工改动，请改回有效的 JSON 或重新起草。")
    return None


def _quiet_stdout() -> None:
    """The reader of stdout is gone (`drafter search … | head`): send what is left, and the flush at exit, nowhere."""
    import os

    with contextlib.suppress(OSError, ValueError):  # ValueError: a captured stdout without a file descriptor
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here rather than in the interpreter's final flush
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except KeyboardInterrupt:
        print("\n已中断。", file=sys.stderr)
        return 130
    except Exception as exc:  # a failure with a fix-it text: one line, no traceback
        message = fix_it(exc)
        if message is None:
            raise
        print(f"错误：{message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
