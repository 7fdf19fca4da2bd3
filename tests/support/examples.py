"""Load an example's program module from examples/<name>/program.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(example: str, module: str = "program") -> ModuleType:
    path = EXAMPLES / example / f"{module}.py"
    spec = importlib.util.spec_from_file_location(
        f"example_{example.replace('-', '_')}_{module}", path
    )
    assert spec is not None
    assert spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded
