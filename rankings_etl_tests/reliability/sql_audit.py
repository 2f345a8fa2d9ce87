"""Find every SQL statement in the package that is built from something other than a literal.

Walks the AST of each module for calls to ``execute``/``executemany``/``sql``/``query`` and
reports, for each, what is interpolated into the statement text: the expressions inside an
f-string, the operands of ``%`` / ``+``, the arguments of ``.format``, or a variable whose
assignments (in the same function) do any of these. Parameters passed separately (``$1``,
``?``, registered DataFrames) are not part of the statement text and are not reported.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from pathlib import Path

SQL_METHODS = {"execute", "executemany", "sql", "query"}


@dataclasses.dataclass(frozen=True)
class Interpolation:
    module: str  # path relative to the package, e.g. "warehouse/writes.py"
    function: str
    expression: str  # ast.unparse of what is interpolated
    line: int

    @property
    def key(self) -> tuple[str, str]:
        return self.module, self.expression


def _interpolated(node: ast.expr, assignments: dict[str, list[ast.expr]]) -> Iterator[ast.expr]:
    """The sub-expressions that end up inside the statement text built by ``node``."""
    if isinstance(node, ast.Constant):
        return
    if isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                yield part.value
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        for side in (node.left, node.right):
            if isinstance(side, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Name)):
                yield from _interpolated(side, assignments)
            else:
                yield side
        return
    if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "format":
        yield from node.args
        yield from (keyword.value for keyword in node.keywords)
        return
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "load_sql":
        # A statement read from <package>/sql/<name>.sql: only the package and file name vary.
        for argument in node.args:
            yield from _interpolated(argument, assignments)
        return
    if isinstance(node, ast.Name) and node.id in assignments:
        for value in assignments[node.id]:
            yield from _interpolated(value, assignments)
        return
    yield node


def _scopes(tree: ast.Module) -> list[tuple[str, ast.AST]]:
    """Every function, innermost first (ast.walk is breadth-first), then the module."""
    functions = [
        (node.name, node)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    return [*reversed(functions), ("<module>", tree)]


def audit_module(path: Path, package: Path) -> list[Interpolation]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = str(path.relative_to(package))
    found: dict[tuple[int, str], Interpolation] = {}
    for name, scope in _scopes(tree):
        assignments: dict[str, list[ast.expr]] = {}
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assignments.setdefault(target.id, []).append(node.value)
        for node in ast.walk(scope):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_METHODS
                and node.args
            ):
                continue
            for expression in _interpolated(node.args[0], assignments):
                source = ast.unparse(expression)
                found.setdefault(
                    (node.lineno, source), Interpolation(module, name, source, node.lineno)
                )
    return list(found.values())


def audit_package(package: Path) -> list[Interpolation]:
    return [
        finding for path in sorted(package.rglob("*.py")) for finding in audit_module(path, package)
    ]
