"""Registry of drafting variants the eval runner can call: ``pipeline`` (the section-by-section engine) and
``naive`` (one prompt: facts + the top retrieved example → whole summary) are registered by the drafting
engine; the runner itself never drafts.

A provider module registers its variants at import time::

    from evals.variants import DraftResult, register_variant

    def draft_pipeline(facts, options):
        ...
        return DraftResult(text=..., examples=[...], meta={...})

    register_variant("pipeline", draft_pipeline)

The runner imports every module listed in ``PROVIDER_MODULES`` and in the environment variable
``DRAFTER_EVAL_VARIANTS`` (comma-separated) before looking a variant up.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drafter.facts import Facts

# Modules that register variants when imported; a missing module is skipped (the engine may not exist yet).
PROVIDER_MODULES: tuple[str, ...] = ("drafter.eval_variants",)
ENV_VAR = "DRAFTER_EVAL_VARIANTS"


@dataclass
class DraftOptions:
    """What the runner tells a variant about the draft it wants."""

    model: str | None  # model name from --model (None: the configured default)
    case_id: str
    case_dir: Path | None  # directory of the case file (for case-local resources)
    exclude_doc_ids: tuple[str, ...] = ()  # leave-one-out: corpus documents retrieval must not return
    workdir: Path | None = None  # where the variant may save intermediate stages
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class DraftResult:
    text: str
    examples: list[str] = field(default_factory=list)  # the retrieved example texts the draft was written from
    meta: dict[str, Any] = field(default_factory=dict)  # anything worth keeping: timings, tokens, doc ids


DraftFn = Callable[[Facts, DraftOptions], DraftResult]


class VariantNotFound(LookupError):
    """No variant registered under that name."""


_REGISTRY: dict[str, DraftFn] = {}


def register_variant(name: str, fn: DraftFn) -> None:
    """Register (or replace) the drafting function of a variant."""
    if not name or not callable(fn):
        raise ValueError("register_variant needs a name and a callable")
    _REGISTRY[name] = fn


def unregister_variant(name: str) -> None:
    _REGISTRY.pop(name, None)


def load_providers() -> list[str]:
    """Import the provider modules; returns the problems met (a module that fails to import for another reason
    than being absent is reported, not hidden)."""
    problems: list[str] = []
    extra = [m.strip() for m in os.environ.get(ENV_VAR, "").split(",") if m.strip()]
    for module in (*PROVIDER_MODULES, *extra):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module and not module.startswith(f"{exc.name}."):
                problems.append(f"{module}：{exc}")
            elif module in extra:
                problems.append(f"{module}：模块不存在")
        except Exception as exc:  # a provider that crashes on import must be visible
            problems.append(f"{module}：{type(exc).__name__}: {exc}")
    return problems


def available_variants() -> list[str]:
    load_providers()
    return sorted(_REGISTRY)


def get_variant(name: str) -> DraftFn:
    """The drafting function of ``name``; raises ``VariantNotFound`` with a fix-it message."""
    problems = load_providers()
    if name in _REGISTRY:
        return _REGISTRY[name]
    known = "、".join(sorted(_REGISTRY)) or "（无）"
    hint = (f"起草变体“{name}”尚未注册（已注册：{known}）。起草引擎需在 {PROVIDER_MODULES[0]} 中调用 "
            f"evals.variants.register_variant(\"{name}\", fn)，或用环境变量 {ENV_VAR} 指定注册模块；"
            "也可用 --drafts 目录检查已写好的草稿。")
    if problems:
        hint += " 导入问题：" + "；".join(problems)
    raise VariantNotFound(hint)
