"""The shape of the code: no module imports in a circle, each service keeps to its own room, and `shared/`
depends on no app.

Read from the source with `ast`, so an import inside a function counts as much as one at the top: a
circle hidden in a function still makes the order of first use matter.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("shared", "services", "gateway", "cli")
SERVICES = ("goals", "budget", "audit")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules_below(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Every first-party module by its dotted name; migrations are scripts alembic loads, not modules."""
    return {
        module_name(path, root): path
        for package in packages
        for path in (root / package).rglob("*.py")
        if "migrations" not in path.parts
    }


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def imported_by(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The first-party modules `module` imports (a `from package import name` counts the package and, where
    `name` is a module, that module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, path, node)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name in known and name != module}


def import_graph(root: Path, packages: Iterable[str]) -> dict[str, set[str]]:
    known = modules_below(root, packages)
    return {module: imported_by(module, path, known) for module, path in known.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            step = next(edges, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph[step]))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_no_module_imports_in_a_circle() -> None:
    assert circles(import_graph(ROOT, PACKAGES)) == []


def test_a_service_never_imports_another_service_and_shared_imports_no_app() -> None:
    graph = import_graph(ROOT, PACKAGES)
    crossing = []
    for module, imports in graph.items():
        for target in imports:
            if module.startswith("shared") and not target.startswith("shared"):
                crossing.append((module, target))
            for service in SERVICES:
                own = f"services.{service}"
                if module.startswith(own) and target.startswith("services.") and not target.startswith(own):
                    crossing.append((module, target))
    assert crossing == []


def test_the_scan_sees_a_circle_through_a_function_level_import(tmp_path: Path) -> None:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "charts.py").write_text("from app.text import label\n")
    (package / "text.py").write_text("def label():\n    from . import charts\n    return charts\n")
    (package / "alone.py").write_text("import app.text\n")
    assert circles(import_graph(tmp_path, ["app"])) == [["app.charts", "app.text"]]
