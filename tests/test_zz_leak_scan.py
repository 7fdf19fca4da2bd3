"""The leak scan, last in the run: no token or key secret used by the run appears in a state
file, a project folder, the Pulumi home, the CLI output, a log line or the test output. The
emulator's own persistence file is the server side and is left out.

`scripts/test.sh` runs the suite on parallel workers with `DO_GENAI_LEAK_DIR` set, where every
process writes the secrets it saw and every test's output, and the run's files live
(`DO_GENAI_LEAK_DIR/tmp`); then it runs this scan on its own, which reads all of that. Run
alone or in a plain `pytest`, it scans what its own process saw."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from do_genai_model_keys.emulator import Emulator
from support.leaks import LEAK_DIR_ENV, LEAK_MATERIAL, TEST_OUTPUT, leaks_in
from support.stacks import KeyStack, faulty_run

pytestmark = pytest.mark.e2e


INSTALLED = ("node_modules", "_internal")
"""Folders of installed software the tests made, never written by our code: npm's packages, and
the interpreter and modules bundled in the standalone plugin (unpacked by the engine)."""


def files_below(top: Path) -> Iterator[Path]:
    """Every file the tests wrote, without following links (a project's `.venv` link points at
    the repository's virtualenv) and without what the tests installed (virtualenvs, INSTALLED)."""
    for folder, dirs, files in os.walk(top, followlinks=False):
        dirs[:] = [
            d for d in dirs if d not in INSTALLED and not (Path(folder, d) / "pyvenv.cfg").exists()
        ]
        for name in files:
            path = Path(folder, name)
            if not path.is_symlink():
                yield path


def recorded(kind: str) -> Iterator[object]:
    """What the test processes of this run wrote for the scan (see the module docstring)."""
    folder = os.environ.get(LEAK_DIR_ENV)
    if not folder:
        return
    for path in sorted((Path(folder) / kind).glob("*.jsonl")):
        for line in path.read_text().splitlines():
            yield json.loads(line)


def run_folders(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folders = [Path(tmp_path_factory.getbasetemp())]
    folder = os.environ.get(LEAK_DIR_ENV)
    if folder and (Path(folder) / "tmp").is_dir():
        folders.append(Path(folder) / "tmp")
    return folders


def test_no_secret_or_token_anywhere(
    backend, emulator: Emulator, tmp_path_factory: pytest.TempPathFactory, caplog
) -> None:
    # In the whole run, `tests/e2e/test_leak_material_e2e.py` made a faulty run with logging on
    # among the others; run alone, the scan makes one itself, so that it has material.
    caplog.set_level("DEBUG")
    keys = KeyStack(backend(), emulator)
    if not os.environ.get(LEAK_DIR_ENV):
        faulty_run(keys, emulator)
    material = set(LEAK_MATERIAL)
    for secrets in recorded("material"):
        material.update(secrets)  # type: ignore[arg-type]
    assert len(material) >= 5
    outputs = [*TEST_OUTPUT, *(tuple(record) for record in recorded("output"))]  # type: ignore[arg-type]

    hits: list[str] = []
    cli = "\n".join(keys.output)
    if leaks_in(cli, material):
        hits.append("CLI output")
    if leaks_in(caplog.text, material):
        hits.append("log records")
    for nodeid, text in outputs:
        if leaks_in(text, material):
            hits.append(f"output of {nodeid}")
    scanned = 0
    for path in (p for folder in run_folders(tmp_path_factory) for p in files_below(folder)):
        if path.name.startswith(("emulator-state", ".emulator-state")):
            continue
        scanned += 1
        text = path.read_bytes().decode("utf-8", errors="replace")
        if leaks_in(text, material):
            hits.append(str(path))
    assert scanned > 10
    assert hits == [], f"secrets or tokens found in: {hits}"  # names places, never the secret
