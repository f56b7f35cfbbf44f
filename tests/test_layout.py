"""The packages show their parts: no import circle, no package of more than 15 modules at one level,
and each package's public API in its ``__init__`` (a sorted ``__all__`` whose every name resolves).

The import graph is read from the source with ``ast``: an edge for each ``import`` or ``from … import``
at module level, including those under ``if TYPE_CHECKING:`` (a circle there still means two modules
that cannot be read, or moved, one without the other). Imports inside functions are the deliberate
lazy ones (a prober's libraries load when its first probe runs) and are not edges. A package's
``__init__`` is a node like any module; importing ``a.b.c`` also runs ``a/__init__`` and
``a/b/__init__``, but those implicit edges are not drawn: every package would otherwise be in a
circle with each module that its ``__init__`` re-exports.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Every package of ours that the graph includes (the generated chainpb imports only protobuf).
OURS = (
    "yamlsafe",
    "slo",
    "sim",
    "probes",
    "recorded",
    "testbed",
    "cosmostx",
    "loadtest",
    "demo",
    "slo_harness",
)
# Every package of ours is laid out by concern.
LAID_OUT = ("probes", "sim", "slo", "slo_harness", "testbed")
MAX_MODULES = 15


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in OURS:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _module_level(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements run when the module is imported: not inside functions or classes."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If | ast.Try | ast.With):
            for block in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(node, block, []):
                    yield from _module_level(child.body if isinstance(child, ast.ExceptHandler) else [child])


def imports_of(name: str, path: Path) -> set[str]:
    """The modules of ours that ``name`` imports at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in _module_level(tree.body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in MODULES)
            continue
        base = package[: len(package) - node.level + 1] if node.level else []
        source = ".".join([*base, *([node.module] if node.module else [])])
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            if submodule in MODULES:
                found.add(submodule)
            elif source in MODULES:
                found.add(source)
    found.discard(name)
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


GRAPH = {name: imports_of(name, path) for name, path in MODULES.items()}


def test_the_circle_finder_finds_a_circle_through_type_checking_imports() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from probes.config import Module\n"
    tree = ast.parse(source)
    assert [type(node).__name__ for node in _module_level(tree.body)] == ["ImportFrom", "ImportFrom"]


def test_the_graph_reads_relative_absolute_and_submodule_imports() -> None:
    assert "probes.config" in GRAPH["probes.probers.dispatch"]
    assert "slo.foundation.lazy_api" in GRAPH["probes"]
    assert "probes.schedule.store" in GRAPH["probes"]  # under TYPE_CHECKING
    assert "probes.probers.http_prober" not in GRAPH["probes.probers.dispatch"]  # imported on first use


@pytest.mark.parametrize("package", LAID_OUT)
def test_no_import_circle(package: str) -> None:
    inside = [c for c in circles(GRAPH) if any(m == package or m.startswith(f"{package}.") for m in c)]
    assert inside == [], "; ".join(f"an import circle among {', '.join(c)}" for c in inside)


@pytest.mark.parametrize("package", LAID_OUT)
def test_no_package_of_more_than_15_modules(package: str) -> None:
    crowded = {}
    for folder in [ROOT / package, *(p.parent for p in (ROOT / package).rglob("*/__init__.py"))]:
        count = sum(1 for p in folder.glob("*.py") if p.name != "__init__.py")
        if count > MAX_MODULES:
            crowded[str(folder.relative_to(ROOT))] = count
    assert crowded == {}


def _packages(package: str) -> list[str]:
    return sorted(
        name
        for name, path in MODULES.items()
        if path.name == "__init__.py" and (name == package or name.startswith(f"{package}."))
    )


@pytest.mark.parametrize("package", [p for top in LAID_OUT for p in _packages(top)])
def test_public_api_is_a_sorted_all_whose_names_resolve(package: str) -> None:
    module = importlib.import_module(package)
    names = list(module.__all__)
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))  # constants first, as ruff sorts
    assert names, f"{package} has an empty __all__"
    for name in names:
        assert getattr(module, name) is not None, name
    assert set(names) <= set(dir(module))
    assert not hasattr(module, "no_such_name")
