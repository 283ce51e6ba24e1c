"""The shape of the code (docs/architecture.md), read from the imports of every module under
``src/``: no import cycle, the core knowing no module, the modules knowing neither the
command line nor the plugin machinery, and the core no adapter.

Every import counts: at the top, inside a function, or under ``TYPE_CHECKING`` (a cycle that
only the type checker sees is still two modules that cannot be understood apart) — but for
the lazy import of a module-level ``__getattr__`` that serves deprecated names from their new
home (docs/versioning.md), which goes away with them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

SOURCES = Path(__file__).resolve().parents[1] / "src"
MODULES = frozenset({"slots", "notifications", "roster", "interventions", "pickup"})
"""The packages of caredomain that hold one capability each: its domain, ports, use cases."""
COMPOSITION = frozenset(
    {"", "__main__", "cli", "configuration", "embedding", "hookspecs", "plugins", "testing"}
)
"""What puts the modules together (the public API's re-exports, the command line, the
configuration document, the plugin contract and manager, embedding, the test helpers):
these may know every module."""


def _name(path: Path) -> str:
    root = SOURCES / "adapters" if path.is_relative_to(SOURCES / "adapters") else SOURCES
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _files() -> dict[str, Path]:
    return {
        _name(path): path
        for path in SOURCES.rglob("*.py")
        if path.is_relative_to(SOURCES / "adapters") or path.is_relative_to(SOURCES / "caredomain")
    }


def _imported(name: str, path: Path) -> Iterator[str]:
    """The modules of ``src/`` that the module ``name`` imports."""
    files = _files()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text("utf-8"))
    deprecated = {
        id(inner)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in deprecated:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from package import submodule` imports the submodule, not the package's names
            submodules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in files]
            targets = submodules if len(submodules) == len(node.names) else [base, *submodules]
        else:
            continue
        for target in targets:
            known = target
            while known and known not in files:
                known = known.rpartition(".")[0]
            if known and known != name:
                yield known


@cache
def _graph() -> dict[str, frozenset[str]]:
    return {name: frozenset(_imported(name, path)) for name, path in _files().items()}


def _part(name: str) -> str:
    """``slots`` for ``caredomain.slots.agenda``; ``""`` for ``caredomain`` itself."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def _layer(name: str) -> str:
    if not name.startswith("caredomain.") and name != "caredomain":
        return "adapter"
    part = _part(name)
    return "module" if part in MODULES else "composition" if part in COMPOSITION else "core"


def _cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_the_code() -> None:
    graph = _graph()
    assert {"caredomain.ports", "caredomain.slots.agenda", "caredomain_sqlite.store"} <= set(graph)
    assert "caredomain.errors" in graph["caredomain.ports"]
    assert "caredomain.slots.ports" in graph["caredomain_sql.slots"]


def test_no_import_cycle_anywhere_under_src() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_check_sees_a_cycle_through_any_number_of_modules() -> None:
    graph = dict(_graph())
    graph["caredomain.errors"] = graph["caredomain.errors"] | {"caredomain.ports"}
    assert any({"caredomain.errors", "caredomain.ports"} <= set(c) for c in _cycles(graph))
    ring = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    assert _cycles(ring) == [["a", "b", "c"]]


def test_the_core_imports_no_module_and_nothing_that_composes_them() -> None:
    wrong = {
        name: sorted(t for t in targets if _layer(t) in {"module", "composition", "adapter"})
        for name, targets in _graph().items()
        if _layer(name) == "core"
    }
    assert {name: targets for name, targets in wrong.items() if targets} == {}


def test_a_module_imports_neither_the_command_line_nor_the_plugin_machinery() -> None:
    wrong = {
        name: sorted(t for t in targets if _layer(t) in {"composition", "adapter"})
        for name, targets in _graph().items()
        if _layer(name) == "module"
    }
    assert {name: targets for name, targets in wrong.items() if targets} == {}


def test_caredomain_imports_no_adapter_anywhere() -> None:
    wrong = {
        name: sorted(t for t in targets if _layer(t) == "adapter")
        for name, targets in _graph().items()
        if _layer(name) != "adapter"
    }
    assert {name: targets for name, targets in wrong.items() if targets} == {}
