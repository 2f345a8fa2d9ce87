"""The package's import rules, checked on the source (stdlib ``ast``; nothing is imported).

``docs/ARCHITECTURE.md`` draws the layers; this keeps the drawing true:
- no import cycle among ``rankings_etl`` modules, counting imports inside functions (the one
  ``budget/`` had was a function-level import of its own subclasses);
- each module imports only its own layer or the layers below it, and the Data API, DuckDB and
  budget packages of layer 1 only in the one allowed direction;
- layers 0-2 never import Dagster (of ``datasets/``, only each dataset's ``assets.py`` does) and
  only ``data_api/`` may import httpx, so the registry, the CLI and the bench stay cheap to load;
- layer 0 (``core/``, ``settings.py``, ``redaction.py``) is stdlib only: the product, the
  sandbox, the bench and the tests all import it;
- the sandbox (a stand-in for the real API) imports only ``core`` and itself, never the
  product it is used to test;
- the CLI's commands import Dagster (and whatever loads it) only inside the functions that
  run it, so ``rankings-etl budget``/``status`` start in a fraction of a second.

That the environment is read in ``settings.py`` only is checked next to the settings, in
``test_settings.py``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import rankings_etl

PACKAGE = Path(rankings_etl.__file__).parent
NAME = "rankings_etl"

#: The layers, bottom up; a module is in the layer of the longest prefix listed here.
#: ``datasets.<name>.assets`` (Dagster) is in layer 3, the rest of ``datasets/`` in layer 2.
LAYERS = {
    f"{NAME}.core": 0,
    f"{NAME}.settings": 0,
    f"{NAME}.redaction": 0,
    f"{NAME}.data_api": 1,
    f"{NAME}.warehouse": 1,
    f"{NAME}.budget": 1,
    f"{NAME}.datasets": 2,
    f"{NAME}.orchestration": 3,
    f"{NAME}.resources": 3,
    f"{NAME}.publishing": 3,
    f"{NAME}.event_storage": 3,
    f"{NAME}.definitions": 4,
}
#: The side entries: the CLI and its commands sit above every layer (they may import anything,
#: Dagster's layers only inside functions); the sandbox beside them imports core/ only.
SIDE = {f"{NAME}.cli", f"{NAME}.commands", f"{NAME}.sandbox"}

#: Inside layer 1: data_api may import warehouse (its raw_responses table is a TableSpec);
#: warehouse and budget import no other layer-1 package.
LAYER_1_MAY_IMPORT = {
    f"{NAME}.data_api": {f"{NAME}.warehouse"},
    f"{NAME}.warehouse": set(),
    f"{NAME}.budget": set(),
}

#: (importer, imported) -> why it may break the layering. Each is temporary or justified.
#: None today; add one only with its reason (the step-7 exception for warehouse.schema -> datasets
#: went when ensure_schema started taking its tables from the caller).
LAYER_EXCEPTIONS: dict[tuple[str, str], str] = {}

#: sandbox module -> the product module it may import, and why.
SANDBOX_EXCEPTIONS = {
    # ``python -m rankings_etl.sandbox`` runs the same click command as ``rankings-etl sandbox``;
    # nothing imports __main__, so the sandbox's importable modules stay product-free.
    f"{NAME}.sandbox.__main__": {f"{NAME}.commands.sandbox"},
}

DAGSTER = {"dagster", "dagster_duckdb", "dagster_postgres", "dagster_shared", "dagster_webserver"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(), str(p)) for p in PACKAGE.rglob("*.py")}


def is_package(module: str) -> bool:
    return (PACKAGE.parent / module.replace(".", "/") / "__init__.py").exists()


def imported(module: str, tree: ast.AST, is_package: bool) -> set[str]:
    """Every module ``module`` imports anywhere in ``tree`` (functions included), and for
    ``from x import y`` also ``x.y`` (which is a module or a name in ``x``)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join([*base, node.module] if node.module else base)
            else:
                prefix = node.module or ""
            names.add(prefix)
            names.update(f"{prefix}.{alias.name}" for alias in node.names)
    return names


