"""Prompt templates as files: ``prompts/<name>.yaml`` with ``variables``, ``system`` and ``user``.

``prompts/`` is the package ``prompts``, shipped as package data and read with ``importlib.resources``, so an
editable install, a wheel and a zip import all find the same files.

Placeholders are ``${name}`` (string.Template). A template declares every variable it uses; rendering fails
loudly on a missing or undeclared variable, and loading fails when the declaration and the text disagree.
A template may list ``choices`` for a variable (wordings the caller takes in turn with ``choice``, so that the
pieces of one draft are not written to one pattern); each must be a declared variable.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

PROMPTS_PACKAGE = "prompts"


class PromptError(ValueError):
    """A template that is missing, malformed, or rendered without all its variables."""


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    variables: tuple[str, ...]
    system: string.Template
    user: string.Template
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def render(self, **values: object) -> list[dict[str, str]]:
        missing = [v for v in self.variables if v not in values]
        extra = [v for v in values if v not in self.variables]
        if missing or extra:
            raise PromptError(f"模板 {self.name}：缺少变量 {missing}，多余变量 {extra}")
        text = {k: "" if v is None else str(v) for k, v in values.items()}
        return [
            {"role": "system", "content": self.system.substitute(text).strip()},
            {"role": "user", "content": self.user.substitute(text).strip()},
        ]


def _placeholders(template: string.Template) -> set[str]:
    found = set()
    for match in template.pattern.finditer(template.template):
        name = match.group("named") or match.group("braced")
        if name:
            found.add(name)
        elif match.group("invalid") is not None:
            raise PromptError(f"模板中有无效的占位符：{template.template[match.start():match.start() + 20]!r}")
    return found


def prompt_files() -> Traversable:
    """The installed templates' folder."""
    try:
        return resources.files(PROMPTS_PACKAGE)
    except ModuleNotFoundError as exc:
        raise PromptError(
            f"找不到提示词模板包 {PROMPTS_PACKAGE}：安装不完整，请重新安装 drafter（make setup 或 pip install .）"
        ) from exc


def prompt_names() -> list[str]:
    """Every template shipped with drafter, by name."""
    return sorted(f.name.removesuffix(".yaml") for f in prompt_files().iterdir() if f.name.endswith(".yaml"))


@cache
def load_prompt(name: str, directory: Traversable | Path | None = None) -> PromptTemplate:
    """The template ``name`` from the installed templates (or from ``directory``)."""
    path = (directory if directory is not None else prompt_files()) / f"{name}.yaml"
    if not path.is_file():
        raise PromptError(f"找不到提示词模板 {name}.yaml（{path}）")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PromptError(f"提示词模板 {name}.yaml 格式有误：{exc}") from exc
    variables = tuple(data.get("variables") or ())
    system, user = string.Template(data.get("system", "")), string.Template(data.get("user", ""))
    used = _placeholders(system) | _placeholders(user)
    if used != set(variables):
        raise PromptError(f"模板 {name}：声明的变量 {sorted(variables)} 与正文使用的 {sorted(used)} 不一致")
    choices = data.get("choices") or {}
    if not isinstance(choices, dict) or any(
            k not in variables or not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v)
            for k, v in choices.items()):
        raise PromptError(f"模板 {name}：choices 应为“已声明变量: [非空的文字列表]”，现为 {choices!r}")
    return PromptTemplate(name, variables, system, user, tuple((k, tuple(v)) for k, v in choices.items()))


def choice(name: str, variable: str, index: int) -> str:
    """The ``index``-th wording (in turn) the template ``name`` lists for ``variable``."""
    options = dict(load_prompt(name).choices).get(variable)
    if not options:
        raise PromptError(f"模板 {name}：没有为变量 {variable} 列出 choices")
    return options[index % len(options)]


def render(name: str, **values: object) -> list[dict[str, str]]:
    return load_prompt(name).render(**values)


def quote_data(text: str) -> str:
    """Facts as data: one line, no line breaks or fences a value could use to escape its block."""
    return re.sub(r"\s+", " ", text.replace("```", "'''")).strip()
