"""The checked-in schema and SDKs are what the declarations make today: a changed input,
output or setting without `bash scripts/gen-sdks.sh` fails here."""

from __future__ import annotations

import ast
import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from do_genai_model_keys.plugin.schema import package_schema

ROOT = Path(__file__).resolve().parents[2]


def differences(left: Path, right: Path) -> list[str]:
    found: list[str] = []

    def walk(compared: filecmp.dircmp[str], where: str) -> None:
        found.extend(f"{where}{name}" for name in compared.left_only + compared.right_only)
        found.extend(f"{where}{name}" for name in compared.diff_files)
        for name, sub in compared.subdirs.items():
            walk(sub, f"{where}{name}/")

    walk(filecmp.dircmp(left, right, ignore=["__pycache__", "node_modules", "bin"]), "")
    # What installing the Python SDK in place writes beside it (`pip install -e`) is not ours.
    return [name for name in found if not name.endswith((".egg-info", "/build"))]


def test_the_checked_in_schema_is_the_one_the_declarations_make() -> None:
    checked_in = ROOT / "provider" / "do_genai_model_keys" / "plugin" / "schema.json"
    assert json.loads(checked_in.read_text()) == package_schema(), (
        "run `bash scripts/gen-sdks.sh` and commit the result"
    )


def test_the_checked_in_sdks_are_what_the_generators_make(tools_bin: Path, tmp_path: Path) -> None:
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "gen-sdks.sh"), str(tmp_path)],
        check=True,
        env={**os.environ, "SDKGEN": str(tools_bin / "pulumi-sdkgen"), "PYTHON": sys.executable},
    )
    stale = differences(ROOT / "provider" / "sdk", tmp_path / "provider" / "sdk")
    assert not stale, f"run `bash scripts/gen-sdks.sh` and commit the result; differs: {stale}"


def test_every_input_and_output_of_the_resources_says_what_it_is() -> None:
    undescribed = [
        f"{token}.{name}"
        for token, resource in package_schema()["resources"].items()
        for group in ("inputProperties", "properties")
        for name, spec in resource[group].items()
        if not spec.get("description")
    ]
    assert undescribed == []


def test_the_schema_is_made_without_parsing_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """CPython 3.11.7 fails an `ast.parse` that meets another thread's (python/cpython#106905):
    CI once did, in this very comparison. The schema reads docstrings with the tokenizer."""
    from do_genai_model_keys.plugin import schema

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("ast.parse called while making the schema")

    monkeypatch.setattr(ast, "parse", refused)
    schema.package_schema.cache_clear()
    schema.attribute_docs.cache_clear()
    try:
        assert schema.package_schema()["name"] == "do-genai"
    finally:
        schema.package_schema.cache_clear()
        schema.attribute_docs.cache_clear()
