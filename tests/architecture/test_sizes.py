"""No source module over 600 lines and no function over 80, unless a comment on the line before
the function says why (the word "long" in it)."""

import ast

from .imports import PACKAGES, ROOT

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
FOLDERS = (*PACKAGES, "bench", "scripts")


def _sources():
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_modules_and_functions_stay_short():
    too_long = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        name = path.relative_to(ROOT)
        if len(lines) > MAX_MODULE_LINES:
            too_long.append(f"{name}: {len(lines)} lines")
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = node.end_lineno - node.lineno + 1
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            reason = lines[first - 2] if first > 1 else ""
            if length > MAX_FUNCTION_LINES and not (
                reason.lstrip().startswith("#") and "long" in reason
            ):
                too_long.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    assert too_long == []


def test_the_check_reads_every_folder():
    assert sum(1 for _ in _sources()) > 100