def module_level(tree: ast.Module) -> ast.Module:
    """The statements run on import: the tree minus function bodies (``if TYPE_CHECKING:``
    blocks are kept: they are checked as if they ran)."""
    body = [
        node
        for node in tree.body
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    for node in tree.body:  # a class body runs on import, its methods do not
        if isinstance(node, ast.ClassDef):
            body.extend(
                n for n in node.body if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            )
    return ast.Module(body=body, type_ignores=[])


def graph(*, on_import_only: bool = False) -> dict[str, set[str]]:
    trees = modules()
    edges = {}
    for module, tree in trees.items():
        scope = module_level(tree) if on_import_only else tree
        targets = imported(module, scope, is_package(module))
        edges[module] = {t for t in targets if t in trees and t != module}
    return edges


def layer(module: str) -> int | None:
    """The module's layer, or None for the side entries (CLI, commands, sandbox)."""
    if module in SIDE or module.startswith(tuple(f"{s}." for s in SIDE)):
        return None
    if module == NAME:
        return 0  # the package's own __init__ (empty)
    parts = module.split(".")
    if parts[:2] == [NAME, "datasets"] and parts[-1] == "assets":
        return 3
    for end in range(len(parts), 1, -1):
        if ".".join(parts[:end]) in LAYERS:
            return LAYERS[".".join(parts[:end])]
    raise AssertionError(f"{module} is in no layer: add it to LAYERS or SIDE in test_layers.py")


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def external(module: str, tree: ast.AST) -> set[str]:
    """The top-level names of the non-``rankings_etl`` modules imported in ``tree``."""
    return {
        target.split(".")[0]
        for target in imported(module, tree, is_package(module))
        if target.split(".")[0] not in (NAME, "")
    }


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycle_counting_imports_inside_functions():
    # A package's __init__ re-exporting its modules is an edge package -> module, and each
    # module importing a sibling names the package first: that pair is not a cycle.
    edges = graph()
    for module, targets in edges.items():
        edges[module] = {t for t in targets if not module.startswith(f"{t}.")}
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_each_layer_imports_only_its_own_layer_or_below():
    wrong = {}
    for module, targets in graph().items():
        here = layer(module)
        if here is None:
            continue
        for target in targets:
            there = layer(target)
            if (module, target) in LAYER_EXCEPTIONS:
                continue
            if there is None:
                wrong.setdefault(module, set()).add(f"{target} (the CLI or the sandbox)")
            elif there > here:
                wrong.setdefault(module, set()).add(f"{target} (layer {there} > {here})")
            elif (
                here == there == 1
                and package_of(module) != package_of(target)
                and package_of(target) not in LAYER_1_MAY_IMPORT[package_of(module)]
            ):
                wrong.setdefault(module, set()).add(f"{target} (layer 1 sideways)")
    assert not wrong, f"imports against the layers (docs/ARCHITECTURE.md): {wrong}"


def test_layers_0_to_2_import_neither_dagster_nor_httpx_outside_data_api():
    wrong = {}
    for module, tree in modules().items():
        here = layer(module)
        if here is None or here > 2:
            continue
        forbidden = DAGSTER if package_of(module) == f"{NAME}.data_api" else DAGSTER | {"httpx"}
        if found := external(module, tree) & forbidden:
            wrong[module] = found
    assert not wrong, f"Dagster and httpx belong to layer 3 (and data_api/): {wrong}"


def test_layer_0_is_stdlib_only():
    stdlib = sys.stdlib_module_names | {"__future__"}
    wrong = {}
    for module, tree in modules().items():
        if layer(module) != 0:
            continue
        if found := external(module, tree) - stdlib:
            wrong[module] = found
    assert not wrong, f"core/, settings.py and redaction.py import only the stdlib: {wrong}"


def test_the_sandbox_imports_only_core_and_itself():
    wrong = {}
    for module, targets in graph().items():
        if not module.startswith(f"{NAME}.sandbox"):
            continue
        allowed = SANDBOX_EXCEPTIONS.get(module, set())
        for target in targets - allowed:
            if target != NAME and not target.startswith((f"{NAME}.core", f"{NAME}.sandbox")):
                wrong.setdefault(module, set()).add(target)
    assert not wrong, f"the sandbox must not import the product: {wrong}"


def test_the_commands_import_dagsters_layers_only_inside_functions():
    wrong = {}
    trees = modules()
    for module, targets in graph(on_import_only=True).items():
        if not module.startswith((f"{NAME}.commands", f"{NAME}.cli")):
            continue
        if found := external(module, module_level(trees[module])) & DAGSTER:
            wrong[module] = found
        for target in targets:
            there = layer(target)
            if there is not None and there >= 3:
                wrong.setdefault(module, set()).add(f"{target} (layer {there})")
    assert not wrong, f"import these inside the command that needs them: {wrong}"


def test_the_cli_and_its_commands_load_neither_dagster_nor_httpx():
    """What the static rules promise, measured: importing every command (as ``rankings-etl
    --help`` does) leaves Dagster and httpx unloaded."""
    entries = [f"{NAME}.cli", *sorted(m for m in modules() if m.startswith(f"{NAME}.commands."))]
    code = (
        f"import sys, importlib; [importlib.import_module(m) for m in {entries!r}]; "
        f"print(sorted(m for m in {sorted(DAGSTER | {'httpx'})!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]"
