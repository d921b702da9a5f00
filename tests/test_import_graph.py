"""The import graph between the packages: vectorstore uses only drafter's Chinese text layer and settings, and
that layer (drafter.zh) stands on its own, so there is no drafter ↔ vectorstore cycle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, at the top or inside a function. ``from a import b`` yields
    ``a.b`` (b may be a module or a name in a) and, only when b names nothing, ``a``; relative imports are
    resolved against the file's package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    package = parts[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names if alias.name != "*"]
            if any(alias.name == "*" for alias in node.names):
                found.append((node.lineno, base))
    return found


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def violations(package: str, allowed: tuple[str, ...], forbidden: tuple[str, ...], root: Path = ROOT) -> list[str]:
    """Imports of ``forbidden`` packages outside ``allowed`` in any module of ``package``."""
    out = []
    for path in sorted((root / package.replace(".", "/")).rglob("*.py")):
        for line, module in imported_modules(path, root):
            if _within(module, forbidden) and not _within(module, allowed):
                out.append(f"{path.relative_to(root).as_posix()}:{line} imports {module}")
    return out


def test_vectorstore_uses_only_the_text_layer_and_settings_of_drafter() -> None:
    assert violations("vectorstore", ("drafter.zh", "drafter.settings"), ("drafter",)) == []


def test_the_text_layer_imports_neither_drafter_nor_vectorstore() -> None:
    assert violations("drafter.zh", ("drafter.zh",), ("drafter", "vectorstore")) == []
    # importing drafter.zh runs drafter/__init__.py first: it must not pull the rest of drafter in
    assert [m for _, m in imported_modules(ROOT / "drafter" / "__init__.py")
            if _within(m, ("drafter", "vectorstore"))] == []


def test_every_kind_of_import_is_seen(tmp_path: Path) -> None:
    (tmp_path / "vectorstore" / "sub").mkdir(parents=True)
    (tmp_path / "vectorstore" / "sub" / "mod.py").write_text(
        "import drafter.facts\n"
        "from drafter import zh, outline\n"
        "from drafter.zh.numbers import extract_numbers\n"
        "from drafter.settings import get_settings\n"
        "from .. import cleaning\n"
        "def late():\n"
        "    from drafter.numbers import extract_numbers\n"
        "    import drafter\n", "utf-8")
    found = violations("vectorstore", ("drafter.zh", "drafter.settings"), ("drafter",), root=tmp_path)
    assert found == [
        "vectorstore/sub/mod.py:1 imports drafter.facts",
        "vectorstore/sub/mod.py:2 imports drafter.outline",
        "vectorstore/sub/mod.py:7 imports drafter.numbers.extract_numbers",
        "vectorstore/sub/mod.py:8 imports drafter",
    ]
    assert (5, "vectorstore.cleaning") in imported_modules(tmp_path / "vectorstore" / "sub" / "mod.py", tmp_path)
