"""The layering of talento/ (DESIGN.md): a module imports its own layer or lower ones, never a
higher one, and modules never import each other in a cycle.

Every import counts, including those inside functions (a lazy import is still a dependency);
only imports under ``if TYPE_CHECKING:`` are left out (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "talento"

#: Low to high. The first prefix that matches a module names its layer.
LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "talento.settings",
        "talento.password_rules",
        "talento.state",
        "talento.extensions",
        "talento.crypto",
        "talento.i18n",
        "talento.logging",
        "talento.context",
        "talento.refusals",
        "talento.unit_of_work",
        "talento.mail",
        "talento.audit",
        "talento.geo",
        "talento.content",  # the legal pages (admin-edited Markdown)
    ),
    ("talento.accounts",),
    ("talento.profiles",),
    ("talento.casting",),
    ("talento.projects",),
    ("talento.attendance",),
    ("talento.exports", "talento.keys", "talento.models"),  # models: all of them, for metadata
    ("talento.admin",),
    ("talento.ops",),
    ("talento.web", "talento.pages"),
    ("talento",),  # the factory: talento/__init__.py
    ("talento.cli",),
)


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    best, best_len = None, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    assert best is not None, f"{module} belongs to no layer: add it to LAYERS"
    return best


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(path: Path, modules: set[str], root: Path = ROOT) -> set[str]:
    """The talento modules `path` imports (``from a import b`` counts a.b when it is one)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_lines(tree)
    me = module_name(path, root)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skipped:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name.startswith("talento") and name != me:
                found.add(name)
    # `from talento.x import y` also names the packages above x; keep the deepest only
    return {m for m in found if not any(o.startswith(m + ".") for o in found)}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, modules) for p in paths}


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{source} -> {target}"
        for source, targets in graph.items()
        for target in targets
        if layer_of(target) > layer_of(source)
    )


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
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
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_module_imports_a_higher_layer():
    assert upward_imports(import_graph()) == []


def test_no_import_cycle_inside_talento():
    assert import_cycles(import_graph()) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from talento.admin.users import x", ["talento.profiles.a -> talento.admin.users"]),
        ("from ..admin import users", ["talento.profiles.a -> talento.admin.users"]),
        ("from talento.accounts import models", []),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import talento.admin.users", []),
    ],
)
def test_the_checker_sees_an_upward_import(tmp_path, source, expected):
    """The checker itself can fail: an admin import from profiles is reported."""
    path = tmp_path / "talento" / "profiles" / "a.py"
    path.parent.mkdir(parents=True)
    path.write_text(source + "\n")
    modules = {"talento.admin.users", "talento.accounts.models", "talento.profiles.a"}
    graph = {"talento.profiles.a": imports_of(path, modules, tmp_path)}
    assert upward_imports(graph) == expected


def test_a_cycle_is_reported():
    graph = {"talento.a": {"talento.b"}, "talento.b": {"talento.c"}, "talento.c": {"talento.a"}}
    assert import_cycles(graph) == [["talento.a", "talento.b", "talento.c"]]


if __name__ == "__main__":  # figures for the closing note: python tests/unit/test_layering.py
    graph = import_graph()
    ups, cycles = upward_imports(graph), import_cycles(graph)
    print(f"upward imports: {len(ups)}")
    print("\n".join("  " + u for u in ups))
    print(f"cycles: {len(cycles)}")
    for cycle in cycles:
        print("  " + " <-> ".join(cycle))
