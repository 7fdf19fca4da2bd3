"""The emulator fixture in a user's own test suite: the app-consumer example's tests, run by
pytest as its team would run them, in a copy of its folder outside this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from support.cli import ROOT


def test_the_app_consumers_own_tests_pass_with_the_emulator_fixture(tmp_path: Path) -> None:
    project = tmp_path / "app-consumer"
    shutil.copytree(
        ROOT / "examples" / "app-consumer",
        project,
        ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"),
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGITALOCEAN_", "PYTEST_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:xdist"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
