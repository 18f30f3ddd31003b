"""The package's imports run one way: a stage imports the model and earlier stages, never a later one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "localgov"

# Stages in order. A module may import its own stage and the stages before it, nothing after.
STAGES: tuple[tuple[str, ...], ...] = (
    ("localgov", "localgov.errors", "localgov.model", "localgov.urls"),
    ("localgov.load",),
    ("localgov.postcodes",),
    ("localgov.resolve",),
    ("localgov.checks", "localgov.style"),
    ("localgov.compose",),
    ("localgov.render",),
    ("localgov.search",),
    ("localgov.index",),
    ("localgov.build",),
    ("localgov.commands",),
    ("localgov.cli", "localgov.__main__"),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> int:
    """Return the index of the stage a module belongs to: the longest prefix that names one."""
    best, found = -1, -1
    for number, prefixes in enumerate(STAGES):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), number
    if found < 0:
        raise AssertionError(f"{module} is in no stage: add it to STAGES")
    return found


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """Return the package's modules that `path` imports anywhere in it (functions included)."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name in modules and name != me:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    return {name: imports_of(path, modules) for name, path in files.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def backward_imports(edges: dict[str, set[str]]) -> list[str]:
    return sorted(f"{a} -> {b}" for a, targets in edges.items() for b in targets if stage_of(b) > stage_of(a))


def test_the_package_has_no_import_cycle() -> None:
    assert find_cycle(graph()) is None


def test_no_stage_imports_a_later_stage() -> None:
    assert backward_imports(graph()) == []


def test_the_rules_find_a_cycle_and_a_backward_import() -> None:
    edges = {"localgov.render.pages": {"localgov.index.coverage"}, "localgov.index.coverage": {"localgov.render.pages"}}
    assert find_cycle(edges) == ["localgov.index.coverage", "localgov.render.pages", "localgov.index.coverage"]
    assert backward_imports(edges) == ["localgov.render.pages -> localgov.index.coverage"]


@pytest.mark.parametrize("module", ["localgov.build", "localgov.commands.check", "localgov.cli"])
def test_only_the_cli_and_commands_reach_the_build(module: str) -> None:
    importers = {a for a, targets in graph().items() if module in targets}
    assert all(stage_of(a) >= stage_of(module) for a in importers)
