"""A wheel, not the checkout, can render every prompt: the templates are package data read with importlib.resources.
Its data directory is the user's (``$XDG_DATA_HOME/drafter``), not ``site-packages/data``.

The wheel is built offline from a copy of the sources with this venv's pip and setuptools (no build isolation,
no index), installed with ``pip --target`` into a temp folder, and used from a working directory outside the
repo. Part of ``make test`` and CI (marker ``packaging``, never skipped).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "drafter", "vectorstore", "evals", "prompts")

pytestmark = pytest.mark.packaging

RENDER = r"""
import json, sys
from drafter import prompts
from drafter.settings import Settings

out = {"drafter": prompts.__file__, "folder": str(prompts.prompt_files()), "home": str(Settings().home),
       "rendered": {}}
for name in prompts.prompt_names():
    template = prompts.load_prompt(name)
    values = {v: f"<<{v}>>" for v in template.variables}
    out["rendered"][name] = {"variables": list(template.variables), "messages": template.render(**values)}
    try:
        template.render(**dict(list(values.items())[1:]))
    except prompts.PromptError as exc:
        out["rendered"][name]["missing"] = str(exc)
from drafter.checks.grounding import genre_nouns
from drafter.checks.prose import rules
out["genre_nouns"], out["prose_rules"] = len(genre_nouns()), len(rules().off_register)  # the checks' data files
json.dump(out, sys.stdout, ensure_ascii=False)
"""


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, cmd))}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_an_installed_wheel_renders_every_prompt(tmp_path):
    try:
        import wheel  # noqa: F401  (setuptools < 70.1 builds wheels through it)
    except ImportError:
        pytest.fail("构建 wheel 需要 wheel 包：它在 dev 依赖里，请运行 make setup（pip install -e '.[dev]'）")
    src = tmp_path / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "results")
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    dist, target, elsewhere = tmp_path / "dist", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(dist), str(src)], cwd=tmp_path)
    (built,) = dist.glob("drafter-*.whl")
    run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(target),
         str(built)], cwd=tmp_path)

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DRAFTER_HOME")}
    env |= {"PYTHONPATH": str(target), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    out = json.loads(run([sys.executable, "-s", "-c", RENDER], cwd=elsewhere, env=env).stdout)

    assert Path(out["drafter"]).is_relative_to(target) and Path(out["folder"]).is_relative_to(target), out
    assert out["home"] == str(tmp_path / "xdg" / "drafter")  # data never goes into site-packages
    assert out["genre_nouns"] > 100 and out["prose_rules"] > 10
    shipped = sorted(p.stem for p in (REPO / "prompts").glob("*.yaml"))
    assert shipped and sorted(out["rendered"]) == shipped
    for name, result in out["rendered"].items():
        system, user = result["messages"]
        assert system["role"] == "system" and user["role"] == "user" and system["content"] and user["content"]
        text = system["content"] + user["content"]
        assert all(f"<<{v}>>" in text for v in result["variables"]), name
        if result["variables"]:
            assert "缺少变量" in result["missing"], name  # a missing variable still fails loudly
