"""The portal's import graph, read from the source with `ast` (nothing is imported or run).

Floors, from the ground up: the shared base `portal`, the apps in the order of `APP_FLOORS`, and
the project `lequing_tuoyu` on top. A module may import its own floor's package and any floor
below; never a floor above, and never a sibling app on the same floor.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE = "portal"
TOP = "lequing_tuoyu"
# Apps from the ground up; apps in one tuple share a floor and may not import each other.
APP_FLOORS: tuple[tuple[str, ...], ...] = (
    ("notifications",),
    ("institutions",),
    ("vouchers", "inspections"),
    ("programme", "ratings"),
    ("subsidies",),
    ("metrics",),
)
PACKAGES = (BASE, *(app for floor in APP_FLOORS for app in floor), TOP)
# Comment words that justify an import inside a function: the cycle Django forces.
INLINE_REASON = "cycle"


def floor_of(package: str) -> int:
    if package == BASE:
        return 0
    if package == TOP:
        return len(APP_FLOORS) + 1
    for number, floor in enumerate(APP_FLOORS, start=1):
        if package in floor:
            return number
    raise KeyError(package)


@dataclass(frozen=True)
class Import:
    source: str  # importing module, dotted
    target: str  # imported module, dotted (the longest project module the name resolves to)
    line: int
    inline: bool  # inside a function or class body, or under `if TYPE_CHECKING`
    justified: bool  # a comment on the line or the line above names the cycle


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> list[Path]:
    files = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            files.append(path)
    return files


def _modules() -> set[str]:
    return {module_name(path) for path in source_files()}


def _resolve(name: str, modules: set[str]) -> str | None:
    """The project module `name` refers to: itself, or the package it is an attribute of."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    package = module if is_package else module.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{name}" if name else package


class _Visitor(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, lines: list[str], modules: set[str]):
        self.module = module
        self.is_package = is_package
        self.lines = lines
        self.modules = modules
        self.depth = 0
        self.found: list[Import] = []

    def _nested(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _nested

    def visit_If(self, node):
        test = ast.unparse(node.test)
        if "TYPE_CHECKING" in test:
            self._nested(node)
        else:
            self.generic_visit(node)

    def _add(self, node, name: str) -> None:
        target = _resolve(name, self.modules)
        if target is None or target == self.module:
            return
        here = self.lines[node.lineno - 1]
        above = self.lines[node.lineno - 2] if node.lineno > 1 else ""
        justified = INLINE_REASON in here.lower() or INLINE_REASON in above.lower()
        self.found.append(Import(self.module, target, node.lineno, self.depth > 0, justified))

    def visit_Import(self, node):
        for alias in node.names:
            self._add(node, alias.name)

    def visit_ImportFrom(self, node):
        base = _absolute(self.module, self.is_package, node.level, node.module)
        for alias in node.names:
            # `from pkg import module` imports the module; `from module import name` the module.
            candidate = f"{base}.{alias.name}"
            self._add(node, candidate if candidate in self.modules else base)


def project_imports() -> list[Import]:
    modules = _modules()
    found: list[Import] = []
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        visitor = _Visitor(
            module_name(path), path.name == "__init__.py", text.splitlines(), modules
        )
        visitor.visit(ast.parse(text))
        found.extend(visitor.found)
    return found


def upward(imports: list[Import]) -> list[Import]:
    """Imports of a higher floor, or of a sibling app on the same floor."""
    wrong = []
    for item in imports:
        source, target = item.source.split(".")[0], item.target.split(".")[0]
        if source == target:
            continue
        if floor_of(target) >= floor_of(source):
            wrong.append(item)
    return wrong


def circles(imports: list[Import]) -> list[list[str]]:
    """Groups of modules that import each other, through module-level imports (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for item in imports:
        if not item.inline:
            graph.setdefault(item.source, set()).add(item.target)
            graph.setdefault(item.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def unexplained_inline(imports: list[Import]) -> list[Import]:
    return [item for item in imports if item.inline and not item.justified]
