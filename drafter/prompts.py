"""Prompt templates as files: ``prompts/<name>.yaml`` with ``variables``, ``system`` and ``user``.

Placeholders are ``${name}`` (string.Template). A template declares every variable it uses; rendering fails
loudly on a missing or undeclared variable, and loading fails when the declaration and the text disagree.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


class PromptError(ValueError):
    """A template that is missing, malformed, or rendered without all its variables."""


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    variables: tuple[str, ...]
    system: string.Template
    user: string.Template

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


@cache
def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> PromptTemplate:
    path = directory / f"{name}.yaml"
    if not path.exists():
        raise PromptError(f"找不到提示词模板 {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    variables = tuple(data.get("variables") or ())
    system, user = string.Template(data.get("system", "")), string.Template(data.get("user", ""))
    used = _placeholders(system) | _placeholders(user)
    if used != set(variables):
        raise PromptError(f"模板 {name}：声明的变量 {sorted(variables)} 与正文使用的 {sorted(used)} 不一致")
    return PromptTemplate(name, variables, system, user)


def render(name: str, **values: object) -> list[dict[str, str]]:
    return load_prompt(name).render(**values)


def quote_data(text: str) -> str:
    """Facts as data: one line, no line breaks or fences a value could use to escape its block."""
    return re.sub(r"\s+", " ", text.replace("```", "'''")).strip()
