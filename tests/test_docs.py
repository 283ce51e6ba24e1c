"""Every hook is documented in docs/plugins.md and has a test of its own."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
from pathlib import Path

import pytest

from caredomain import hookspecs
from caredomain.plugins import load_plugins

ROOT = Path(__file__).parents[1]
HOOKS = sorted(
    name
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
    if name.startswith("caredomain_")
)


def _test_names() -> set[str]:
    names = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        }
    return names


def test_there_are_hooks() -> None:
    assert len(HOOKS) >= 4


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented(hook: str) -> None:
    reference = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert re.search(rf"^### {hook}$", reference, re.MULTILINE), f"{hook} not in docs/plugins.md"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test_of_its_own(hook: str) -> None:
    tests = _test_names()
    assert any(name.startswith(f"test_hook_{hook}") for name in tests), (
        f"no test named test_hook_{hook}_… for {hook}"
    )


def _documented_modules() -> set[str]:
    pages = (ROOT / "docs" / "reference").glob("*.md")
    return {
        match.group(1)
        for page in pages
        for match in re.finditer(r"^::: ([\w.]+)$", page.read_text(encoding="utf-8"), re.M)
    }


def _public_packages() -> set[str]:
    core = {
        ".".join(("caredomain", *path.parent.relative_to(ROOT / "src" / "caredomain").parts))
        for path in (ROOT / "src" / "caredomain").rglob("__init__.py")
        if "__all__" in path.read_text(encoding="utf-8")
    }
    adapters = {path.parent.name for path in (ROOT / "src" / "adapters").glob("*/__init__.py")}
    # The command line's public face is its commands, documented in the guides, not Python.
    return (core | adapters) - {"caredomain.cli"}


def test_every_public_package_has_its_reference_page() -> None:
    missing = _public_packages() - _documented_modules()
    assert not missing, f"no `::: name` in docs/reference/ for {sorted(missing)}"


def test_the_readme_plugin_snippet_loads_as_its_entry_point_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Writing a plugin") :]
    (entry,) = re.findall(r'^audit_trail = "([^"]+)"', section, re.M)
    (code,) = re.findall(r"```python\n# (\w+)\.py\n(.*?)```", section, re.S)
    module_name, _, attribute = entry.partition(":")
    assert code[0] == module_name
    (tmp_path / f"{module_name}.py").write_text(code[1], encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    # the snippet's module must not stay in sys.modules, where it would hide
    # examples/audit_trail_plugin.py (same name) from the plugin tests run after it
    monkeypatch.delitem(sys.modules, module_name, raising=False)
    try:
        module = importlib.import_module(module_name)
    finally:
        sys.modules.pop(module_name, None)
    plugin = getattr(module, attribute) if attribute else module
    plugins = load_plugins({}, extra=[("audit_trail", plugin)])
    assert "audit_trail" in plugins.names


ARCHITECTURE = ROOT / "docs" / "architecture.md"
# A path under src/ or tests/ as the page writes it: ends on a letter, a digit or a slash,
# so that the punctuation after it is not part of it.
_PATH = re.compile(r"(?<![\w/.-])((?:src|tests)/[\w./-]*[\w/])")


def _architecture_paths(top: str) -> list[str]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    return sorted({path for path in _PATH.findall(text) if path.startswith(f"{top}/")})


def test_the_architecture_page_names_where_each_seed_rule_lives() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    assert re.search(r"^## Where each seed rule lives$", text, re.MULTILINE)
    assert len(_architecture_paths("src")) >= 20
    assert len(_architecture_paths("tests")) >= 10


@pytest.mark.parametrize("top", ["src", "tests"])
def test_every_path_on_the_architecture_page_exists(top: str) -> None:
    missing = [path for path in _architecture_paths(top) if not (ROOT / path).exists()]
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"


@pytest.mark.parametrize("page", sorted((ROOT / "docs").glob("*.md")), ids=lambda p: p.name)
def test_every_path_a_guide_names_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    missing = sorted(p for p in set(_PATH.findall(text)) if not (ROOT / p).exists())
    assert not missing, f"docs/{page.name} names paths that do not exist: {missing}"
