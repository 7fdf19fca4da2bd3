"""Builds a test run shares: made once by whichever worker comes first, waited for by the others
(the suite hands its tests to whichever worker is free)."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest


def run(*args: str | Path, cwd: Path | None = None) -> str:
    """A command that must succeed; its standard output."""
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, cwd=cwd
    )
    said = (done.stdout[-2000:] + done.stderr[-4000:]).strip()
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{said}"
    return done.stdout


SHARED_BUILDS = "DO_GENAI_BUILDS"
"""A folder of builds the test command starts before the tests (`scripts/test.sh`: the
release), so that no worker waits for one: a build there, under its lock, is this one."""


def made_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder `name`, made by `make` once in the whole run: the workers of a run share the
    parent of their temporary folders (or `DO_GENAI_BUILDS`), and a lock there lets the first
    make it while the others wait."""
    base = factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    if os.environ.get(SHARED_BUILDS):
        shared = Path(os.environ[SHARED_BUILDS])
    folder = shared / name
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".made").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (folder / ".made").touch()
    return folder
