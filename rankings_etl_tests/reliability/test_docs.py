"""docs/RELIABILITY.md stays true: the tests it cites exist, and it covers every sandbox fault."""

from __future__ import annotations

import ast
import re

from rankings_etl.sandbox.faults import ALL_KINDS

from .support import ROOT

DOC = ROOT / "docs" / "RELIABILITY.md"
REFERENCE = re.compile(r"(rankings_etl_tests/[\w/]+\.py)::(\w+)(?:\[([^\]]+)\])?")


def references() -> list[tuple[str, str, str | None]]:
    return REFERENCE.findall(DOC.read_text(encoding="utf-8"))


def test_every_test_the_reliability_doc_cites_exists():
    cited = references()
    assert len(cited) >= 35
    missing = []
    for path, name, parameter in cited:
        source = (ROOT / path).read_text(encoding="utf-8") if (ROOT / path).exists() else ""
        functions = {
            node.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.FunctionDef)
        }
        literals = {
            node.value
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        if name not in functions or (parameter and parameter not in literals):
            missing.append(f"{path}::{name}" + (f"[{parameter}]" if parameter else ""))
    assert missing == []


def test_the_fault_matrix_covers_every_fault_the_sandbox_can_inject():
    matrix = DOC.read_text(encoding="utf-8").split("## Fault matrix", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in matrix.splitlines() if line.startswith("| ") and "`" in line]
    sandbox_column = " ".join(row.split(" | ")[1] for row in rows)
    assert sorted(kind for kind in ALL_KINDS if f"`{kind}`" not in sandbox_column) == []
