"""The ``drafter`` command line: one sub-command per module listed in COMMAND_MODULES.

Each module exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a callable taking the
parsed arguments and returning an exit code. Modules are imported only when the CLI runs.
"""

from __future__ import annotations

import argparse
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


def load_saved_settings() -> None:
    """What the web app's settings page saved (``<home>/.env``: endpoint, model, key) applies to the CLI too,
    below the environment: a variable already set wins."""
    from dotenv import load_dotenv

    from drafter.settings import default_home, get_settings

    if load_dotenv(default_home() / ".env", override=False):
        get_settings.cache_clear()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    load_saved_settings()
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # `drafter search … | head`: the reader left; end quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except FileNotFoundError as exc:
        print(f"错误：找不到文件或目录：{exc.filename or exc}。请检查路径是否正确。", file=sys.stderr)
        return 1
    except Exception as exc:  # a drafter error with a Chinese fix-it text: one line, no traceback
        message = getattr(exc, "user_message", None)
        if message is None:
            from drafter.facts import FactsError
            from drafter.prompts import PromptError

            if isinstance(exc, FactsError | PromptError):
                message = str(exc)
        if message is None:
            raise
        print(f"错误：{message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
