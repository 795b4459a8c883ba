"""The shape of the code, kept: modules are split by concern, not by size (a loose guard only
catches a module grown into several: past ~600 lines, see what it holds), tui/ talks to the
store only through its facade, and the reader's modules import each other without a cycle (an
engine that needs the screen names it for the type checker only)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _modules(folder: str) -> dict[str, Path]:
    out = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(("papertray", *parts))
        out[name.removesuffix(".__init__")] = path
    return out


def _runtime_imports(path: Path) -> set[str]:
    """Modules imported when `path` runs (anywhere but under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


MOST_LINES = 600  # a guard, not a rule to cut by: a concern may take what it needs


def test_no_module_has_grown_past_the_guard() -> None:
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for folder in ("store", "tui")
        for path in _modules(folder).values()
    }
    assert {name: n for name, n in sizes.items() if n > MOST_LINES} == {}


def test_tui_imports_only_the_store_facade() -> None:
    """Neither `import papertray.store.x` nor `from papertray.store import x` of a module
    that is not one of the facade's names (its namespaces are)."""
    import papertray.store as store

    stragglers = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _modules("tui").values()
        for name in _all_imports(path)
        if name.startswith("papertray.store.")
    ]
    assert stragglers == []
    beside = [
        f"{path.relative_to(ROOT)}: {alias.name}"
        for path in _modules("tui").values()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module == "papertray.store"
        for alias in node.names
        if alias.name not in store.__all__
    ]
    assert beside == []


def test_tui_names_the_store_types_for_the_type_checker_only() -> None:
    """`papertray.store.types` loads the similarity index's module (numpy at first use) and the
    sync's: the reader imports it under `if TYPE_CHECKING:` only."""
    at_run_time = [
        str(path.relative_to(ROOT))
        for path in _modules("tui").values()
        if "papertray.store.types" in _runtime_imports(path)
    ]
    assert at_run_time == []


def _all_imports(path: Path) -> set[str]:
    """Every module `path` imports from, for the type checker too."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_reader_modules_import_without_a_cycle() -> None:
    modules = _modules("tui")
    graph = {
        name: {dep for dep in _runtime_imports(path) if dep in modules and dep != name}
        for name, path in modules.items()
    }
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            raise AssertionError("import cycle: " + " -> ".join([*trail, name]))
        if name in done:
            return
        for dep in sorted(graph[name]):
            visit(dep, [*trail, name])
        done.add(name)

    for name in graph:
        visit(name, [])


def test_the_cycle_check_sees_a_cycle(tmp_path: Path) -> None:
    """The check above can fail: a module importing the app at run time is one."""
    path = tmp_path / "engine.py"
    path.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from papertray.tui.app import PapertrayApp\n"
        "from papertray.tui import marks\n",
        encoding="utf-8",
    )
    found = _runtime_imports(path)
    assert "papertray.tui.marks" in found and "papertray.tui.app" not in found
    assert "papertray.tui.app" in _all_imports(path)
