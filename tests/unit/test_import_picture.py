"""The package's import picture (ARCHITECTURE.md), read off the source: no import circle, lazy
imports inside functions included, and no arrow back up the layers."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "provider" / "do_genai_model_keys"
PACKAGE = "do_genai_model_keys"
LAYERS = {
    "api": 0,
    "doors": 0,
    "emulator": 1,
    "keys": 1,
    "lookups": 1,
    "lifecycle": 2,
    "seams": 2,
    "pair": 3,
    "dynamic": 4,
    "plugin": 4,
    "commands": 5,
}
"""Each subpackage's floor: a module imports only from floors below its own (or its own
subpackage). The package's top-level modules are the stable import paths and sit above all."""


def modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported(module: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """Every module of ours `module` imports, at its top or inside a function."""
    here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            name = ".".join([*base, node.module] if node.module else base)
            for alias in node.names:
                full = f"{name}.{alias.name}"
                yield full if full in known else name
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def graph() -> dict[str, set[str]]:
    """The import graph, read in a fresh interpreter: CPython 3.11.7's `ast` refuses to build
    trees ("AST constructor recursion depth mismatch") in a process that has caught a
    RecursionError before, as the workers that ran the hostile-export tests have."""
    done = subprocess.run(
        [sys.executable, __file__], capture_output=True, text=True, check=True, timeout=120
    )
    return {module: set(deps) for module, deps in json.loads(done.stdout).items()}


def _read_graph() -> dict[str, list[str]]:
    known = modules()
    return {
        module: sorted(
            {dep for dep in imported(module, path, known) if dep in known and dep != module}
        )
        for module, path in known.items()
    }


def test_no_module_imports_itself_round_a_circle() -> None:
    edges = graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            circle = [*path[path.index(module) :], module]
            raise AssertionError(f"import circle: {' -> '.join(circle)}")
        if module in done:
            return
        for dep in sorted(edges[module]):
            visit(dep, [*path, module])
        done.add(module)

    for module in sorted(edges):
        visit(module, [])


def floor(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[1].removesuffix(".py") not in LAYERS:
        return None  # the package itself and its top-level modules: above every layer
    return LAYERS[parts[1]]


def test_imports_only_go_down_the_layers() -> None:
    upward = [
        f"{module} -> {dep}"
        for module, deps in graph().items()
        for dep in deps
        if floor(module) is not None
        and module.split(".")[1] != dep.split(".")[1]
        and (floor(dep) is None or floor(dep) >= floor(module))  # type: ignore[operator]
    ]
    assert upward == []


def test_the_doors_stand_on_the_lifecycle_not_on_each_other() -> None:
    edges = graph()
    lifecycle = {m for m in edges if m.startswith(f"{PACKAGE}.lifecycle")}
    assert f"{PACKAGE}.lifecycle.key" in lifecycle
    for module in lifecycle:  # the home imports no door
        assert not {d for d in edges[module] if d.split(".")[1] in ("dynamic", "plugin")}, module
    for module, deps in edges.items():
        door = module.split(".")[1] if "." in module else ""
        reached = {d for d in deps if d.split(".")[1] in ("dynamic", "plugin")} - {
            d for d in deps if d.split(".")[1] == door
        }
        if door in ("dynamic", "plugin"):
            assert reached == set(), f"{module} imports the other door: {reached}"
    assert f"{PACKAGE}.lifecycle.key" in edges[f"{PACKAGE}.plugin.provider"]
    assert f"{PACKAGE}.lifecycle.key" in edges[f"{PACKAGE}.dynamic.resources"]
    for door in ("dynamic.rotation", "plugin.components"):  # one pair, each door's slots
        assert f"{PACKAGE}.pair.component" in edges[f"{PACKAGE}.{door}"]


if __name__ == "__main__":  # the reading itself, run by `graph` in a fresh interpreter
    print(json.dumps(_read_graph()))
